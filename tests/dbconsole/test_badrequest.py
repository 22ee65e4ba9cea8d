"""Unusable parameters through the whole stack: a NUL anywhere is a 400 naming the parameter (the Django
admin's filters included), a hard parameter's error is the 400 page (JSON for a chart), a soft one's is a
note on a page that still renders, and a huge number in a path is no such page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dbconsole.embedded.pgcluster import free_port
from monitoring.models import Target
from tests.support.web import post

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _nowhere() -> Target:
    """A target that is never contacted: history pages and charts read only the history store."""
    target = Target(name="nowhere", host="127.0.0.1", port=free_port(), dbname="x", username="u", sslmode="disable")
    target.set_password("pw")
    target.save()
    return target


def test_it_refuses_a_nul_in_any_query_parameter_naming_it(viewer: User, client_for: ClientFor) -> None:
    response = client_for(viewer).get("/audit/?action=target.&target=a%00b")
    body = response.content.decode()
    assert response.status_code == 400
    assert "The parameter <code>target</code> contains a NUL character" in body
    assert 'href="/audit/?action=target."' in body          # the way on, without it


def test_it_refuses_a_nul_in_the_admin_s_changelist_filters(admin_user: User, client_for: ClientFor) -> None:
    client = client_for(admin_user)
    assert client.get("/admin/dbconsole/auditevent/", {"action": "target.add"}).status_code == 200
    for query in ("action=%00", "q=x%00y", "action%00=1"):
        response = client.get(f"/admin/dbconsole/auditevent/?{query}")
        assert response.status_code == 400, query


def test_it_refuses_a_nul_in_a_posted_field(viewer: User, client_for: ClientFor) -> None:
    response = post(client_for(viewer), reverse("advisor-lint"), {"sql": "SELECT 1;\x00"})
    assert response.status_code == 400 and "<code>sql</code> contains a NUL" in response.content.decode()


def test_it_sends_strangers_to_the_login_page_first(db: Any) -> None:
    response = Client().get("/audit/?target=%00")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_renders_the_page_and_says_what_a_soft_parameter_ignored(viewer: User, client_for: ClientFor) -> None:
    response = client_for(viewer).get(reverse("audit-log"), {"page": "²"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-param-error="page"' in body and "must be a whole number from 1 to 1000000" in body
    assert "it was ignored" in body


def test_it_keeps_what_was_typed_in_a_filter(viewer: User, client_for: ClientFor) -> None:
    _nowhere()
    long = "nowhere " * 40
    body = client_for(viewer).get(reverse("fleet"), {"q": long}).content.decode()
    assert "was cut to 200 characters; the usable part was kept" in body
    assert f'<input type="search" name="q" value="{long[:200].strip()}"' in body
    assert "No target matches the filter." in body       # and it filters with what was kept


def test_it_answers_a_hard_parameter_s_error_with_the_400_page(viewer: User, client_for: ClientFor) -> None:
    _nowhere()
    response = client_for(viewer).get(reverse("switch-target"), {"target": "no such/target", "range": "6h"})
    body = response.content.decode()
    assert response.status_code == 400 and "<code>target</code> must match" in body
    assert 'href="/targets/switch/?range=6h"' in body


def test_it_answers_a_chart_s_bad_parameter_in_json(viewer: User, client_for: ClientFor) -> None:
    target = _nowhere()
    response = client_for(viewer).get(reverse("chart", args=[target.name, "statement-calls"]), {"seq": "²"})
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "bad_parameter"
    assert response.json()["error"]["message"].startswith("seq: must be a whole number")


def test_it_finds_no_page_for_a_path_number_no_column_can_hold(viewer: User, client_for: ClientFor) -> None:
    target = _nowhere()
    client = client_for(viewer)
    for url in (f"/t/{target.name}/queries/99999999999999999999/", f"/t/{target.name}/queries/2147483648/",
                f"/t/{target.name}/locks/incidents/9223372036854775808/",
                f"/t/{target.name}/advisor/99999999999999999999999/"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/t/{target.name}/queries/2147483647/").status_code == 404   # fits, names nothing


def test_it_leaves_rest_framework_views_to_their_own_layer() -> None:
    """The API validates its input itself and answers in its own JSON shape; the belt must not answer
    for it (REST framework marks its views with ``cls``)."""
    from django.test import RequestFactory

    from dbconsole.badrequest import BadRequestMiddleware

    def api_view(request: Any) -> Any:
        raise AssertionError("not called here")

    api_view.cls = object  # type: ignore[attr-defined]
    middleware = BadRequestMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().get("/api/v1/targets/", {"q": "a\x00b"})
    assert middleware.process_view(request, api_view, (), {}) is None
    assert middleware.process_view(request, lambda r: None, (), {}).status_code == 400  # type: ignore[union-attr]
