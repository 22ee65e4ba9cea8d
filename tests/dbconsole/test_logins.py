"""Login protection on both login forms: lockout per user name and per address after repeated failures,
every login, failure and lockout in the audit log with the name tried and the client address, and
``manage.py unlock`` lifting a lockout (audited) so the right password works again."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse

from dbconsole.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FORMS = ["/accounts/login/", "/admin/login/"]


def attempt(client: Client, form: str, username: str, password: str, address: str = "127.0.0.1") -> int:
    """One sign-in the way a browser does it: fetch the form (CSRF cookie), post it back."""
    client.get(form, REMOTE_ADDR=address)
    token = client.cookies["csrftoken"].value
    response = client.post(form, {"username": username, "password": password, "csrfmiddlewaretoken": token},
                           REMOTE_ADDR=address)
    return response.status_code


def signed_in(client: Client) -> bool:
    return client.get(reverse("fleet")).status_code == 200


@pytest.mark.parametrize("form", FORMS, ids=["accounts", "admin"])
def test_it_locks_a_user_out_after_repeated_wrong_passwords_and_audits_each_attempt(
    form: str, admin_user: User,
) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    client = Client(enforce_csrf_checks=True)
    statuses = [attempt(client, form, admin_user.username, f"wrong-{i}") for i in range(30)]

    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, with its error
    assert statuses[limit - 1 :] == [429] * (30 - limit + 1)  # the attempt that reaches the limit, and on
    assert attempt(client, form, admin_user.username, PASSWORD) == 429  # even the right password now
    assert not signed_in(client)

    failed = AuditEvent.objects.filter(action="login.failed").order_by("id")
    assert failed.count() == 31
    assert {e.actor_name for e in failed} == {admin_user.username}
    assert {e.remote_addr for e in failed} == {"127.0.0.1"}
    reasons = [e.details["reason"] for e in failed]
    assert reasons == ["wrong user name or password"] * limit + ["locked out"] * (31 - limit)
    assert {e.details["path"] for e in failed} == {form}
    lockout = AuditEvent.objects.get(action="login.locked_out")
    assert lockout.details["username"] == admin_user.username
    assert lockout.details["address"] == "127.0.0.1"
    assert lockout.details["failures"] == limit
    assert lockout.remote_addr == "127.0.0.1"
    # The lockout is written right after the failure that caused it.
    assert lockout.pk == failed[limit - 1].pk + 1
    assert not AuditEvent.objects.filter(action="login.success").exists()


def test_it_locks_an_address_that_tries_many_user_names_but_not_the_same_user_elsewhere(admin_user: User) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    attacker = Client(enforce_csrf_checks=True)
    statuses = [attempt(attacker, FORMS[0], f"guess-{i}", "password123", address="10.9.8.7") for i in range(limit)]
    assert statuses[-1] == 429
    assert attempt(attacker, FORMS[1], admin_user.username, PASSWORD, address="10.9.8.7") == 429

    elsewhere = Client(enforce_csrf_checks=True)
    assert attempt(elsewhere, FORMS[0], admin_user.username, PASSWORD, address="10.9.8.8") == 302
    assert signed_in(elsewhere)
    lockout = AuditEvent.objects.get(action="login.locked_out")
    assert lockout.details["address"] == "10.9.8.7" and lockout.remote_addr == "10.9.8.7"
    success = AuditEvent.objects.get(action="login.success")
    assert success.actor == admin_user and success.remote_addr == "10.9.8.8"
    assert success.details["path"] == FORMS[0]


@pytest.mark.parametrize("form", FORMS, ids=["accounts", "admin"])
def test_it_unlocks_a_user_with_the_command_and_the_right_password_then_signs_in(form: str, admin_user: User) -> None:
    admin_user.is_staff = True  # the admin's own form signs in staff accounts only
    admin_user.save()
    client = Client(enforce_csrf_checks=True)
    for i in range(30):
        attempt(client, form, admin_user.username, f"wrong-{i}")
    assert attempt(client, form, admin_user.username, PASSWORD) == 429

    listed = io.StringIO()
    call_command("unlock", "--list", stdout=listed)
    assert f"user     {admin_user.username}" in listed.getvalue()
    assert "address  127.0.0.1" in listed.getvalue()

    out = io.StringIO()
    call_command("unlock", admin_user.username, stdout=out)
    assert f"unlocked user '{admin_user.username}'" in out.getvalue()
    unlock = AuditEvent.objects.get(action="login.unlock")
    assert unlock.details["username"] == admin_user.username and unlock.details["removed"] >= 1
    assert unlock.actor_name.startswith("cli:")

    assert attempt(client, form, admin_user.username, PASSWORD) == 302
    assert signed_in(client)
    assert AuditEvent.objects.filter(action="login.success", actor=admin_user).count() == 1
    nobody = io.StringIO()
    call_command("unlock", "--list", stdout=nobody)
    assert nobody.getvalue().strip() == "nobody is locked out"


def test_it_unlocks_an_address_with_the_command(admin_user: User) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    client = Client(enforce_csrf_checks=True)
    for i in range(limit):
        attempt(client, FORMS[0], f"guess-{i}", "nope-nope-nope", address="192.0.2.10")
    assert attempt(client, FORMS[0], admin_user.username, PASSWORD, address="192.0.2.10") == 429

    call_command("unlock", "--ip", "192.0.2.10", stdout=io.StringIO())
    assert AuditEvent.objects.get(action="login.unlock").details["address"] == "192.0.2.10"
    assert attempt(client, FORMS[0], admin_user.username, PASSWORD, address="192.0.2.10") == 302


def test_it_refuses_an_unlock_without_a_name_or_with_a_bad_address() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="name a user"):
        call_command("unlock", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not an IP address"):
        call_command("unlock", "--ip", "not-an-address", stdout=io.StringIO())
    assert not AuditEvent.objects.filter(action="login.unlock").exists()


def test_it_forgets_failures_older_than_the_cooloff(admin_user: User) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    client = Client(enforce_csrf_checks=True)
    for i in range(limit):
        attempt(client, FORMS[0], admin_user.username, f"wrong-{i}")
    assert attempt(client, FORMS[0], admin_user.username, PASSWORD) == 429
    # The cool-off passes (moving the attempts back in time is what waiting would do).
    cooloff = dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cooloff - dt.timedelta(seconds=1))
    assert attempt(client, FORMS[0], admin_user.username, PASSWORD) == 302


def test_it_audits_a_successful_login_and_logout_with_the_address(viewer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert attempt(client, FORMS[0], viewer.username, PASSWORD, address="198.51.100.4") == 302
    token = client.cookies["csrftoken"].value
    client.post(reverse("logout"), {"csrfmiddlewaretoken": token}, REMOTE_ADDR="198.51.100.4")
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor_name", "remote_addr"))
    assert events == [("login.success", viewer.username, "198.51.100.4"),
                      ("login.logout", viewer.username, "198.51.100.4")]


def test_it_stores_a_hostile_user_name_as_typed_but_storable(viewer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    name = "<script>alert(1)</script>' OR 1=1 --"
    assert attempt(client, FORMS[0], name, "whatever") == 200
    event = AuditEvent.objects.get(action="login.failed")
    assert event.actor_name == name
    admin = User.objects.create_user("audit-admin", password=PASSWORD, is_superuser=True)
    staff = Client()
    staff.force_login(admin)
    page = staff.get(reverse("audit-log")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    # A NUL never reaches authenticate (the form refuses it); an overlong name is counted and audited
    # under its first 150 characters (Django's form limits the length only in the HTML).
    assert attempt(client, FORMS[0], "nul\x00name", "whatever") == 200
    assert attempt(client, FORMS[0], "x" * 400, "whatever") == 200
    assert attempt(client, FORMS[1], "y" * 4000, "whatever") == 200
    names = AuditEvent.objects.filter(action="login.failed").order_by("id").values_list("actor_name", flat=True)
    assert list(names) == [name, "x" * 150, "y" * 150]
    assert AccessAttempt.objects.filter(username="y" * 150).exists()


def test_it_keeps_the_test_personas_signed_in_through_force_login(
    client_for: Callable[[User], Client], viewer: User,
) -> None:
    assert client_for(viewer).get(reverse("fleet")).status_code == 200
    assert AuditEvent.objects.get(action="login.success").actor == viewer
