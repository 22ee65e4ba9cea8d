"""``targets check`` names every privilege the monitoring role lacks with the statement that grants it,
on real PostgreSQL 15 and 18 — and those statements, run as printed, are exactly what was missing.
Role and schema names are hostile on purpose: quotes, spaces, a keyword, a terminal escape."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from monitoring.targets.checks import OK, WARN, CheckReport, check_params
from pgsql.ident import quote_ident_to_print as ident
from tests.support.targets import TargetDb

PASSWORD = "plain-secret-1"


@pytest.fixture
def weird_role(target_db: TargetDb) -> Iterator[str]:
    """A login role with nothing granted, named so that every GRANT must quote it."""
    role = f'we"ird Role {os.getpid()}'
    with target_db.connect() as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(PASSWORD)))
    yield role
    with target_db.connect() as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
    with psycopg.connect(target_db.cluster.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def check(db: TargetDb, role: str) -> CheckReport:
    return check_params({"host": "127.0.0.1", "port": db.cluster.port, "dbname": db.dbname, "user": role,
                         "password": PASSWORD, "sslmode": "disable"})


def by_name(report: CheckReport) -> dict[str, Any]:
    return {f.name: f for f in report.findings}


def plant(db: TargetDb, schema: str) -> None:
    with db.connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE TABLE {}.orders (id serial PRIMARY KEY, note text)").format(
            sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE TABLE {}.{} (id bigint)").format(sql.Identifier(schema), sql.Identifier("User")))
        conn.execute(sql.SQL("CREATE SEQUENCE {}.tickets_seq").format(sql.Identifier(schema)))


def test_it_lists_each_missing_privilege_with_a_grant_that_fixes_exactly_that(
    target_db: TargetDb, weird_role: str,
) -> None:
    schema = 'Shop "eu"'
    plant(target_db, schema)
    who = '"we""ird Role ' + str(os.getpid()) + '"'
    where = '"Shop ""eu"""'

    found = by_name(check(target_db, weird_role))
    assert found["privileges"].level == WARN and found["privileges"].hint == f"GRANT pg_monitor TO {who};"
    for member in ("pg_read_all_stats", "pg_read_all_settings", "pg_stat_scan_tables"):
        assert found[member].level == WARN and found[member].hint == f"GRANT {member} TO {who};"
    assert found[f"schema {where}"].hint == f"GRANT USAGE ON SCHEMA {where} TO {who};"
    tables = found[f"tables in {where}"]
    assert "2 of 2 table(s)" in tables.detail and '"User", orders' in tables.detail
    assert tables.hint == (f"GRANT SELECT ON ALL TABLES IN SCHEMA {where} TO {who}; ALTER DEFAULT PRIVILEGES "
                           f"FOR ROLE postgres IN SCHEMA {where} GRANT SELECT ON TABLES TO {who};")
    sequences = found[f"sequences in {where}"]
    assert "2 of 2 sequence(s)" in sequences.detail and "orders_id_seq, tickets_seq" in sequences.detail
    assert sequences.hint.startswith(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who};")

    # Run every suggestion as printed (as the superuser would): each finding turns ok.
    with target_db.connect() as conn:
        for finding in found.values():
            if finding.level == WARN and finding.hint.startswith(("GRANT", "ALTER")):
                conn.execute(finding.hint)
    after = by_name(check(target_db, weird_role))
    assert after["privileges"].level == OK
    assert after["object privileges"].level == OK, after["object privileges"].detail
    assert not [f for f in after.values() if f.level == WARN and f.name not in {"hypopg"}], after

    # Default privileges: a table created later is readable without another GRANT.
    with target_db.connect() as conn:
        conn.execute(sql.SQL("CREATE TABLE {}.later (id int)").format(sql.Identifier(schema)))
    assert by_name(check(target_db, weird_role))["object privileges"].level == OK


def test_it_reads_the_public_schema_and_names_only_what_is_missing(target_db: TargetDb, weird_role: str) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE orders (id serial PRIMARY KEY)")
        conn.execute("CREATE TABLE users (id serial PRIMARY KEY)")
        conn.execute(sql.SQL("GRANT SELECT ON users, users_id_seq TO {}").format(sql.Identifier(weird_role)))
        conn.execute(sql.SQL("GRANT pg_read_all_stats TO {}").format(sql.Identifier(weird_role)))
    found = by_name(check(target_db, weird_role))
    assert "pg_read_all_stats" not in found and "pg_stat_scan_tables" in found
    assert "schema public" not in found  # PUBLIC may use public
    assert "1 of 2 table(s) (orders)" in found["tables in public"].detail
    assert "1 of 2 sequence(s) (orders_id_seq)" in found["sequences in public"].detail


def test_it_prints_names_with_terminal_escapes_as_unicode_escapes_that_still_run(
    target_db: TargetDb, weird_role: str,
) -> None:
    schema = "evil\x1b[2Jschema\u202e"
    plant(target_db, schema)
    found = by_name(check(target_db, weird_role))
    where = 'U&"evil\\001B[2Jschema\\202E"'
    assert f"schema {where}" in found
    assert "\x1b" not in "".join(f.line() for f in found.values())
    with target_db.connect() as conn:
        for finding in found.values():
            if finding.level == WARN and finding.hint.startswith("GRANT"):
                conn.execute(finding.hint)
    assert by_name(check(target_db, weird_role))["object privileges"].level == OK


@pytest.mark.parametrize(("name", "quoted"), [
    ("dbconsole", "dbconsole"), ("user", '"user"'), ("Orders", '"Orders"'), ("a b", '"a b"'),
    ('x"y', '"x""y"'), ("tab\there", 'U&"tab\\0009here"'), ("back\\slash\n", 'U&"back\\\\slash\\000A"'),
])
def test_it_quotes_identifiers_only_where_needed(name: str, quoted: str) -> None:
    assert ident(name) == quoted
