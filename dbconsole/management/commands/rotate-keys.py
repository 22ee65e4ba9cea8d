"""manage.py rotate-keys — re-encrypt every stored target password with the first Fernet key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dbconsole import audit, crypto
from monitoring.models import Target


class Command(BaseCommand):
    help = "Re-encrypt stored target passwords under the first key of DBCONSOLE_FERNET_KEYS."

    def handle(self, *args: Any, **opts: Any) -> None:
        rotated = 0
        with transaction.atomic():
            for target in Target.objects.select_for_update().exclude(password_encrypted=""):
                try:
                    target.password_encrypted = crypto.rotate(target.password_encrypted)
                except crypto.SecretUnreadable:
                    raise CommandError(
                        f"{target.name}: its password was encrypted with a key that is not in "
                        "DBCONSOLE_FERNET_KEYS; nothing was changed"
                    ) from None
                target.save(update_fields=["password_encrypted"])
                rotated += 1
            audit.record("keys.rotate", count=rotated)
        self.stdout.write(f"re-encrypted {rotated} target password(s) with the first key")
