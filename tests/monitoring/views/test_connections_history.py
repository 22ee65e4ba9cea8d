"""Connections over the range from the activity history, against max_connections, by state or by
database / user / application / client (switchable without reading the target again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from monitoring.history.selectors.activity import activity_latest
from tests.monitoring.views.history_data import collect, lock_incident
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

SWITCH: dict[str, Any] = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "connections-history"}


def _traces(figure: dict[str, Any]) -> dict[str, list[float]]:
    return {t["name"]: t["y"] for t in figure["data"]}


def test_it_charts_stored_connections_by_state_and_by_each_dimension_against_max_connections(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    target = target_db.make_target()
    collect(target, "activity")
    lock_incident(target_db, target, samples=1, waiters=2, also=("activity", "activity"))
    collect(target, "activity")
    latest = activity_latest(target.pk)
    assert latest is not None
    client = client_for(viewer)
    url = reverse("chart", args=[target.name, "connections-history"])

    with django_assert_max_num_queries(8):   # session, user, groups, target, history start, series, events (2)
        by_state = client.get(url, {"range": "1h"}).json()
    traces = _traces(by_state)
    assert len(traces["active"]) == 4                     # one point per stored sample
    assert max(traces["idle in transaction"]) == 1       # the chain's holder, while it held
    assert max(traces["active"]) >= 2                    # its two waiters
    assert traces["idle in transaction"][-1] == 0        # and nothing once it was over
    assert by_state["layout"]["shapes"][0]["y0"] == 200 and by_state["layout"]["yaxis"]["range"][1] >= 200
    assert any(s.get("name") == "lock_incident" for s in by_state["layout"]["shapes"])   # marked

    by_app = _traces(client.get(url, {"range": "1h", "by": "application"}).json())
    assert max(by_app["chain-holder"]) == 1 and max(by_app["chain-waiter-2"]) == 1
    by_db = _traces(client.get(url, {"range": "1h", "by": "database"}).json())
    assert max(by_db[target_db.dbname]) >= 3
    assert by_db[target_db.dbname][-1] == latest.values["by_database"].get(target_db.dbname, 0)
    by_user = _traces(client.get(url, {"range": "1h", "by": "user"}).json())
    assert max(by_user[target_db.cluster.superuser]) >= 3
    nonsense = _traces(client.get(url, {"range": "1h", "by": "shoe-size"}).json())
    assert set(nonsense) == set(traces)                  # an unknown breakdown falls back to state

    # Six hours and more are drawn from hourly rollups, then the raw samples after the last one.
    day = _traces(client.get(url, {"range": "24h"}).json())
    assert day["idle in transaction"] == traces["idle in transaction"]


def test_it_breakdown_switch_swaps_only_the_history_card(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    page_url = reverse("connections", args=[target.name])
    chart_url = reverse("chart", args=[target.name, "connections-history"])
    page = client.get(page_url, {"range": "6h"}).content.decode()
    assert 'id="connections-live"' in page and 'id="connections-history" data-by="state"' in page
    assert f'hx-get="{chart_url}?range=6h&amp;by=state"' in page
    assert 'href="?range=6h&amp;by=database" hx-get="?range=6h&amp;by=database"' in page

    with django_assert_max_num_queries(6):    # no live read: session, user, groups, target, switcher list
        card = client.get(page_url, {"range": "6h", "by": "database"}, **SWITCH).content.decode()
    assert card.lstrip().startswith('<section class="card" id="connections-history" data-by="database"')
    assert 'id="connections-live"' not in card and "<html" not in card
    assert f'hx-get="{chart_url}?range=6h&amp;by=database"' in card
    assert 'data-by="database" class="active" aria-current="true"' in card
    assert f'href="{chart_url}?range=6h&amp;by=database&amp;format=csv"' in card


def test_it_chart_follows_the_range_and_says_when_there_is_no_history(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("chart", args=[target.name, "connections-history"])
    nothing = client.get(url, {"range": "1h"}).json()
    assert nothing["data"] == [] and "no activity history" in nothing["layout"]["annotations"][0]["text"]
    collect(target, "activity")
    drawn = []
    for preset in ("1h", "7d"):
        figure = client.get(url, {"range": preset}).json()
        low, high = (dt.datetime.fromisoformat(v) for v in figure["layout"]["xaxis"]["range"])
        assert len(figure["data"][0]["x"]) == 1
        drawn.append(high - low)
    # The history is one sample old: either range is drawn from the minute it starts, not as an hour
    # or a week of nothing with a dot at the right edge.
    assert drawn[0] <= dt.timedelta(minutes=2) and drawn[1] <= dt.timedelta(minutes=2)
