"""Maintenance from history: vacuum/analyze recency per table, what ran within the range, dead tuples,
xid/mxid age against autovacuum_freeze_max_age — next to the live autovacuum progress."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from monitoring.history.selectors.database import database_latest
from tests.monitoring.views.history_data import collect
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

# Session, user, groups, the target, two relations samples, the freeze settings, the table names.
HISTORY_QUERIES = 8


def _plant(db: TargetDb, tables: int = 2) -> None:
    with db.connect() as conn:
        for i in range(tables):
            conn.execute(f"CREATE TABLE shelf_{i} (id int PRIMARY KEY, qty int) WITH (autovacuum_enabled = off)")
            conn.execute(f"INSERT INTO shelf_{i} SELECT g, g % 7 FROM generate_series(1, 2000) g")


def _row(body: str, table: str) -> str:
    match = re.search(rf'<tr data-table="{table}">.*?</tr>', body, re.S)
    assert match, f"no row for {table}"
    return match.group(0)


def _metric(row: str, name: str) -> str:
    found = re.search(rf'data-metric="{name}">([^<]*)<', row)
    assert found, name
    return found.group(1)


def test_it_shows_what_vacuum_and_analyze_did_within_the_range(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    _plant(target_db)
    target = target_db.make_target()
    collect(target, "relations", "settings")
    with target_db.connect() as conn:
        conn.execute("DELETE FROM shelf_0 WHERE id <= 500")
        conn.execute("VACUUM shelf_1")
        conn.execute("ANALYZE shelf_1")
    with target_db.connect() as conn:   # the deleting session has flushed its counts by now
        conn.execute("SELECT 1")
    collect(target, "relations")
    client = client_for(viewer)
    body = client.get(reverse("maintenance-history", args=[target.name]), {"range": "1h"}).content.decode()

    vacuumed, dirty = _row(body, "public.shelf_1"), _row(body, "public.shelf_0")
    assert _metric(vacuumed, "vacuums_in_range") == "1" and _metric(vacuumed, "analyzes_in_range") == "1"
    assert "manual" in vacuumed and "never" not in vacuumed.split("</td>")[1]   # last vacuum: just now, manual
    assert _metric(dirty, "vacuums_in_range") == "0" and _metric(dirty, "n_dead_tup") == "500"
    assert "never" in dirty.split("</td>")[1]                                   # never vacuumed
    assert "autovacuum_freeze_max_age 200,000,000" in body
    # Rows sort by dead share by default: the table with 500 dead tuples first.
    assert body.index('data-table="public.shelf_0"') < body.index('data-table="public.shelf_1"')
    sorted_by_name = client.get(reverse("maintenance-history", args=[target.name]),
                                {"range": "1h", "history-sort": "relation"}).content.decode()
    assert sorted_by_name.index('data-table="public.shelf_0"') < sorted_by_name.index('data-table="public.shelf_1"')
    filtered = client.get(reverse("maintenance-history", args=[target.name]),
                          {"range": "1h", "history-q": "shelf_1"}).content.decode()
    assert 'data-table="public.shelf_1"' in filtered and 'data-table="public.shelf_0"' not in filtered


def test_it_single_sample_shows_recency_but_no_counts_in_range(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    _plant(target_db, tables=1)
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("maintenance-history", args=[target.name])
    assert "No relations history yet" in client.get(url).content.decode()
    collect(target, "relations")
    body = client.get(url, {"range": "1h"}).content.decode()
    row = _row(body, "public.shelf_0")
    assert _metric(row, "vacuums_in_range") == "—" and "Only one sample in this range" in body


def test_it_history_costs_the_same_for_two_or_twenty_tables_and_exports_as_csv(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    _plant(target_db, tables=2)
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("maintenance-history", args=[target.name])
    collect(target, "relations")
    collect(target, "relations")
    with django_assert_max_num_queries(HISTORY_QUERIES):
        assert client.get(url).content.decode().count("<tr data-table=") == 2
    with target_db.connect() as conn:
        for i in range(2, 20):
            conn.execute(f"CREATE TABLE shelf_{i} (id int)")
    collect(target, "relations")
    with django_assert_max_num_queries(HISTORY_QUERIES):
        assert client.get(url).content.decode().count("<tr data-table=") == 20
    # The CSV link inside the lazily loaded table points at the page; the page hands it over.
    exported = client.get(reverse("maintenance", args=[target.name]), {"csv": "history", "history-q": "shelf_1"})
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0][:3] == ["Table", "Last vacuum", "Last analyze"]
    assert sorted(r[0] for r in rows[1:]) == ["public.shelf_1", *(f"public.shelf_{i}" for i in range(10, 20))]


def test_it_page_loads_the_history_lazily_with_its_parameters_and_charts_the_ages(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    page = client.get(reverse("maintenance", args=[target.name]), {"range": "7d", "history-sort": "xid_age"})
    body = page.content.decode()
    history = reverse("maintenance-history", args=[target.name])
    assert f'hx-get="{history}?range=7d&amp;history-sort=xid_age"' in body
    assert 'id="vacuum-workers"' in body and 'aria-label="Time range"' in body
    chart = reverse("chart", args=[target.name, "maintenance-ages"])
    assert f'hx-get="{chart}?range=7d"' in body

    collect(target, "database", "settings")
    collect(target, "database")
    figure = client.get(chart, {"range": "1h"}).json()
    latest = database_latest(target.pk)
    assert latest is not None
    traces = {t["name"]: t for t in figure["data"]}
    assert traces["XID age"]["y"][-1] == pytest.approx(100 * latest["xid_age"] / 200_000_000, abs=0.001)
    assert traces["MXID age"]["y"][-1] == pytest.approx(100 * latest["mxid_age"] / 400_000_000, abs=0.001)
    assert figure["layout"]["shapes"][0]["y0"] == 100    # the forced-vacuum line
