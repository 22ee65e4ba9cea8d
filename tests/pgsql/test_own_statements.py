"""dbconsole's own statements: the marker survives pg_stat_statements' normalization on 15 and 18.

The finding these tests keep true: PostgreSQL 18 drops a comment *before* the statement from the
normalized text (15 keeps it), while a comment right after the first keyword survives on both. The
marker therefore goes there, and the recognition accepts both forms.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from pgsql.own_statements import MARKER, OWN_STATEMENT_PATTERN, MarkedCursor, is_own_statement, mark, matches_pattern
from tests.support.targets import TargetDb

# What our .sql files look like (tag on the first line, a why-comment, one clause per line), and the
# statements built in code: settings, EXPLAIN, a CTE, a parenthesised union, parameters.
OURS: list[tuple[str, tuple[Any, ...] | None]] = [
    ("/* dbconsole */\n-- why this reads what it reads\nSELECT\n    t.a\nFROM marked AS t\nWHERE t.a = %s", (1,)),
    ("SET lock_timeout = 1000", None),
    ("EXPLAIN (FORMAT JSON) SELECT b FROM marked WHERE b = 'z'", None),
    ("WITH x AS (SELECT a FROM marked WHERE a > %s) SELECT count(*) FROM x", (2,)),
    ("(SELECT a FROM marked WHERE a = 3) UNION ALL (SELECT a FROM marked WHERE a = 4)", None),
    ("SELECT set_config('statement_timeout', %s, false)", ("5s",)),
]
APP = [
    "SELECT b FROM marked WHERE a = 7",
    "UPDATE marked SET b = 'y' WHERE a = 8",
    "SELECT a FROM marked WHERE b = 'x /* dbconsole */'",   # the marker inside a literal is not ours
]


def entries(db: TargetDb) -> list[str]:
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT s.query FROM pg_stat_statements AS s JOIN pg_database AS d ON d.oid = s.dbid "
            "WHERE d.datname = current_database() AND s.query NOT LIKE '%%pg_stat_statements%%'").fetchall()
    return [r[0] for r in rows]


def test_it_keeps_the_marker_through_normalization_where_a_leading_comment_is_lost(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE marked (a int, b text)")
        conn.execute("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                     "WHERE datname = current_database()), 0)")
        conn.execute("/* dbconsole */ SELECT a, b FROM marked WHERE a = 42 AND b IS NULL")
    with target_db.connect(cursor_factory=MarkedCursor) as conn:
        for query, params in OURS:
            conn.execute(query, params)
    with target_db.connect() as conn:
        for query in APP:
            conn.execute(query)
    texts = entries(target_db)
    leading = [t for t in texts if "a, b FROM marked" in t]
    app = [t for t in texts if t.startswith(("UPDATE marked", "SELECT b FROM marked WHERE a =",
                                             "SELECT a FROM marked WHERE b ="))]
    ours = [t for t in texts if t not in leading and t not in app]
    assert (len(leading), len(app)) == (1, len(APP)), texts
    assert len(ours) >= len(OURS), ours   # EXPLAIN may leave two entries (the utility and its query)
    # A comment before the statement: kept by 15, dropped by 18 — why the marker goes inside.
    assert leading[0].startswith(MARKER) is (target_db.major < 18)
    assert is_own_statement(leading[0]) is (target_db.major < 18)
    for text in ours:
        assert is_own_statement(text), text
        assert matches_pattern(text), text
    assert not any(is_own_statement(t) or matches_pattern(t) for t in app), app


def test_it_pattern_decides_in_postgresql_as_in_python(target_db: TargetDb) -> None:
    cases = [mark(q) for q, _ in OURS] + APP + [
        "/* dbconsole */ SELECT 1", "  \n/* dbconsole */\nSELECT 1", "-- note\nSELECT /* dbconsole */ 1",
        "SELECT 1 /* dbconsole */", "SELECT '/* dbconsole */'", "/* other */ SELECT /* dbconsole */ 1",
        "", "   ", "( /* dbconsole */ SELECT 1)", "SELECT/* dbconsole */1", "/* dbconsole*/ SELECT 1",
    ]
    with target_db.connect() as conn:
        decided = [conn.execute("SELECT %s ~ %s", (text, OWN_STATEMENT_PATTERN)).fetchone()[0]  # type: ignore[index]
                   for text in cases]
    assert decided == [matches_pattern(t) for t in cases]
    assert decided == [is_own_statement(t) for t in cases]


@pytest.mark.parametrize("query", [
    "SELECT 1", "select\n1", "  WITH x AS (SELECT 1) SELECT * FROM x", "EXPLAIN ANALYZE SELECT 1",
    "/* dbconsole */\nSELECT a FROM t", "(VALUES (1))", "DEALLOCATE ALL", "SELECT $1::int",
    "PREPARE p AS SELECT 1", "-- why\n/* block /* nested */ */\nSELECT 1",
])
def test_it_marks_once_after_the_first_keyword(query: str) -> None:
    marked = mark(query)
    assert is_own_statement(marked)
    assert mark(marked) == marked
    assert marked.count(MARKER) == query.count(MARKER) + 1
    assert "".join(marked.replace(MARKER, "").split()) == "".join(query.replace(MARKER, "").split())
    assert is_own_statement(query) is query.startswith(MARKER)


def test_it_leaves_a_text_without_a_statement_alone() -> None:
    assert mark("-- nothing here\n") == "-- nothing here\n"
    assert not is_own_statement(None)
    assert not is_own_statement("")


def test_it_marked_statements_keep_their_parameters(pg18_db: TargetDb) -> None:
    with pg18_db.connect(cursor_factory=MarkedCursor) as conn:
        row = conn.execute("SELECT %s::int + %s::int AS sum", (2, 3)).fetchone()
        assert row == (5,)
        cur = conn.cursor()
        cur.executemany("SELECT %s::text", [("a",), ("b",)])
        composed = psycopg.sql.SQL("SELECT {} AS x").format(psycopg.sql.Literal("it's"))
        assert conn.execute(composed).fetchone() == ("it's",)
