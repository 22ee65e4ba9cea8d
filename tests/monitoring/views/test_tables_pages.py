"""The tables/space page against real PostgreSQL 15 and 18: sizes with TOAST, growth between two real
relations collections, dead tuples after updates, estimated and exact bloat after deletes."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.collectors.runner import run
from monitoring.models import Target
from tests.support.targets import MONITOR_ROLE, TargetDb

pytestmark = pytest.mark.django_db


def plant_tables(db: TargetDb) -> None:
    """docs: values stored out of line (TOAST); swollen: 70% deleted and vacuumed (bloat); churned:
    every row updated twice with autovacuum off (dead tuples); tiny: almost nothing."""
    with db.connect() as conn:
        conn.execute("CREATE TABLE docs (id int PRIMARY KEY, body text)")
        conn.execute("ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL")
        conn.execute("INSERT INTO docs SELECT g, repeat('x', 4000) FROM generate_series(1, 300) g")
        conn.execute("CREATE TABLE swollen (id int PRIMARY KEY, payload text, n int)")
        conn.execute("INSERT INTO swollen SELECT g, md5(g::text) || md5((g * 7)::text), g % 100 "
                     "FROM generate_series(1, 40000) g")
        conn.execute("DELETE FROM swollen WHERE id % 10 < 7")
        conn.execute("VACUUM swollen")
        conn.execute("CREATE TABLE churned (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = off)")
        conn.execute("INSERT INTO churned SELECT g, 0 FROM generate_series(1, 5000) g")
        conn.execute("UPDATE churned SET v = v + 1")
        conn.execute("UPDATE churned SET v = v + 1")
        conn.execute("CREATE TABLE tiny (id int)")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {MONITOR_ROLE}")
    with db.connect() as conn:   # after the writing session flushed its counts
        # Sizes are pg_class.relpages (read without a lock): VACUUM keeps them current, TOAST's too.
        conn.execute("VACUUM (ANALYZE) docs")
        conn.execute("ANALYZE")


def collected_target(db: TargetDb) -> Target:
    plant_tables(db)
    target = db.make_target()
    assert run(target, "relations").ok
    with db.connect() as conn:   # grows between the two samples
        conn.execute("INSERT INTO docs SELECT g, repeat('y', 4000) FROM generate_series(301, 600) g")
        conn.execute("VACUUM (ANALYZE) docs")
    assert run(target, "relations").ok
    assert run(target, "bloat").ok
    return target


def exported(client: Client, url: str, **params: str) -> list[dict[str, str]]:
    response = client.get(url, {**params, "csv": "1"})
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_it_shows_sizes_growth_dead_tuples_and_bloat(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = collected_target(target_db)
    client = client_for(viewer)
    url = reverse("tables", args=[target.name])
    body = client.get(url).content.decode()
    rows = {r["Table"]: r for r in exported(client, url)}

    docs, swollen, churned = rows["public.docs"], rows["public.swollen"], rows["public.churned"]
    assert int(docs["TOAST"]) > 600 * 4000 * 0.9   # 600 values of 4,000 bytes, stored out of line
    assert int(docs["Total"]) == int(docs["Heap"]) + int(docs["TOAST"]) + int(docs["Indexes"])
    assert int(docs["Growth 7 d"]) > 300 * 4000 * 0.9 and docs["Growth 7 d"] == docs["Growth 30 d"]
    assert int(rows["public.tiny"]["Growth 7 d"]) == 0
    assert int(churned["Dead tuples"]) >= 10_000 and int(churned["Live tuples"]) == 5000
    assert float(churned["Dead %"]) == pytest.approx(10_000 / 15_000, abs=0.02)
    assert int(swollen["Bloat (estimated)"]) > 0.5 * int(swollen["Heap"])
    assert int(swollen["Bloat (pgstattuple)"]) > 0.5 * int(swollen["Heap"])   # measured, not guessed
    assert float(swollen["Bloat % of heap"]) > 0.5

    assert re.search(r'data-table="public.docs">.*?data-growth="7d">\+\d', body, re.S)
    assert "the history goes back only to" in body   # two samples minutes apart, not 7 days
    assert 'id="chart-largest-tables"' in body


def test_it_sorts_filters_and_charts_the_largest_tables(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = collected_target(target_db)
    client = client_for(viewer)
    url = reverse("tables", args=[target.name])

    totals = [int(r["Total"]) for r in exported(client, url)]
    assert totals == sorted(totals, reverse=True)
    by_dead = [int(r["Dead tuples"]) for r in exported(client, url, sort="-n_dead_tup")]
    assert by_dead == sorted(by_dead, reverse=True) and by_dead[0] >= 10_000
    by_name = re.findall(r'<tr data-table="([^"]+)"', client.get(url, {"sort": "name"}).content.decode())
    assert by_name == sorted(by_name) and len(by_name) == 4
    filtered = re.findall(r'<tr data-table="([^"]+)"', client.get(url, {"q": "swol"}).content.decode())
    assert filtered == ["public.swollen"]

    figure = json.loads(client.get(reverse("chart", args=[target.name, "largest-tables"]), {"range": "1h"}).content)
    lines = {t["name"]: t for t in figure["data"]}
    assert set(lines) == {"public.docs", "public.swollen", "public.churned", "public.tiny"}
    docs = lines["public.docs"]["y"]
    assert len(docs) == 2 and docs[1] > docs[0]   # the two samples, before and after the insert
    assert figure["layout"]["xaxis"]["range"][0] < figure["layout"]["xaxis"]["range"][1]


def test_it_requires_login_and_keeps_its_queries_flat_as_tables_grow(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = collected_target(target_db)
    url = reverse("tables", args=[target.name])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))

    client = client_for(viewer)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with target_db.connect() as conn:
        for i in range(20):
            conn.execute(f"CREATE TABLE extra_{i} (id int PRIMARY KEY, v text)")
    assert run(target, "relations").ok
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert len(re.findall(r"<tr data-table=", body)) == 24
    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_explains_an_empty_history(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    body = client.get(reverse("tables", args=[target.name])).content.decode()
    assert "No relations collection yet" in body
    figure = json.loads(client.get(reverse("chart", args=[target.name, "largest-tables"])).content)
    assert figure["data"] == [] and "no relations collection yet" in figure["layout"]["annotations"][0]["text"]


def test_it_lists_sequences_fullest_first_and_the_unreadable_ones_as_unknown(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE badges (id smallserial PRIMARY KEY)")
        conn.execute("SELECT setval('badges_id_seq', 31129)")                     # 95 % of smallint
        conn.execute("CREATE TABLE roomy (id bigserial PRIMARY KEY)")
        conn.execute(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {MONITOR_ROLE}")
        conn.execute("CREATE SCHEMA vault")
        conn.execute("CREATE TABLE vault.secrets (id serial PRIMARY KEY)")          # not granted
    target = target_db.make_target()
    assert run(target, "sequences").status == "partial"
    body = client_for(viewer).get(reverse("tables", args=[target.name])).content.decode()
    section = body[body.index('id="sequences"'):]
    rows = re.findall(r'<tr data-sequence="([^"]+)" data-status="(\w+)">', section)
    assert rows == [("public.badges_id_seq", "critical"), ("public.roomy_id_seq", "ok"),
                    ("vault.secrets_id_seq", "unknown")]
    assert "95.0 %" in section and "not readable" in section and "public.badges.id" in section
