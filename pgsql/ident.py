"""Quoting identifiers and checking SQL fragments: the one home of identifier quoting.

Names come from the target's catalog (mixed case, spaces, quotes and all), so every identifier is
quoted through psycopg's ``sql.Identifier`` — never by string formatting. Drafts quote every name
(:func:`quote_ident`); text meant to be read (hypothetical index definitions, evidence) quotes only
the names that need it (:func:`quote_ident_if_needed`), as PostgreSQL's own ``quote_ident()`` does.
Expressions and predicates (index expressions, partial-index predicates) are the only free SQL a
change may carry; they are parsed with PostgreSQL's own parser and re-printed, so a fragment is one
expression or nothing.

Names also reach text that is not an identifier: comments (:func:`sql_comment`, one line whatever the
name holds) and the bodies of DO blocks and functions (:func:`dollar_quote`, a delimiter the body
cannot contain).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from pglast import parse_sql
from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS
from pglast.parser import ParseError
from pglast.stream import RawStream
from psycopg import sql

# PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes.
MAX_IDENTIFIER_BYTES = 63

_PLAIN_IDENT = re.compile(r"^[a-z_][a-z0-9_$]*$")
_NEEDS_QUOTES = RESERVED_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS | COL_NAME_KEYWORDS


def quote_ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (``Orders`` → ``"Orders"``, ``a"b`` → ``"a""b"``)."""
    if not name:
        raise ValueError("an identifier cannot be empty")
    if "\x00" in name:
        raise ValueError("an identifier cannot contain NUL")
    return sql.Identifier(name).as_string(None)


def quote_ident_if_needed(name: str) -> str:
    """``name`` bare when PostgreSQL would read it back unchanged (``orders``), else :func:`quote_ident`
    (``Orders`` → ``"Orders"``, ``select`` → ``"select"``) — what PostgreSQL's ``quote_ident()`` returns."""
    if _PLAIN_IDENT.match(name) and name not in _NEEDS_QUOTES:
        return name
    return quote_ident(name)


def quote_ident_to_print(name: str) -> str:
    """:func:`quote_ident_if_needed`, safe to print where a person copies it from (a GRANT in a hint):
    a name holding control, format or unassigned characters (ESC, a newline, a bidi override) is written
    as a ``U&"…"`` identifier with those characters escaped, which the server reads back as the same name
    while the terminal or page shows nothing it could interpret."""
    if not any(_unprintable(ch) for ch in name):
        return quote_ident_if_needed(name)
    escaped = []
    for ch in name:
        if ch == "\\":
            escaped.append("\\\\")
        elif ch == '"':
            escaped.append('""')
        elif _unprintable(ch):
            escaped.append(f"\\{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\+{ord(ch):06X}")
        else:
            escaped.append(ch)
    return 'U&"' + "".join(escaped) + '"'


def _unprintable(ch: str) -> bool:
    # Controls (ESC, newline, …), format characters (bidi overrides), unassigned and private-use code points.
    return unicodedata.category(ch) in {"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"}


def printable(text: str) -> str:
    """``text`` on one line with nothing invisible: every character that is not printable — line breaks
    of any kind, tabs and other controls, bidirectional overrides and other format characters — is
    written as a backslash escape (``\\n``, ``\\x1b``, ``\\u202e``), and a backslash as ``\\\\``, so the
    text reads back unambiguously and cannot end the line it is written on or reorder what a reviewer
    sees around it."""
    out: list[str] = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(_ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else
                                            f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"))
    return "".join(out)


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def sql_comment(text: str) -> str:
    """``text`` made safe inside a SQL comment, line (``--``) or block (``/* */``): one line
    (:func:`printable`), no ``*/`` or ``/*`` that would end or nest a block comment, and no ``--``
    that would make the rest read as a comment of its own (``-- dbconsole: allow …`` silences lint)."""
    line = printable(text).replace("*/", "*\\/").replace("/*", "/\\*")
    while "--" in line:  # "---" leaves "--" after one pass
        line = line.replace("--", "-\\-")
    return line


def dollar_quote(body: str, tag: str = "dbconsole") -> str:
    """``body`` between dollar quotes whose tag the body does not contain (``$dbconsole$``, else
    ``$dbconsole_1$``, …): a name inside the body can never close the quote early."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tag):
        raise ValueError(f"not a dollar-quote tag: {tag!r}")
    candidate, n = f"${tag}$", 0
    # PostgreSQL ends the body at the first occurrence of the tag, which may begin inside the body.
    while (body + candidate).find(candidate) != len(body):
        n += 1
        candidate = f"${tag}_{n}$"
    return f"{candidate}{body}{candidate}"


def quote_literal(value: str) -> str:
    """``value`` as a SQL string literal."""
    return sql.Literal(value).as_string(None)


def qualified(schema: str, name: str) -> str:
    """``"schema"."name"``."""
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def regclass_literal(schema: str, name: str) -> str:
    """A string literal naming a relation the way ``::regclass`` and ``pg_get_serial_sequence`` parse it."""
    return quote_literal(qualified(schema, name))


def choose_name(table: str, parts: list[str], suffix: str) -> str:
    """A deterministic relation name within PostgreSQL's 63-byte limit.

    Like PostgreSQL's own ``ChooseRelationName`` (``table_col1_col2_idx``), but when the name is too
    long it is cut and given a short hash of the full name, so two long names never collide after
    truncation — the SQL, Django and Alembic drafts must all agree on the same name.
    """
    full = "_".join([table, *parts, suffix])
    if len(full.encode()) <= MAX_IDENTIFIER_BYTES:
        return full
    digest = hashlib.sha1(full.encode(), usedforsecurity=False).hexdigest()[:8]
    tail = f"_{digest}_{suffix}"
    head = full.encode()[: MAX_IDENTIFIER_BYTES - len(tail.encode())].decode(errors="ignore")
    return head + tail


def check_identifier_length(name: str) -> None:
    """Refuse names PostgreSQL would silently truncate (the draft would then name the wrong object)."""
    if len(name.encode()) > MAX_IDENTIFIER_BYTES:
        raise ValueError(f"identifier longer than {MAX_IDENTIFIER_BYTES} bytes: {name!r}")


def normalize_expression(text: str, *, what: str = "expression") -> str:
    """Parse ``text`` as exactly one SQL value expression and return PostgreSQL's printing of it.

    Raises ``ValueError`` for anything else — a second statement, a subquery list, a syntax error —
    so a change can never smuggle a statement into a draft.
    """
    try:
        stmts = parse_sql(f"SELECT ({text})")
    except ParseError as exc:
        raise ValueError(f"invalid {what} {text!r}: {exc}") from None
    if len(stmts) != 1:
        raise ValueError(f"invalid {what} {text!r}: more than one statement")
    select = stmts[0].stmt
    targets: tuple[Any, ...] = getattr(select, "targetList", None) or ()
    clauses = ("fromClause", "whereClause", "groupClause", "havingClause", "sortClause", "limitCount")
    if len(targets) != 1 or any(getattr(select, c, None) for c in clauses):
        raise ValueError(f"invalid {what} {text!r}: not a single expression")
    return str(RawStream()(targets[0].val))
