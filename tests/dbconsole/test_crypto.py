from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from dbconsole import crypto
from monitoring.models import Target

pytestmark = pytest.mark.django_db


def make_target(password: str) -> Target:
    target = Target(name="enc", host="db.example", dbname="app", username="mon")
    target.set_password(password)
    target.save()
    return target


def stored_column(target: Target) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password_encrypted FROM monitoring_target WHERE id = %s", [target.pk])
        return str(cursor.fetchone()[0])


def test_it_stores_only_ciphertext() -> None:
    target = make_target("s3cret-Password")
    raw = stored_column(target)
    assert "s3cret" not in raw and raw.startswith("gAAAA")
    assert Target.objects.get(pk=target.pk).get_password() == "s3cret-Password"
    assert "s3cret" not in repr(target) and "s3cret" not in str(target)


def test_it_rotates_to_a_new_key_and_survives_dropping_the_old_one(settings: Any) -> None:
    old_key = settings.FERNET_KEYS[0]
    target = make_target("rotate-me-please")
    before = stored_column(target)
    new_key = Fernet.generate_key().decode()

    settings.FERNET_KEYS = [new_key, old_key]
    out = StringIO()
    call_command("rotate-keys", stdout=out)
    assert "re-encrypted 1 target password(s)" in out.getvalue()
    assert stored_column(target) != before

    settings.FERNET_KEYS = [new_key]
    assert Target.objects.get(pk=target.pk).get_password() == "rotate-me-please"


def test_it_names_the_problem_when_the_key_is_gone(settings: Any) -> None:
    target = make_target("lost-forever")
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.SecretUnreadable, match="add back the key"):
        Target.objects.get(pk=target.pk).get_password()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("rotate-keys", stdout=StringIO())
