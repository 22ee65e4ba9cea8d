from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dbconsole.access import ADMIN, OPERATOR, REVIEWER, VIEWER, has_role
from dbconsole.models import AuditEvent
from tests.support.targets import TargetDb
from tests.support.web import post

pytestmark = pytest.mark.django_db

PUBLIC = {"login", "healthz"}


def named_routes() -> list[str]:
    names: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif p.name and not p.pattern.regex.groupindex and "(?P" not in str(p.pattern):
                names.append(namespace + p.name)

    walk(get_resolver().url_patterns)
    return names


def test_it_requires_login_for_every_page_but_login_and_healthz() -> None:
    client = Client()
    checked = 0
    for name in named_routes():
        if name in PUBLIC or name.startswith("admin:"):
            continue
        url = reverse(name)
        response = client.get(url)
        if url.startswith(("/api/v1/", "/metrics")) and name != "api:docs":
            # The API and the exporter authenticate by token: a 401 that asks for one, not a login page.
            assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer"), name
            checked += 1
            continue
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), name
        checked += 1
    assert checked >= 4
    assert client.get(reverse("admin:index")).status_code == 302


def test_it_shows_a_signed_in_user_without_a_role_nothing_but_that(client_for: Callable[[User], Client]) -> None:
    nobody = User.objects.create_user("nobody", password="whatever-pass-1")
    response = client_for(nobody).get(reverse("fleet"))
    assert response.status_code == 403
    assert b"Your account has no role yet" in response.content


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("viewer", {VIEWER}),
        ("reviewer", {VIEWER, REVIEWER}),
        ("operator", {VIEWER, OPERATOR}),
        ("admin_user", {VIEWER, REVIEWER, OPERATOR, ADMIN}),
    ],
)
def test_it_grants_each_role_what_it_may_do(persona: str, expected: set[str], request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)
    assert {role for role in (VIEWER, REVIEWER, OPERATOR, ADMIN) if has_role(user, role)} == expected


def test_it_opens_the_django_admin_to_admins_only(
    viewer: User, admin_user: User, client_for: Callable[[User], Client]
) -> None:
    assert client_for(viewer).get(reverse("admin:index")).status_code == 302
    response = client_for(admin_user).get(reverse("admin:index"))
    assert response.status_code == 200
    assert client_for(admin_user).get(reverse("admin:monitoring_target_changelist")).status_code == 200


def test_it_forbids_target_management_to_non_admins(
    operator: User, admin_user: User, client_for: Callable[[User], Client]
) -> None:
    assert client_for(operator).get(reverse("targets-manage")).status_code == 403
    assert client_for(admin_user).get(reverse("targets-manage")).status_code == 200


def test_it_rejects_a_post_without_the_csrf_token(admin_user: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(admin_user)
    response = client.post(reverse("targets-add"), {"name": "x", "dsn": "postgresql://u@h/db"})
    assert response.status_code == 403
    assert not AuditEvent.objects.exclude(action__startswith="login.").exists()


def test_it_audits_a_target_added_from_the_web(
    admin_user: User, client_for: Callable[[User], Client], target_db: TargetDb
) -> None:
    client = client_for(admin_user)
    response = post(client, reverse("targets-add"), {"name": "web-added", "dsn": target_db.dsn(), "tags": "prod, eu"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="target.add")
    assert event.actor == admin_user and event.target_name == "web-added"
    assert event.remote_addr == "127.0.0.1"
    page = client.get(reverse("audit-log")).content.decode()
    assert "web-added" in page and "target.add" in page
    assert "monitor-secret-1" not in page


def test_it_explains_a_failed_web_add_and_saves_nothing(admin_user: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(admin_user)
    response = post(client, reverse("targets-add"), {"name": "bad", "dsn": "postgresql://u:topsecret@127.0.0.1:1/db"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "unreachable" in text and "nothing was saved" in text and "topsecret" not in text
    assert not AuditEvent.objects.exclude(action__startswith="login.").exists()
