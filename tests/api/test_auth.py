"""Who may call the API and how often: a bearer token (or a signed-in browser, whose writes need the CSRF
token), the web's roles, rate limits per token in Redis — and the answers never cached."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings

from tests.api.conftest import Api, token_for
from tests.support.targets import TargetDb
from tests.support.web import csrf_token

pytestmark = pytest.mark.django_db
ApiAs = Callable[[User | None], Api]
ClientFor = Callable[[User], Client]


def test_it_answers_401_with_www_authenticate_without_a_token(db: object) -> None:
    for path in ("/api/v1/", "/api/v1/targets/", "/api/v1/schema/", "/api/v1/audit/"):
        response = Client().get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == 'Bearer realm="dbconsole"'
        assert response.json()["error"]["code"] == "not_authenticated"
    basic = Client().get("/api/v1/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert basic.status_code == 401


def test_it_refuses_a_signed_in_user_without_a_role_with_a_json_403(db: object) -> None:
    lonely = User.objects.create_user("no-role", password="correct-horse-battery")
    client = Client()
    client.force_login(lonely)
    response = client.get("/api/v1/targets/")
    assert response.status_code == 403 and response.json()["error"]["message"] == "your account has no role"
    assert Api(token_for(lonely)).get("/api/v1/targets/").status_code == 403


def test_it_reads_with_a_session_and_writes_only_with_its_csrf_token(pg18_db: TargetDb, admin_user: User,
                                                                     client_for: ClientFor) -> None:
    target = pg18_db.make_target()
    client = client_for(admin_user)   # enforce_csrf_checks=True, as a browser
    assert client.get("/api/v1/targets/").status_code == 200
    url = f"/api/v1/targets/{target.name}/check/"
    refused = client.post(url, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    allowed = client.post(url, content_type="application/json", HTTP_X_CSRFTOKEN=csrf_token(client))
    assert allowed.status_code == 200
    # A bearer token needs no CSRF token: nothing a browser sends by itself can carry it.
    assert Api(token_for(admin_user)).post(url).status_code == 200


def test_it_never_lets_answers_be_cached(viewer: User, api_as: ApiAs) -> None:
    response = api_as(viewer).get("/api/v1/targets/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_it_limits_the_rate_per_token(pg18_db: TargetDb, viewer: User, admin_user: User) -> None:
    target = pg18_db.make_target()
    rates = {"api": "5/minute", "api_write": "2/minute"}
    first, second = Api(token_for(viewer)), Api(token_for(viewer))
    writer = Api(token_for(admin_user))
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        assert [first.get("/api/v1/").status_code for _ in range(5)] == [200] * 5
        limited = first.get("/api/v1/")
        assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(limited["Retry-After"]) <= 60
        assert second.get("/api/v1/").status_code == 200        # the other token has its own budget
        url = f"/api/v1/targets/{target.name}/check/"
        assert [writer.post(url).status_code for _ in range(3)] == [200, 200, 429]   # writes: a smaller budget
        assert writer.get("/api/v1/").status_code == 200                             # reads still have theirs


def test_it_serves_the_docs_page_to_signed_in_people_from_our_static_files(viewer: User,
                                                                           client_for: ClientFor) -> None:
    assert Client().get("/api/v1/docs/").status_code == 302                 # the login page first
    page = client_for(viewer).get("/api/v1/docs/")
    html = page.content.decode()
    assert page.status_code == 200 and "<script>" not in html and "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/api/docs.js" in html and 'data-schema-url="/api/v1/schema/"' in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert client_for(viewer).get("/static/api/docs.js").status_code == 200


def test_it_links_the_tokens_page_from_every_page_and_keeps_the_docs_for_people_with_a_role(
        viewer: User, client_for: ClientFor) -> None:
    page = client_for(viewer).get("/audit/").content.decode()
    assert '<a href="/account/tokens/">API tokens</a>' in page
    lonely = User.objects.create_user("no-role-docs")
    client = Client()
    client.force_login(lonely)
    assert client.get("/api/v1/docs/").status_code == 403
    assert client.get("/account/tokens/").status_code == 403    # the role middleware's page
