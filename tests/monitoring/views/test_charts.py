"""Charts: figure builders and markers, and the per-chart endpoints on live data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from monitoring.charts.figures import Limit, Series, bars, time_series
from monitoring.charts.markers import apply_markers
from monitoring.charts.response import figure_json
from monitoring.events import MARK_LOCK_INCIDENT, MARK_RESTART, MARK_SETTINGS_CHANGE, MARK_STATS_RESET, Marker
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)


def test_it_markers_become_a_line_and_a_hoverable_tag_inside_the_window_only() -> None:
    figure = time_series([Series("calls/s", [T0, T0 + dt.timedelta(minutes=5)], [1.0, 2.0])],
                         window=(T0, T0 + dt.timedelta(hours=1)))
    markers = [
        Marker(T0 + dt.timedelta(minutes=10), MARK_STATS_RESET, "pg_stat_statements_reset()"),
        Marker(T0 + dt.timedelta(minutes=20), MARK_RESTART),
        Marker(T0 + dt.timedelta(minutes=30), MARK_SETTINGS_CHANGE, "work_mem 4MB → 64MB"),
        Marker(T0 + dt.timedelta(minutes=40), MARK_LOCK_INCIDENT, "3 sessions blocked by 4711"),
        Marker(T0 - dt.timedelta(days=1), MARK_RESTART, "outside"),
    ]
    apply_markers(figure, markers, window=(T0, T0 + dt.timedelta(hours=1)))
    shapes, notes = figure["layout"]["shapes"], figure["layout"]["annotations"]
    assert [s["name"] for s in shapes] == [MARK_STATS_RESET, MARK_RESTART, MARK_SETTINGS_CHANGE, MARK_LOCK_INCIDENT]
    assert all(s["yref"] == "paper" and s["x0"] == s["x1"] for s in shapes)
    assert notes[2]["hovertext"].startswith("settings change: work_mem 4MB → 64MB")
    assert figure["layout"]["xaxis"]["range"] == [T0, T0 + dt.timedelta(hours=1)]
    with pytest.raises(ValueError, match="unknown marker kind"):
        Marker(T0, "eclipse")


def test_it_bars_keep_the_limit_in_view() -> None:
    figure = bars(["all", "app"], [Series("active", [], [3, 2]), Series("idle", [], [1, 0])],
                  limit=Limit(197, "usable slots"))
    assert figure["layout"]["xaxis"]["range"] == [0, pytest.approx(206.85)]
    assert [t["x"] for t in figure["data"]] == [[3, 2], [1, 0]]
    assert figure["layout"]["annotations"][0]["text"] == "usable slots 197"


def test_it_times_go_to_plotly_in_the_display_zone_without_an_offset(settings: object) -> None:
    settings.TIME_ZONE = "Europe/Berlin"  # type: ignore[attr-defined]
    text = figure_json({"data": [{"x": [T0]}]})
    assert json.loads(text)["data"][0]["x"] == ["2025-03-10 13:00:00.000"]



def test_it_connections_chart_counts_live_sessions_by_state(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    with blocking_chain(target_db, waiters=2):
        response = client_for(viewer).get(reverse("chart", args=[target.name, "connections-by-state"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    figure = response.json()
    traces = {t["name"]: t for t in figure["data"]}
    assert set(traces) == {"active", "idle", "idle in transaction", "other"}
    categories = traces["active"]["y"]
    assert categories[0] == "all databases" and target_db.dbname in categories
    in_db = categories.index(target_db.dbname)
    assert traces["idle in transaction"]["x"][in_db] == 1
    assert traces["active"]["x"][in_db] >= 2
    assert figure["layout"]["shapes"][0]["x0"] == 200 - 3  # usable = max_connections - reserved


def test_it_sessions_chart_follows_the_time_range_and_marks_the_server_start(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("chart", args=[target.name, "sessions-by-start"])
    with blocking_chain(target_db, waiters=1):
        recent = client.get(url, {"range": "1h"}).json()
        csv_body = client.get(url, {"range": "1h", "format": "csv"}).content.decode()
    assert sum(sum(t["y"]) for t in recent["data"]) >= 2
    start, end = recent["layout"]["xaxis"]["range"]
    assert (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)) == dt.timedelta(hours=1)
    # The test cluster started minutes ago: its start is inside the last hour and marked.
    assert any(s.get("name") == "restart" for s in recent["layout"].get("shapes", []))
    rows = list(csv.reader(io.StringIO(csv_body)))
    assert rows[0] == ["series", "x", "y"] and len(rows) > 1


def test_it_chart_of_an_unreachable_target_says_why_instead_of_failing_the_page(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    target.set_password("wrong-password-here")
    target.save()
    response = client_for(viewer).get(reverse("chart", args=[target.name, "connections-by-state"]))
    assert response.status_code == 503
    assert response.json()["error"]["status"] == "auth_failed"
    assert "wrong-password-here" not in response.content.decode()


def test_it_unknown_chart_is_404(target_db: TargetDb, viewer: User, client_for: Callable[[User], Client]) -> None:
    target = target_db.make_target()
    assert client_for(viewer).get(reverse("chart", args=[target.name, "nope"])).status_code == 404


def test_it_chart_placeholders_load_lazily_with_the_current_range(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    body = client_for(viewer).get(reverse("connections", args=[target.name]), {"range": "7d"}).content.decode()
    url = reverse("chart", args=[target.name, "sessions-by-start"])
    assert f'hx-get="{url}?range=7d"' in body
    assert 'hx-trigger="revealed, dbconsole:poll" data-poll="30"' in body
    assert f'href="{url}?range=7d&amp;format=csv"' in body  # the no-JS fallback: the data itself
