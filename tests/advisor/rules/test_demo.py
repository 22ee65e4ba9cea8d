"""The demo database (``dbconsole/embedded/demo``) with a burst of its own workload: the advisor finds
every problem the demo plants, with the migration ready to review. PostgreSQL 18 without HypoPG, as
in ``make run``: the index advice is the labelled, unverified heuristic."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from advisor.review.drafting import draft_recommendations
from advisor.review.run import RunOutcome, run_advisor
from dbconsole.embedded.demo import SCHEMA_SQL
from dbconsole.embedded.demo.workload import Workload
from tests.advisor.planted_shop import collect, forget, grant_reads
from tests.support.targets import fresh_database

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(pg18_cluster: Any, django_db_setup: Any, django_db_blocker: Any) -> Iterator[RunOutcome]:
    with django_db_blocker.unblock():
        for db in fresh_database(pg18_cluster, prefix="demo"):
            with db.connect() as conn:
                conn.execute(SCHEMA_SQL.read_text())
                grant_reads(conn)
            target = db.make_target()
            collect(target)
            stop = threading.Event()
            stop.set()  # the workload's pauses return at once: a burst of its traffic, no sleeping
            workload = Workload(db.cluster.conninfo(db.dbname), stop=stop, seed=11)
            with db.connect() as conn:
                for _ in range(400):
                    workload.shop_step(conn)
                # ~90,000 non-HOT updates with autovacuum off: dead line pointers fill the pages and
                # the table grows, as it does in the first quarter hour of the demo.
                for _ in range(600):
                    workload.churn_step(conn)
                workload.report_step(conn)
            collect(target)
            yield run_advisor(target, trigger="cli")
            forget(target)


def keys(outcome: RunOutcome, kind: str) -> list[str]:
    return sorted(r.object_key for r in outcome.recommendations if r.kind == kind)


def test_it_proposes_the_missing_indexes_as_unverified_advice(demo: RunOutcome) -> None:
    found = keys(demo, "missing_index")
    for wanted in ("public.users (email)", "public.orders (user_id", "public.events (user_id"):
        assert any(k.startswith(wanted) for k in found), (wanted, found)
    assert all(r.verified is False for r in demo.recommendations if r.kind == "missing_index")
    assert demo.run.index_advice["verified"] is False


def test_it_keeps_the_scanned_duplicate_and_calls_the_unused_index_too_early(demo: RunOutcome) -> None:
    # Neither is backed by a constraint: the one the planner uses (scanned in the window) stays.
    (dup,) = [r for r in demo.recommendations if r.kind == "duplicate_index"]
    facts = {f["label"]: f["value"] for f in dup.evidence["facts"]}
    assert facts["Kept index's scans in the window"] > facts["Scans in the window"] == 0
    # Minutes of statistics: no drop, an explicit "too early to tell" that lists the index.
    assert keys(demo, "unused_index") == []
    early = next(r for r in demo.recommendations if (r.kind, r.object_key) == ("cannot_evaluate", "unused_indexes"))
    assert early.severity == "unknown" and "too early to tell: 0.0 days of 14 observed" in early.title
    assert any(n.startswith("public.users_last_login_ip_idx: ") for n in early.evidence["notes"])
    assert demo.run.rules_by_name["unused_indexes"]["state"] == "unknown"


def test_it_finds_the_bloated_inventory_table_and_its_autovacuum(demo: RunOutcome) -> None:
    assert "public.inventory" in keys(demo, "table_bloat")
    assert "public.inventory" in keys(demo, "autovacuum_lag")


def test_it_finds_the_tickets_sequence_and_the_foreign_keys(demo: RunOutcome) -> None:
    assert keys(demo, "sequence_overflow") == ["public.tickets_id_seq"]
    assert keys(demo, "fk_without_index") == ["public.order_items.order_items_product_id_fkey"]
    orders = next(r for r in demo.recommendations if r.object_key.startswith("public.orders (user_id"))
    assert any("orders_user_id_fkey" in note for note in orders.evidence["notes"])


def test_it_migration_is_ready_to_review(demo: RunOutcome) -> None:
    from advisor.models import Recommendation, Status

    recs = [r for r in demo.recommendations if r.changes]
    Recommendation.objects.filter(pk__in=[r.pk for r in recs]).update(status=Status.ACCEPTED)
    accepted = list(Recommendation.objects.filter(pk__in=[r.pk for r in recs]))
    outcome = draft_recommendations(accepted[0].target, accepted)
    assert outcome.draft is not None and not outcome.excluded, outcome.excluded
    assert 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_email_idx" ON "public"."users"' in outcome.draft.sql
