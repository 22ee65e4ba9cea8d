"""Every rule on a real target with planted problems, on PostgreSQL 15 (HypoPG) and 18 (without).

The history is really collected from the target (two rounds of every collector around the planted
workload); the advisor then runs once per major and each test checks one problem and its evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from advisor.models import Recommendation
from tests.advisor.planted_shop import Planted, planted_shop

# Each test reads what the module's fixture stored (committed outside the tests' transactions).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", params=[15, 18], ids=["pg15", "pg18"])
def planted(request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any) -> Iterator[Planted]:
    yield from planted_shop(request, django_db_blocker)


def facts(rec: Recommendation) -> dict[str, Any]:
    return {f["label"]: f["value"] for f in rec.evidence.get("facts", [])}


def test_it_every_rule_ran(planted: Planted) -> None:
    skipped = {r["name"]: r for r in planted.outcome.run.not_checked}
    # Without machine facts the memory and storage rules say so; no activity sample held a long session.
    assert set(skipped) == {"config_memory", "config_storage"}, skipped
    assert all("unknown" in r["message"] and "/advisor/machine/" in r["hint"] for r in skipped.values())
    states = {r["name"]: r["state"] for r in planted.outcome.run.rules}
    assert {name for name, state in states.items() if state == "unknown"} == set(skipped)
    assert planted.outcome.run.status == "ok"  # skipping for want of facts is not failing
    assert [r["name"] for r in planted.outcome.run.rules][:3] == ["missing_indexes", "fk_indexes", "duplicate_indexes"]


def test_it_finds_the_missing_index_behind_the_slow_query(planted: Planted) -> None:
    rec = planted.starting("missing_index", "public.orders (customer_id")
    statements = rec.evidence["statements"]
    assert any("FROM orders WHERE customer_id = $1" in s["query"] and s["calls"] == 40 for s in statements)
    assert rec.changes[0]["type"] == "create_index" and rec.changes[0]["columns"][0] == "customer_id"
    assert rec.evidence["create_sql"].startswith("CREATE INDEX")
    if planted.db.major == 15:
        assert rec.verified is True
        effect = next(s for s in statements if "customer_id = $1" in s["query"])
        assert effect["cost_after"] < effect["cost_before"]
        assert planted.outcome.run.index_advice["verified"] is True
        assert planted.outcome.run.index_advice["hypopg_calls"] > 0
    else:
        assert rec.verified is False
        assert "HypoPG" in planted.outcome.run.index_advice["reason"]
        assert any("Unverified" in c for c in rec.evidence["caveats"])


def test_it_finds_the_index_the_join_needs(planted: Planted) -> None:
    rec = planted.starting("missing_index", "public.order_lines (order_id")
    assert any("JOIN order_lines l ON l.order_id = o.id" in s["query"] for s in rec.evidence["statements"])


def test_it_finds_the_foreign_key_without_index(planted: Planted) -> None:
    rec = planted.one("fk_without_index", "public.payments.payments_order_id_fkey")
    assert facts(rec)["Referenced table"] == "public.orders"
    assert rec.changes == [{"type": "fk_index", "schema": "public", "table": "payments", "columns": ["order_id"],
                            "constraint": "payments_order_id_fkey"}]
    # orders.customer_id is a foreign key too, but the missing-index advice already covers it.
    assert not [r for r in planted.recs("fk_without_index") if "orders_customer_id_fkey" in r.object_key]
    covering = planted.starting("missing_index", "public.orders (customer_id")
    assert any("orders_customer_id_fkey" in n for n in covering.evidence["notes"])


def test_it_finds_the_duplicate_and_not_the_index_it_keeps(planted: Planted) -> None:
    (rec,) = planted.recs("duplicate_index")
    kept = facts(rec)["Kept instead"]
    assert {rec.object_key, kept} == {"public.products_sku_idx", "public.products_sku_dup"}
    assert facts(rec)["Kept index's scans in the window"] >= 40
    assert facts(rec)["Scans in the window"] == 0
    assert rec.changes[0]["type"] == "drop_index" and rec.changes[0]["reason"] == "duplicate"


def test_it_finds_the_unused_index_and_says_what_it_cannot_know(planted: Planted) -> None:
    (rec,) = planted.recs("unused_index")
    assert rec.object_key == "public.customers_last_login_idx"
    assert facts(rec)["Scans while observed"] == 0
    assert any("replica" in c for c in rec.evidence["caveats"])
    # Proposed only after 14 days of statistics (the history starts 16 days ago).
    assert any(n.startswith("Statistics covered it for 16 days (at least 14") for n in rec.evidence["notes"])
    assert rec.severity == "info"
    assert planted.outcome.run.rules_by_name["unused_indexes"]["state"] == "ok"


def test_it_finds_the_invalid_index(planted: Planted) -> None:
    (rec,) = planted.recs("invalid_index")
    assert rec.object_key == "public.customers_email_key_broken"
    assert rec.changes[0] == {"type": "drop_index", "schema": "public", "table": "customers",
                              "name": "customers_email_key_broken", "reason": "invalid", "covered_by": None}


def test_it_finds_the_bloated_table_and_index(planted: Planted) -> None:
    table = planted.one("table_bloat", "public.events_log")
    bloat = facts(table)["Bloat"]
    assert bloat > 0.5 * facts(table)["Heap size"]
    assert [o["title"] for o in table.evidence["options"]][1:] == ["pg_repack", "VACUUM FULL (or CLUSTER)"]
    assert "ACCESS EXCLUSIVE for the whole rewrite" in table.evidence["options"][2]["lock"]
    index = planted.one("index_bloat", "public.events_log_pkey")
    assert facts(index)["Bloat"] > 0.5 * facts(index)["Size"]
    assert index.changes == [{"type": "reindex", "schema": "public", "table": "events_log", "name": "events_log_pkey"}]


def test_it_finds_the_table_autovacuum_never_visits(planted: Planted) -> None:
    rec = planted.one("autovacuum_lag", "public.stock")
    assert facts(rec)["Dead tuples"] >= 20_000
    assert rec.severity == "warning" and "disabled" in rec.title
    assert rec.changes[0]["settings"]["autovacuum_enabled"] == "true"


def test_it_finds_the_sequence_near_overflow(planted: Planted) -> None:
    rec = planted.one("sequence_overflow", "public.tickets_id_seq")
    assert rec.severity == "critical"
    assert 0.93 < facts(rec)["Used"] < 0.94
    assert rec.changes == [{"type": "bigint", "sequence_schema": "public", "sequence": "tickets_id_seq",
                            "column_path": "public.tickets.id"}]


def test_it_finds_the_constraint_to_validate(planted: Planted) -> None:
    rec = planted.one("not_valid_constraint", "public.payments.payments_amount_positive")
    assert rec.changes[0]["type"] == "validate_constraint"
    assert "SHARE UPDATE EXCLUSIVE" in rec.evidence["options"][0]["lock"]


def test_it_finds_the_temp_files_and_the_forced_checkpoints(planted: Planted) -> None:
    (work_mem,) = planted.recs("config_work_mem")
    assert facts(work_mem)["Temp files in the window"] >= 12
    assert any("ORDER BY random()" in s["query"] for s in work_mem.evidence["statements"])
    (checkpoints,) = planted.recs("config_checkpoints")
    assert facts(checkpoints)["Checkpoints requested"] >= 4


def test_it_recommends_nothing_else(planted: Planted) -> None:
    kinds = sorted({r.kind for r in planted.outcome.recommendations})
    assert kinds == ["autovacuum_lag", "cannot_evaluate", "config_checkpoints", "config_work_mem", "duplicate_index",
                     "fk_without_index", "index_bloat", "invalid_index", "missing_index", "not_valid_constraint",
                     "sequence_overflow", "table_bloat", "unused_index"]
    unknown = sorted(r.object_key for r in planted.recs("cannot_evaluate"))
    assert unknown == ["config_memory", "config_storage"]   # no machine facts: said, not skipped silently
