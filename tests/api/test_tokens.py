"""Personal API tokens: made by ``manage.py api-token`` (printed once, alone on its line) or on the tokens
page, stored as a digest, listed and revoked by their user and by admins, refused once expired, revoked
or when their user is inactive — every creation and revocation audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.tokens import TOKEN_RE, TokenError, parse_expires
from dbconsole.models import AuditEvent
from tests.api.conftest import Api, token_for
from tests.support.web import post

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("api-token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_a_new_token_alone_on_its_line_and_stores_only_its_digest(admin_user: User) -> None:
    out, err = run("create", admin_user.username, "--name", "ci", "--expires", "30d")
    lines = out.splitlines()
    assert len(lines) == 1 and TOKEN_RE.match(lines[0]), out
    secret = lines[0]
    stored = ApiToken.objects.get(user=admin_user, name="ci")
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest() and secret.startswith(stored.prefix)
    assert secret not in str(list(ApiToken.objects.values())) and secret not in err
    assert stored.expires_at is not None and abs(stored.expires_at - timezone.now() - dt.timedelta(days=30)) < \
        dt.timedelta(minutes=1)
    event = AuditEvent.objects.get(action="api.token.create")
    assert event.actor_name.startswith("cli:") and event.details["token"] == f"ci ({stored.prefix})"
    assert secret not in str(event.details)
    me = Api(secret).get("/api/v1/").json()
    assert me["user"] == admin_user.username and me["roles"] == ["admin"]


def test_it_lists_and_revokes_tokens_from_the_command_line(viewer: User) -> None:
    secret = token_for(viewer, name="grafana")
    prefix = secret[:12]
    out, _err = run("list", viewer.username)
    assert prefix in out and "grafana" in out and secret not in out
    run("revoke", prefix)
    assert Api(secret).get("/api/v1/").status_code == 401
    assert AuditEvent.objects.filter(action="api.token.revoke", details__token=f"grafana ({prefix})").exists()
    with pytest.raises(CommandError):
        run("revoke", prefix)
    with pytest.raises(CommandError):
        run("create", "nobody-by-that-name")
    with pytest.raises(CommandError):
        run("create", viewer.username, "--expires", "forever")


def test_it_refuses_expired_revoked_and_inactive_users_tokens(viewer: User) -> None:
    secret = token_for(viewer)
    assert Api(secret).get("/api/v1/").status_code == 200
    ApiToken.objects.filter(user=viewer).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = Api(secret).get("/api/v1/")
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "authentication_failed"
    fresh = token_for(viewer)
    viewer.is_active = False
    viewer.save()
    assert Api(fresh).get("/api/v1/").status_code == 401
    for forged in ("dbc_" + "A" * 43, fresh[:-1] + ("B" if fresh[-1] != "B" else "C"), "x" * 500, "dbc_\x00"):
        assert Api(forged).get("/api/v1/").status_code == 401


def test_it_records_when_a_token_was_last_used(viewer: User) -> None:
    secret = token_for(viewer)
    assert ApiToken.objects.get(user=viewer).last_used_at is None
    Api(secret).get("/api/v1/")
    assert ApiToken.objects.get(user=viewer).last_used_at is not None


def test_it_parses_lifetimes() -> None:
    assert parse_expires("90d") == dt.timedelta(days=90) and parse_expires("12h") == dt.timedelta(hours=12)
    assert parse_expires("never") is None
    for bad in ("0d", "9999d", "3w", "-1d", "１d", ""):  # noqa: RUF001 (look-alike digits: the point)
        with pytest.raises(TokenError):
            parse_expires(bad)


def test_it_lets_people_manage_their_own_tokens_on_the_tokens_page(viewer: User, reviewer: User,
                                                                   client_for: ClientFor) -> None:
    theirs = token_for(reviewer, name="reviewer-bot")
    client = client_for(viewer)
    page = client.get("/account/tokens/")
    assert page.status_code == 200 and "No token yet." in page.content.decode()
    assert "reviewer-bot" not in page.content.decode()
    made = post(client, "/account/tokens/new/", {"name": "my laptop", "expires": "30d"})
    body = made.content.decode()
    shown = re.search(r"<code data-token>(dbc_[A-Za-z0-9_-]{43})</code>", body)
    assert made.status_code == 200 and shown and "no-store" in made["Cache-Control"]
    assert Api(shown.group(1)).get("/api/v1/").json()["user"] == viewer.username
    assert shown.group(1) not in client.get("/account/tokens/").content.decode()   # shown once
    mine = ApiToken.objects.get(user=viewer)
    other = ApiToken.objects.get(user=reviewer)
    assert post(client, f"/account/tokens/{other.pk}/revoke/").status_code == 404   # not theirs
    assert Api(theirs).get("/api/v1/").status_code == 200
    assert post(client, f"/account/tokens/{mine.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(user=viewer).exists()
    again = post(client, "/account/tokens/new/", {"name": "", "expires": "30d"})
    assert again.status_code == 400
    no_csrf = client.post("/account/tokens/new/", {"name": "x", "expires": "30d"})
    assert no_csrf.status_code == 403


def test_it_lets_admins_see_and_revoke_everyones_tokens(viewer: User, admin_user: User,
                                                        client_for: ClientFor) -> None:
    secret = token_for(viewer, name="leaked-in-a-gist")
    client = client_for(admin_user)
    page = client.get("/account/tokens/").content.decode()
    assert "leaked-in-a-gist" in page and viewer.username in page and secret not in page
    token = ApiToken.objects.get(user=viewer)
    assert post(client, f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert Api(secret).get("/api/v1/").status_code == 401
    event = AuditEvent.objects.get(action="api.token.revoke")
    assert event.actor_name == admin_user.username and event.details["user"] == viewer.username
