"""EXPLAIN on real PostgreSQL 15 and 18: always rolled back, timed out, generic plans for $n text."""

from __future__ import annotations

import os
from typing import Any

import pytest

from monitoring.explain.run import ExplainError, NeedsConfirmation, explain
from monitoring.explain.statement import StatementError
from monitoring.models import Target
from tests.support.targets import MONITOR_ROLE, TargetDb

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(target_db: TargetDb) -> Target:
    """orders with an index on id, none on customer; statistics that are wrong on purpose for `status`."""
    with target_db.connect() as conn:
        conn.execute("""
            CREATE TABLE orders (id int PRIMARY KEY, customer int, status text, placed date, total numeric);
            INSERT INTO orders SELECT g, g % 500, CASE WHEN g % 100 = 0 THEN 'open' ELSE 'done' END,
                   date '2025-01-01' + (g % 90), g * 1.5 FROM generate_series(1, 20000) g;
            ANALYZE orders;
            UPDATE orders SET status = 'open' WHERE id <= 10000;  -- stats still say 1% open
            CREATE SEQUENCE invoice_no;
        """)
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO {MONITOR_ROLE}")
        conn.execute(f"GRANT USAGE ON SEQUENCE invoice_no TO {MONITOR_ROLE}")
    return target_db.make_target()


def _count(db: TargetDb, sql: str) -> int:
    with db.connect() as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_it_plans_a_select_without_running_it(shop: Target) -> None:
    outcome = explain(shop, "SELECT * FROM orders WHERE customer = 42")
    assert not outcome.analyzed and not outcome.generic and not outcome.writable
    root = outcome.plan.root
    assert root.node_type == "Seq Scan" and root.label == "Seq Scan on orders"
    assert ("Filter", "(customer = 42)") in root.details
    assert root.actual_rows is None and outcome.plan.execution_ms is None
    assert outcome.plan.costliest == [root] and root.share == 1.0


def test_it_analyze_shows_actual_rows_and_flags_the_bad_estimate(shop: Target) -> None:
    outcome = explain(shop, "SELECT count(*) FROM orders WHERE status = 'open'", analyze=True)
    plan = outcome.plan
    assert plan.analyzed and plan.execution_ms is not None and plan.execution_ms > 0
    scan = next(n for n in plan.nodes if n.node_type == "Seq Scan")
    assert scan.actual_rows == 10100  # ids up to 10000, then every 100th
    assert scan.badly_estimated and scan.underestimated  # statistics say ~200 open orders
    assert plan.misestimates[0] is scan
    assert any(n.costly for n in plan.nodes)
    assert scan.shared_hit is not None  # BUFFERS


def test_it_analyze_of_a_write_needs_confirmation_and_is_rolled_back(target_db: TargetDb, shop: Target) -> None:
    with pytest.raises(NeedsConfirmation, match="modifies data"):
        explain(shop, "DELETE FROM orders WHERE customer < 250", analyze=True)
    outcome = explain(shop, "DELETE FROM orders WHERE customer < 250", analyze=True, confirm_writes=True)
    assert outcome.writable and outcome.plan.root.node_type == "ModifyTable"
    assert outcome.plan.root.children[0].actual_rows == 10000
    assert _count(target_db, "SELECT count(*) FROM orders") == 20000  # rolled back


def test_it_plain_explain_of_a_write_needs_no_confirmation_and_changes_nothing(
    target_db: TargetDb, shop: Target,
) -> None:
    outcome = explain(shop, "UPDATE orders SET total = 0")
    assert not outcome.writable and outcome.plan.root.label == "ModifyTable on orders"
    assert _count(target_db, "SELECT count(*) FROM orders WHERE total = 0") == 0


def test_it_select_that_writes_through_a_function_asks_for_confirmation(target_db: TargetDb, shop: Target) -> None:
    with pytest.raises(NeedsConfirmation, match="writes when it runs"):
        explain(shop, "SELECT nextval('invoice_no')", analyze=True)


def test_it_locking_select_needs_confirmation_too(shop: Target) -> None:
    with pytest.raises(NeedsConfirmation, match="locks rows"):
        explain(shop, "SELECT * FROM orders WHERE id = 1 FOR UPDATE", analyze=True)


def test_it_analyze_stops_at_the_statement_timeout(shop: Target, settings: Any) -> None:
    settings.EXPLAIN_ANALYZE_TIMEOUT_MS = 200
    with pytest.raises(ExplainError, match="stopped after 200 ms"):
        explain(shop, "SELECT pg_sleep(5)", analyze=True)


def test_it_analyze_timeout_defaults_to_the_target_statement_timeout() -> None:
    from django.conf import settings

    from monitoring.explain.run import analyze_timeout_ms

    assert "DBCONSOLE_EXPLAIN_ANALYZE_TIMEOUT_MS" not in os.environ
    assert analyze_timeout_ms() == settings.TARGET_STATEMENT_TIMEOUT_MS


def test_it_errors_from_the_server_come_back_readable(shop: Target) -> None:
    with pytest.raises(ExplainError) as caught:
        explain(shop, "SELECT nope FROM orders")
    assert 'column "nope" does not exist' in caught.value.message
    with pytest.raises(StatementError, match="exactly one statement"):
        explain(shop, "SELECT 1; SELECT 2")


def test_it_normalized_text_gets_a_generic_plan_on_every_major(target_db: TargetDb, shop: Target) -> None:
    outcome = explain(shop, "SELECT * FROM orders WHERE id = $1", normalized=True)
    assert outcome.generic
    scan = outcome.plan.root
    assert "Index" in scan.node_type and scan.details[0] == ("Index Cond", "(id = $1)")


def test_it_normalized_text_with_typed_literals_and_untyped_placeholders_is_planned(shop: Target) -> None:
    # What pg_stat_statements keeps for `placed > date '2025-02-01' - interval '7 days'` and `SELECT 1 + 1`:
    outcome = explain(shop, "SELECT id, $1 FROM orders WHERE placed > date $2 - interval $3 AND total > $4 + $5",
                      normalized=True)
    assert outcome.generic
    assert outcome.plan.root.node_type == "Seq Scan"


def test_it_placeholders_are_found_even_without_the_flag_and_cannot_be_analyzed(shop: Target) -> None:
    assert explain(shop, "SELECT * FROM orders WHERE customer = $1").generic
    with pytest.raises(StatementError, match="needs real values"):
        explain(shop, "SELECT * FROM orders WHERE customer = $1", analyze=True)


def test_it_normalized_flag_without_placeholders_still_plans(shop: Target) -> None:
    outcome = explain(shop, "SELECT count(*) FROM orders", normalized=True)
    assert outcome.generic and outcome.plan.root.node_type == "Aggregate"
