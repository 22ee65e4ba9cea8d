"""Which statements are dbconsole's own: the rule the Queries page hides them by (a toggle shows them).

dbconsole's statements carry the comment ``/* dbconsole */`` right after their first keyword — the
place where ``pg_stat_statements`` keeps it on PostgreSQL 15 and 18 alike (18 drops a comment before
the statement) — or, as our SQL files have it and PostgreSQL ≤ 17 keeps it, before the statement. The
role is no way to tell them apart: a small shop monitors with the application's own role.

The rule belongs to the Django-free ground floor (``pgsql.own_statements`` — ``mark``, which puts the
marker on every statement the guarded connection sends, ``is_own_statement`` and this very pattern,
proven in PostgreSQL and Python alike — from the ``advice`` branch). Until that module is on main the
pattern is written out here, once, in the same form; this module then imports it from there, and the
selectors, which read only ``OWN_STATEMENT_PATTERN`` from here, do not change.

The pattern is valid for Python's ``re`` and PostgreSQL's regular expressions, so the history store
filters statement texts in SQL (``text ~ pattern``) with the same rule.
"""

from __future__ import annotations

# A block comment without nesting, the ones a recognisable marker sits among.
_BLOCK = r"/\*([^*]|\*+[^*/])*\*+/"
# Leading whitespace and comments, then the marker itself, or one first word and the marker, or an
# opening parenthesis and the marker.
OWN_STATEMENT_PATTERN = (
    r"^(\s|--[^\n]*\n|" + _BLOCK + r")*?"
    r"(/\* dbconsole \*/|[A-Za-z_][A-Za-z0-9_$]*\s*/\* dbconsole \*/|\(\s*/\* dbconsole \*/)"
)
