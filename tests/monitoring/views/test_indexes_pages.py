"""The indexes page against real PostgreSQL 15 and 18: an unused, a duplicate, a redundant and an invalid
index planted on the target, collected by the real relations collector, flagged on the page."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.collectors.runner import run
from monitoring.models import Relation, Target
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


def plant_indexes(db: TargetDb) -> None:
    """orders: a primary key with a plain copy (duplicate), a (customer) index covered by
    (customer, status) (redundant), an unscanned index on status, a used index on placed_at, and a
    unique constraint nobody reads. emails: the leftover of a failed CREATE UNIQUE INDEX CONCURRENTLY."""
    with db.connect() as conn:
        conn.execute("CREATE TABLE orders (id int PRIMARY KEY, customer int, status text, placed_at int, "
                     "ref text CONSTRAINT orders_ref_key UNIQUE)")
        conn.execute("INSERT INTO orders SELECT g, g % 300, CASE WHEN g % 9 = 0 THEN 'open' ELSE 'done' END, g, "
                     "'r' || g FROM generate_series(1, 5000) g")
        conn.execute("CREATE INDEX orders_id_plain ON orders (id)")
        conn.execute("CREATE INDEX orders_customer ON orders (customer)")
        conn.execute("CREATE INDEX orders_customer_status ON orders (customer, status)")
        conn.execute("CREATE INDEX orders_status ON orders (status)")
        conn.execute("CREATE INDEX orders_placed ON orders (placed_at)")
        conn.execute("CREATE TABLE emails (id int, email text)")
        conn.execute("INSERT INTO emails VALUES (1, 'ann@example.com'), (2, 'ann@example.com')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY emails_email ON emails (email)")
        conn.execute("ANALYZE")


def scan_placed_at(db: TargetDb, times: int = 3) -> None:
    """Index scans on orders_placed only (the one index on placed_at); closing the session flushes
    its statistics."""
    with db.connect() as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        for n in range(times):
            conn.execute("SELECT id FROM orders WHERE placed_at = %s", (100 + n,)).fetchall()


def collected_target(db: TargetDb) -> Target:
    plant_indexes(db)
    target = db.make_target()
    assert run(target, "relations").ok
    scan_placed_at(db)
    assert run(target, "relations").ok
    return target


def rows_of(body: str) -> dict[str, str]:
    """index name → its data-flags attribute, in page order."""
    return dict(re.findall(r'<tr data-index="([^"]+)" data-flags="([^"]*)"', body))


def test_it_flags_unused_duplicate_redundant_and_invalid_indexes(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = collected_target(target_db)
    response = client_for(viewer).get(reverse("indexes", args=[target.name]), {"range": "1h"})
    assert response.status_code == 200
    body = response.content.decode()
    flags = rows_of(body)

    assert flags["public.emails_email"].startswith("invalid")
    assert "drop candidate" not in flags["public.emails_email"]   # invalid: its own flag, its own fix
    assert "duplicate" in flags["public.orders_id_plain"] and "drop candidate" in flags["public.orders_id_plain"]
    # The primary key is the other half of that duplicate: flagged, never a drop candidate.
    assert "duplicate" in flags["public.orders_pkey"] and "drop candidate" not in flags["public.orders_pkey"]
    assert "redundant" in flags["public.orders_customer"] and "drop candidate" in flags["public.orders_customer"]
    assert "redundant" not in flags["public.orders_customer_status"]
    assert "unused" in flags["public.orders_status"] and "drop candidate" in flags["public.orders_status"]
    # A unique constraint nobody reads is unused — and still not droppable: it enforces something.
    assert "unused" in flags["public.orders_ref_key"] and "drop candidate" not in flags["public.orders_ref_key"]
    assert flags["public.orders_placed"] == ""
    assert "redundant: prefix of orders_customer_status" in body
    assert "keep: primary key" in body
    assert "unknown unless they are dbconsole targets too" in body


def test_it_counts_scans_over_the_range_and_says_when_an_index_was_last_used(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = collected_target(target_db)
    client = client_for(viewer)
    response = client.get(reverse("indexes", args=[target.name]), {"range": "1h", "csv": "1"})
    table = {r["Index"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}

    assert int(table["public.orders_placed"]["Scans in range"]) == 3
    assert table["public.orders_status"]["Scans in range"] == "0"
    assert int(table["public.orders_placed"]["Scans since stats reset"]) >= 3
    body = client.get(reverse("indexes", args=[target.name]), {"range": "1h", "q": "orders_placed"}).content.decode()
    if target_db.major >= 16:
        assert table["public.orders_placed"]["Last used"] != ""   # last_idx_scan
        assert "never, since the statistics were reset" in body or "ago" in body
    else:
        # No last_idx_scan: the history says in which sample the scan count grew (the second one).
        assert table["public.orders_placed"]["Last used"] != ""
        assert "last seen scanning between" in body
        status = client.get(reverse("indexes", args=[target.name]),
                            {"range": "1h", "q": "orders_status"}).content.decode()
        assert "not seen scanning since" in status


def test_it_sorts_filters_and_exports_csv(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = collected_target(target_db)
    client = client_for(viewer)
    url = reverse("indexes", args=[target.name])

    by_name = list(rows_of(client.get(url, {"sort": "name"}).content.decode()))
    assert by_name == sorted(by_name)
    by_size = list(rows_of(client.get(url, {"sort": "-bytes"}).content.decode()))
    exported = client.get(url, {"sort": "-bytes", "csv": "1"}).content.decode()
    exported_by_size = list(csv.DictReader(io.StringIO(exported)))
    assert by_size == [r["Index"] for r in exported_by_size]
    sizes = [int(r["Size"]) for r in exported_by_size]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1]
    ascending = list(rows_of(client.get(url, {"sort": "bytes"}).content.decode()))
    assert ascending[0] == by_size[-1] or sizes.count(sizes[-1]) > 1

    assert list(rows_of(client.get(url, {"flag": "invalid"}).content.decode())) == ["public.emails_email"]
    duplicates = set(rows_of(client.get(url, {"flag": "duplicate"}).content.decode()))
    assert duplicates == {"public.orders_id_plain", "public.orders_pkey", "public.orders_customer"}
    assert set(rows_of(client.get(url, {"q": "customer"}).content.decode())) == {
        "public.orders_customer", "public.orders_customer_status"}
    assert set(rows_of(client.get(url, {"table": "public.emails"}).content.decode())) == {"public.emails_email"}

    drops = client.get(url, {"flag": "drop", "csv": "1", "sort": "name"})
    assert drops["Content-Type"].startswith("text/csv")
    reader = list(csv.reader(io.StringIO(drops.content.decode())))
    assert reader[0][:4] == ["Index", "Table", "Size", "Scans in range"]
    assert [r[0] for r in reader[1:]] == ["public.orders_customer", "public.orders_customer_status",
                                          "public.orders_id_plain", "public.orders_status"]
    assert all(r[2].isdigit() for r in reader[1:])   # raw bytes, not "16.0 KB"


def test_it_draws_the_scans_of_one_index_on_demand(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = collected_target(target_db)
    client = client_for(viewer)
    placed = Relation.objects.get(target=target, name="orders_placed")
    fragment = client.get(reverse("indexes", args=[target.name]), {"range": "1h", "chart": str(placed.seq)},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="index-chart")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert f'data-seq="{placed.seq}"' in body and "Scans of public.orders_placed" in body

    chart_url = reverse("chart", args=[target.name, "index-scans"])
    figure = json.loads(client.get(chart_url, {"range": "1h", "seq": str(placed.seq)}).content)
    assert sum(figure["data"][0]["y"]) == 3 and figure["data"][0]["type"] == "bar"
    assert client.get(chart_url, {"range": "1h", "seq": "999999"}).status_code == 404
    table = Relation.objects.get(target=target, name="orders")
    assert client.get(chart_url, {"range": "1h", "seq": str(table.seq)}).status_code == 404


def test_it_requires_login_and_keeps_its_queries_flat_as_indexes_grow(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = collected_target(target_db)
    url = reverse("indexes", args=[target.name])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))

    client = client_for(viewer)
    client.get(url)   # the session and the user's roles, cached after the first request
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with target_db.connect() as conn:
        for i in range(15):
            conn.execute(f"CREATE TABLE extra_{i} (id int PRIMARY KEY, a int, b int)")
            conn.execute(f"CREATE INDEX extra_{i}_a ON extra_{i} (a)")
            conn.execute(f"CREATE INDEX extra_{i}_ab ON extra_{i} (a, b)")
    assert run(target, "relations").ok
    assert run(target, "relations").ok
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert len(rows_of(body)) >= 45 + 8
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"][:80] for q in many.captured_queries]
    assert len(few.captured_queries) <= 12


def test_it_explains_an_empty_history(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    client.get(reverse("fleet"))   # the session and the user's roles, cached after the first request
    with django_assert_max_num_queries(8):
        body = client.get(reverse("indexes", args=[target.name])).content.decode()
    assert "No relations collection yet" in body
