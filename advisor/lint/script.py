"""Cut a migration script into statements with line numbers, tolerating what PostgreSQL can't parse.

The whole script is parsed at once when it can be. When it can't, it is cut at top-level semicolons
with PostgreSQL's own scanner (so semicolons inside strings, dollar-quoted bodies and comments don't
count) and each piece is parsed alone — a bad statement is reported, the others are still linted.
psql meta-commands (``\\set``, ``\\connect`` …) are recognised and set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pglast import parse_sql
from pglast.parser import ParseError, scan

_META = re.compile(r"^[ \t]*\\.*$", re.MULTILINE)
_ALLOW = re.compile(r"--\s*dbconsole:\s*allow\s+([a-z0-9\-]+(?:\s*,\s*[a-z0-9\-]+)*)", re.IGNORECASE)


@dataclass(frozen=True)
class Piece:
    """One statement: its text, first line, parse tree (or the parse error), and allowed rule ids."""

    start: int
    text: str
    line: int
    node: Any = None
    error: str | None = None
    meta: bool = False
    allowed: frozenset[str] = frozenset()


def _line_at(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def _first_token_offset(text: str) -> int:
    """Offset of the first token that is not a comment (the statement's real start)."""
    try:
        for token in scan(text):
            if token.name not in {"SQL_COMMENT", "C_COMMENT"}:
                return int(token.start)
    except ParseError:
        pass
    stripped = text.lstrip()
    return len(text) - len(stripped)


def _allowed(text: str) -> frozenset[str]:
    """Rules silenced by ``-- dbconsole: allow`` in a real comment (not in a quoted name or a string)."""
    rules: set[str] = set()
    try:
        comments = " ".join(text[int(t.start):int(t.end) + 1] for t in scan(text)
                            if t.name in {"SQL_COMMENT", "C_COMMENT"})
    except ParseError:
        comments = text
    for match in _ALLOW.finditer(comments):
        rules.update(r.strip().lower() for r in match.group(1).split(","))
    return frozenset(rules)


def _chunks(sql: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level statement, found with the scanner; the whole text if it can't scan."""
    try:
        tokens = scan(sql)
    except ParseError:
        return [(0, len(sql))]
    bounds, start = [], 0
    for token in tokens:
        if token.name == "ASCII_59":  # ';'
            bounds.append((start, int(token.start)))
            start = int(token.end) + 1
    bounds.append((start, len(sql)))
    return bounds


def _meta_commands(sql: str) -> list[re.Match[str]]:
    """Lines psql runs as meta-commands: a backslash first on the line, outside any quoted name, string,
    dollar-quoted body or comment (a quoted name may hold a line that starts with a backslash)."""
    found = list(_META.finditer(sql))
    if not found:
        return found
    try:
        backslashes = {int(t.start) for t in scan(sql) if t.name == "ASCII_92"}
    except ParseError:
        return found  # unterminated quote: psql would not get far either
    return [m for m in found if m.start() + len(m.group()) - len(m.group().lstrip(" \t")) in backslashes]


def split_script(sql: str) -> list[Piece]:
    """The statements of ``sql`` in order (meta-commands included, marked ``meta``)."""
    pieces: list[Piece] = []
    # Blank out psql meta-commands, keeping offsets (and so line numbers) intact.
    metas = _meta_commands(sql)
    blanked = sql
    for m in metas:
        blanked = blanked[: m.start()] + " " * (m.end() - m.start()) + blanked[m.end():]
        pieces.append(Piece(start=m.start(), text=m.group().strip(), line=_line_at(sql, m.start()), meta=True))
    previous_end = 0
    try:
        parsed = parse_sql(blanked)
        spans: list[tuple[int, int, Any]] = []
        for raw in parsed:
            start = raw.stmt_location or 0
            end = start + raw.stmt_len if raw.stmt_len else len(blanked)
            spans.append((start, end, raw.stmt))
    except ParseError:
        spans = [(s, e, None) for s, e in _chunks(blanked)]
    for start, end, node in spans:
        chunk = blanked[start:end]
        if not chunk.strip() or _first_token_offset(chunk) >= len(chunk.rstrip()):
            previous_end = end
            continue  # only whitespace or comments
        error = None
        if node is None:
            try:
                found = parse_sql(chunk)
                node = found[0].stmt if found else None
            except ParseError as exc:
                error = str(exc)
        real = start + _first_token_offset(chunk)
        pieces.append(Piece(start=real, text=blanked[real:end].strip(), line=_line_at(sql, real), node=node,
                            error=error, allowed=_allowed(sql[previous_end:end])))
        previous_end = end
    return sorted(pieces, key=lambda p: p.start)
