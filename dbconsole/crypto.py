"""Encryption at rest for target credentials.

``DBCONSOLE_FERNET_KEYS`` is a comma-separated list: the first key encrypts, every key decrypts. To
rotate, put a new key first, run ``manage.py rotate-keys`` (re-encrypts every stored secret with the
first key), then drop the old key from the list.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """A stored secret was encrypted with a key that is no longer configured."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "DBCONSOLE_FERNET_KEYS holds a malformed key: each must be 32 url-safe base64-encoded bytes"
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FERNET_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "a stored target password cannot be decrypted with DBCONSOLE_FERNET_KEYS; "
            "add back the key it was written with"
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the first configured key."""
    if not token:
        return token
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("a stored secret was written with a key that is no longer configured") from None
