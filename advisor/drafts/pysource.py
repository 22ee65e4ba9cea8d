"""Writing Python source that carries names from a monitored database: the one place that quotes them.

A generated migration is imported by Django or Alembic, so a name that escapes its string literal or
its comment runs as code on the DBA's machine. Names therefore reach Python source only as

* string literals, through :func:`py_str` — ``repr()``, or a triple-quoted literal when that is
  provably the same string (multi-line SQL stays readable); checked by parsing it back;
* comments, through :func:`py_comment` — one line, nothing invisible.

Docstrings carry no names at all.
"""

from __future__ import annotations

import ast

from pgsql.ident import printable


def _triple_quoted_is_safe(text: str) -> bool:
    # Python reads CR and CRLF inside a literal as LF, and a backslash starts an escape: either would
    # change the string. A quote at the end or three in a row would end the literal.
    return ("\n" in text and '"""' not in text and "\\" not in text and not text.endswith('"')
            and all(ch == "\n" or ch.isprintable() for ch in text))


def py_str(text: str) -> str:
    """A Python literal for ``text``: triple-quoted when multi-line and safe to, else ``repr``."""
    literal = '"""' + text + '"""' if _triple_quoted_is_safe(text) else repr(text)
    if ast.literal_eval(literal) != text:  # the rules above make this impossible: a last line of defence
        raise ValueError("a Python literal did not read back as its text")
    return literal


def py_comment(text: str) -> str:
    """``# text`` on one line: line breaks and every other invisible character escaped."""
    return "# " + printable(text)
