"""The frame around every target page: fleet, switcher, nav and time range as permalinks."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.support.targets import MONITOR_PASSWORD, TargetDb

pytestmark = pytest.mark.django_db


def test_it_fleet_lists_every_target_once_with_room_for_collector_health(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    first = target_db.make_target("orders-db", tags=["prod", "eu"])
    second = target_db.make_target("billing-db", enabled=False)
    client = client_for(viewer)
    # session, user, groups, targets, collector statuses, health inputs; the headline's lock incidents,
    # open advisor findings and last advisor runs: none per row
    with django_assert_max_num_queries(9):
        body = client.get(reverse("fleet")).content.decode()
    assert body.count('data-target="orders-db"') == 1 and body.count('data-target="billing-db"') == 1
    assert body.index('data-target="billing-db"') < body.index('data-target="orders-db"')  # sorted by name
    assert "not collected yet" in body and ">Health<" in body and ">Last collection<" in body
    assert MONITOR_PASSWORD not in body
    filtered = client.get(reverse("fleet"), {"q": "prod"}).content.decode()
    assert 'data-target="orders-db"' in filtered and 'data-target="billing-db"' not in filtered
    exported = client.get(reverse("fleet"), {"csv": "1", "enabled": "disabled"}).content.decode()
    rows = list(csv.reader(io.StringIO(exported)))
    assert [r[0] for r in rows[1:]] == [second.name]
    assert first.address in client.get(reverse("fleet"), {"csv": "1"}).content.decode()


def test_it_nav_links_carry_the_time_range_along(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    body = client_for(viewer).get(reverse("activity", args=[target.name]), {"range": "7d"}).content.decode()
    for page in ("overview", "locks", "connections", "maintenance", "explain"):
        assert f'href="{reverse(page, args=[target.name])}?range=7d"' in body


def test_it_range_picker_shows_where_the_range_matters_and_marks_the_choice(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    connections = client.get(reverse("connections", args=[target.name]), {"range": "6h"}).content.decode()
    activity = client.get(reverse("activity", args=[target.name]), {"range": "6h"}).content.decode()
    assert 'aria-label="Time range"' in connections
    assert 'href="?range=6h" class="active" aria-current="true"' in connections
    assert 'aria-label="Time range"' not in activity  # live-only page: a picker would change nothing
    assert "permalink" in connections


def test_it_bad_range_in_a_link_is_named_and_the_default_shown(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    response = client_for(viewer).get(reverse("connections", args=[target.name]),
                                      {"from": "2025-13-40T99:00"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Time range ignored: &#x27;from&#x27; is not a date and time" in body
    assert "Showing the last 24h" in body


def test_it_switcher_opens_the_same_page_of_another_target_keeping_the_range(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target_db.make_target("one")
    other = target_db.make_target("two")
    response = client_for(viewer).get(reverse("switch-target"), {"target": other.name, "page": "locks",
                                                                 "range": "6h"})
    assert response.status_code == 302
    assert response["Location"] == reverse("locks", args=[other.name]) + "?range=6h"
    unknown_page = client_for(viewer).get(reverse("switch-target"), {"target": other.name, "page": "admin"})
    assert unknown_page["Location"] == reverse("overview", args=[other.name])
    assert client_for(viewer).get(reverse("switch-target"), {"target": "ghost"}).status_code == 404
