"""dbconsole's own statements: the marker every statement we send carries, and how to recognise it.

The advisor must not take the collectors' own queries for the application's workload, and the
Queries page hides them by default. The role is no way to tell them apart (a small shop monitors with
the application's own role), so every statement dbconsole sends carries the comment ``/* dbconsole */``
and is recognised by it in ``pg_stat_statements``.

Where the marker goes matters. ``pg_stat_statements`` stores the statement's normalized text from the
first token of the statement: PostgreSQL 15 keeps a comment *before* the statement
(``/* dbconsole */ SELECT …``), PostgreSQL 18 drops it (``SELECT …``: statement locations start at
the first token since 18). A comment *inside* the statement is kept by both. So :func:`mark` puts the
marker right after the statement's first keyword (``SELECT /* dbconsole */ …``), which is valid SQL
for every statement (``SET``, ``EXPLAIN``, ``WITH``, ``PREPARE``, …) and survives normalization on
15 and 18 alike (``tests/pgsql/test_own_statements.py`` proves it on both). Our ``.sql`` files keep
the tag on their first line as a style rule; the guarded connection marks every statement it sends
(``MarkedCursor``), including the ones built in code (EXPLAIN, HypoPG calls, ``SET``).

A statement's text in ``pg_stat_statements`` is the text of the first execution that created its
entry: when the application runs a statement identical to one of ours (the same query shape), the
entry and its text are shared. That only happens for catalog queries an application has no reason
to run.

This module is Django-free: the advisor, the Queries page and the collectors use the same functions.
"""

from __future__ import annotations

import re
from typing import Any, LiteralString, cast

import psycopg
from psycopg import sql

MARKER = "/* dbconsole */"

# Leading whitespace and comments (line comments, block comments without nesting — the ones a
# recognisable marker can sit among), then the marker itself, or one first word and the marker.
# Valid for Python's ``re`` and PostgreSQL's regular expressions (``text ~ OWN_STATEMENT_PATTERN``),
# so a page can filter in SQL with the same rule as :func:`is_own_statement`.
_BLOCK = r"/\*([^*]|\*+[^*/])*\*+/"
OWN_STATEMENT_PATTERN = (
    r"^(\s|--[^\n]*\n|" + _BLOCK + r")*?"
    r"(/\* dbconsole \*/|[A-Za-z_][A-Za-z0-9_$]*\s*/\* dbconsole \*/|\(\s*/\* dbconsole \*/)"
)
_OWN = re.compile(OWN_STATEMENT_PATTERN)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def _skip_comments(text: str, pos: int = 0) -> tuple[int, bool]:
    """Position of the first token after whitespace and comments from ``pos``, and whether one of
    those leading comments was the marker. Block comments nest, as PostgreSQL's do."""
    marked = False
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif text.startswith("--", pos):
            end = text.find("\n", pos)
            pos = n if end < 0 else end + 1
        elif text.startswith("/*", pos):
            start, depth, pos = pos, 1, pos + 2
            while pos < n and depth:
                if text.startswith("/*", pos):
                    depth, pos = depth + 1, pos + 2
                elif text.startswith("*/", pos):
                    depth, pos = depth - 1, pos + 2
                else:
                    pos += 1
            marked = marked or text[start:pos] == MARKER
        else:
            break
    return pos, marked


def _after_first_token(text: str) -> int | None:
    """Where the marker goes: after the first keyword (or an opening parenthesis); None for a text with
    no statement at all (only comments or whitespace)."""
    pos, _marked = _skip_comments(text)
    if pos >= len(text):
        return None
    word = _WORD.match(text, pos)
    return word.end() if word is not None else pos + 1


def _marker_at(text: str, pos: int) -> bool:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return text.startswith(MARKER, pos)


def mark(query: str) -> str:
    """``query`` with the marker right after its first keyword; unchanged when it already has one."""
    at = _after_first_token(query)
    if at is None:
        return query
    if _marker_at(query, at):
        return query
    space = "" if query[at:at + 1].isspace() else " "
    return f"{query[:at]} {MARKER}{space}{query[at:]}"


def is_own_statement(text: str | None) -> bool:
    """True for a statement text dbconsole sent: the marker after the first keyword (any PostgreSQL), or
    before the statement (PostgreSQL ≤ 17 keeps that comment in ``pg_stat_statements``)."""
    if not text:
        return False
    _pos, marked = _skip_comments(text)
    if marked:
        return True
    at = _after_first_token(text)
    if at is None:
        return False
    return _marker_at(text, at)


def matches_pattern(text: str) -> bool:
    """:data:`OWN_STATEMENT_PATTERN` applied in Python (what a SQL filter with ``~`` decides)."""
    return _OWN.search(text) is not None


class MarkedCursor(psycopg.Cursor[Any]):
    """A cursor that marks every statement it sends (see the module doc). The guarded target
    connection uses it as its ``cursor_factory``, so ``conn.execute`` and ``conn.cursor()`` both mark."""

    def _marked(self, query: Any) -> Any:
        if isinstance(query, str):
            return mark(query)
        if isinstance(query, sql.Composable):
            return mark(query.as_string(self))
        if isinstance(query, bytes | bytearray | memoryview):
            return mark(bytes(query).decode(self.connection.info.encoding or "utf-8"))
        return query

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None,
                binary: bool | None = None) -> Any:
        return super().execute(cast(LiteralString, self._marked(query)), params, prepare=prepare, binary=binary)

    def executemany(self, query: Any, params_seq: Any, *, returning: bool = False) -> None:
        super().executemany(cast(LiteralString, self._marked(query)), params_seq, returning=returning)

    def stream(self, query: Any, params: Any = None, *, binary: bool | None = None, size: int = 1) -> Any:
        return super().stream(cast(LiteralString, self._marked(query)), params, binary=binary, size=size)
