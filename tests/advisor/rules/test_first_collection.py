"""Advice from the first collection: a target added after its workload ran gets statement history and
index advice from its first statements collection — pg_stat_statements' cumulative counters, marked
"since stats reset" on the pages and in the advisor's evidence — and deltas from the second on.
PostgreSQL 15 with HypoPG: the advice is verified."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from advisor.review.run import run_advisor
from monitoring.models import Event, Statement
from monitoring.models import events as ev
from tests.advisor.planted_shop import collect, grant_reads
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

SCHEMA = """
CREATE TABLE invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL,
                       amount_cents int NOT NULL);
INSERT INTO invoices (customer_id, amount_cents) SELECT 1 + (g * 7919) % 5000, g % 9000
    FROM generate_series(1, 40000) g;
ANALYZE invoices;
"""
LOOKUP = "SELECT id, amount_cents FROM invoices WHERE customer_id = %s"


def lookups(db: TargetDb, n: int, offset: int = 0) -> None:
    with db.connect() as conn:
        for i in range(n):
            conn.execute(LOOKUP, (1 + (offset + i) * 37 % 5000,))


def calls_stored(target_id: int, seq: int) -> list[int]:
    """The lookup's calls in every stored statements sample, oldest first."""
    with connection.cursor() as cur:
        cur.execute("SELECT u.calls FROM monitoring_stmt_raw AS r, unnest(r.seqs, r.calls) AS u (seq, calls) "
                    "WHERE r.target_id = %s AND u.seq = %s ORDER BY r.captured_at", [target_id, seq])
        return [int(c) for (c,) in cur.fetchall()]


def test_it_advises_from_the_first_collection_and_marks_it(pg15_db: TargetDb, viewer: User,
                                                            client_for: Callable[[User], Client]) -> None:
    with pg15_db.connect() as conn:
        conn.execute(SCHEMA)
        grant_reads(conn)
    lookups(pg15_db, 40)            # the workload ran before dbconsole knew the database
    target = pg15_db.make_target()
    collect(target)                 # one collection of everything, nothing more
    event = Event.objects.get(target=target, kind=ev.STATEMENTS_CUMULATIVE)
    assert "cumulative since the stats reset" in event.message

    outcome = run_advisor(target, trigger="cli")
    (index,) = [r for r in outcome.recommendations if r.kind == "missing_index"]
    assert index.object_key.startswith("public.invoices (customer_id") and index.verified is True
    (lookup,) = [s for s in index.evidence["statements"] if "customer_id = $1" in s["query"]]
    assert lookup["calls"] == 40 and lookup["since_stats_reset"] is True
    assert any(c.startswith("Evidence from the first collection") for c in index.evidence["caveats"])
    cumulative = outcome.run.workload["since_stats_reset"]
    assert cumulative["since_what"] == "the stats reset" and cumulative["statements"] >= 1

    seq = Statement.objects.get(target=target, queryid=lookup["queryid"]).seq
    client = client_for(viewer)
    page = client.get(reverse("queries", args=[target.name]), {"range": "1h"}).content.decode()
    assert 'id="queries-cumulative"' in page
    assert f'<tr data-seq="{seq}">' in page and "since stats reset</span>" in page.split(f'data-seq="{seq}"')[1]
    detail = client.get(reverse("query-detail", args=[target.name, seq]), {"range": "1h"}).content.decode()
    assert 'id="since-stats-reset"' in detail

    # From the second collection on: deltas.
    lookups(pg15_db, 7, offset=40)
    collect(target, ("statements",))
    assert calls_stored(target.pk, seq) == [40, 7]
    assert Event.objects.filter(target=target, kind=ev.STATEMENTS_CUMULATIVE).count() == 1


def test_it_a_lost_collector_state_is_not_a_first_collection(pg18_db: TargetDb) -> None:
    with pg18_db.connect() as conn:
        conn.execute(SCHEMA)
    lookups(pg18_db, 5)
    target = pg18_db.make_target()
    collect(target, ("statements",))
    seq = Statement.objects.get(target=target, text__text__contains="customer_id = $1").seq
    with connection.cursor() as cur:   # the UNLOGGED state is gone (a crash of the history store)
        cur.execute("DELETE FROM monitoring_stmt_state WHERE target_id = %s", [target.pk])
    lookups(pg18_db, 3, offset=5)
    collect(target, ("statements",))   # a baseline again: the cumulative counters are not stored twice
    assert calls_stored(target.pk, seq) == [5]
    lookups(pg18_db, 2, offset=8)
    collect(target, ("statements",))
    assert calls_stored(target.pk, seq) == [5, 2]
