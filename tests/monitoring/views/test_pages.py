"""Every page of a target renders for a viewer, against real PostgreSQL 15 and 18, in a bounded number
of history-store queries, and never shows the target's password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.support.targets import MONITOR_PASSWORD, TargetDb

pytestmark = pytest.mark.django_db

# Session, user, the user's groups, the target, the switcher's target list, the history's start.
MAX_HISTORY_QUERIES = 7
PAGES = ["overview", "activity", "locks", "connections", "maintenance", "explain"]


def test_it_renders_each_target_page_for_a_viewer(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
    django_assert_max_num_queries: Any,
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    for page in PAGES:
        with django_assert_max_num_queries(MAX_HISTORY_QUERIES):
            response = client.get(reverse(page, args=[target.name]))
        assert response.status_code == 200, page
        body = response.content.decode()
        assert MONITOR_PASSWORD not in body
        assert 'class="active" aria-current="page"' in body  # the nav marks where we are
        assert f'<option value="{target.name}" selected>' in body  # the switcher knows the target
        assert 'role="alert" data-status' not in body, page  # the target answered


def test_it_requires_login_for_every_page(target_db: TargetDb, db: Any) -> None:
    target = target_db.make_target()
    client = Client()
    for page in PAGES:
        response = client.get(reverse(page, args=[target.name]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_shows_live_numbers_on_the_overview(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    body = client_for(viewer).get(reverse("overview", args=[target.name])).content.decode()
    assert 'data-metric="connections">' in body
    assert " / 200</dd>" in body  # max_connections of the test clusters
    assert f"PostgreSQL {target_db.major}." in body
    assert 'hx-get="' + reverse("overview-now", args=[target.name]) + '"' in body


def test_it_answers_the_now_panel_alone_for_its_poller(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    response = client_for(viewer).get(reverse("overview-now", args=[target.name]),
                                      HTTP_HX_REQUEST="true", HTTP_HX_TARGET="now")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-metric="connections">' in body
    assert "<html" not in body


def test_it_shows_an_unreachable_target_as_a_panel_and_stops_polling_on_a_bad_password(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    target.set_password("not-the-password")
    target.save()
    client = client_for(viewer)
    page = client.get(reverse("activity", args=[target.name]))
    assert page.status_code == 200
    assert 'data-status="auth_failed"' in page.content.decode()
    assert "not-the-password" not in page.content.decode()
    poll = client.get(reverse("activity", args=[target.name]), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="activity-live")
    assert poll.status_code == 286  # htmx stops polling: retrying cannot fix a password
    assert "Auto-refresh stopped" in poll.content.decode()


def test_it_keeps_polling_when_the_target_is_merely_down(
    db: Any, viewer: User, client_for: Callable[[User], Client],
) -> None:
    from dbconsole.embedded.pgcluster import free_port
    from monitoring.models import Target

    target = Target(name="nowhere", host="127.0.0.1", port=free_port(), dbname="x", username="u", sslmode="disable")
    target.set_password("pw-never-shown")
    target.save()
    poll = client_for(viewer).get(reverse("locks", args=[target.name]), HTTP_HX_REQUEST="true",
                                  HTTP_HX_TARGET="locks-live")
    assert poll.status_code == 200  # a server coming back is worth asking again
    assert 'data-status="unreachable"' in poll.content.decode()


def test_it_returns_404_for_an_unknown_target(viewer: User, client_for: Callable[[User], Client]) -> None:
    assert client_for(viewer).get(reverse("activity", args=["no-such-target"])).status_code == 404
