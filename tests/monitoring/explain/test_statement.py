"""What was pasted: exactly one explainable statement, read by PostgreSQL's own parser."""

from __future__ import annotations

import pytest

from monitoring.explain.statement import StatementError, parse_statement


def test_it_takes_one_statement_and_drops_the_trailing_semicolon_and_comment() -> None:
    stmt = parse_statement("  SELECT * FROM orders WHERE id = 7 ;  -- the slow one\n")
    assert stmt.text == "SELECT * FROM orders WHERE id = 7"
    assert stmt.kind == "SELECT" and stmt.read_only and not stmt.has_params


@pytest.mark.parametrize(("sql", "kind", "read_only"), [
    ("INSERT INTO t VALUES (1)", "INSERT", False),
    ("UPDATE t SET v = 1", "UPDATE", False),
    ("DELETE FROM t", "DELETE", False),
    ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "MERGE", False),
    ("WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone", "SELECT", False),
    ("SELECT * FROM t FOR UPDATE SKIP LOCKED", "SELECT", False),
    ("SELECT * FROM (SELECT * FROM t FOR SHARE) s", "SELECT", False),
    ("VALUES (1), (2)", "SELECT", True),
    ("SELECT 'é' AS accent", "SELECT", True),
])
def test_it_tells_reads_from_statements_that_write_or_lock(sql: str, kind: str, read_only: bool) -> None:
    stmt = parse_statement(sql)
    assert (stmt.kind, stmt.read_only) == (kind, read_only)


def test_it_finds_the_placeholders_of_a_normalized_statement() -> None:
    stmt = parse_statement("SELECT * FROM t WHERE a = $1 AND b > $3 AND c = $1")
    assert stmt.params == (1, 3) and stmt.param_count == 3


@pytest.mark.parametrize(("sql", "message"), [
    ("", "there is no statement"),
    ("  ;  -- nothing", "there is no statement"),
    ("SELECT 1; SELECT 2", "exactly one statement (found 2)"),
    ("SELECT 1; DROP TABLE users", "exactly one statement (found 2)"),
    ("EXPLAIN ANALYZE SELECT 1", "without EXPLAIN"),
    ("CREATE INDEX ON t (a)", "not CREATE INDEX"),
    ("VACUUM t", "SELECT, INSERT, UPDATE, DELETE and MERGE, not VACUUM"),
    ("SELEC 1", 'syntax error at or near "SELEC" (line 1, column 1)'),
    ("SELECT *\nFROM t\nWHERE id = 1 AND", "syntax error at end of input"),
])
def test_it_rejects_anything_but_one_explainable_statement_clearly(sql: str, message: str) -> None:
    with pytest.raises(StatementError) as caught:
        parse_statement(sql)
    assert message in str(caught.value)
