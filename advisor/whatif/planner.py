"""Generic plans for statements with ``$n`` placeholders, on every PostgreSQL major.

* PostgreSQL 16+: ``EXPLAIN (GENERIC_PLAN) <statement>``.
* Before 16: ``PREPARE`` the statement, ``EXPLAIN EXECUTE`` it with NULL for every parameter under
  ``plan_cache_mode = force_generic_plan`` (the values are never looked at: a generic plan is built
  without them), then ``DEALLOCATE``. The prepared statement is rebuilt for every EXPLAIN: its cached
  generic plan would otherwise outlive the hypothetical indexes it was planned with.

Both forms go through the simple query protocol (``prepare=False``, no client-side parameters): over
the extended protocol the server would take ``$1`` for a protocol parameter and demand a value.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors as pgerrors

_STATEMENT = "dbconsole_whatif"
_TOTAL_COST = re.compile(r"\(cost=[0-9.]+\.\.([0-9.]+) rows=([0-9]+) ")
_HYPOTHETICAL = re.compile(r"\"?<(\d+)>")
_PARAMETER = re.compile(r"parameter \$(\d+)")


class PlanError(Exception):
    """The server could not plan the statement; ``param`` is set when a placeholder was untypable."""

    def __init__(self, message: str, param: int | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Plan:
    """The planner's total cost and row estimates and the hypothetical indexes (by oid) the plan uses."""

    cost: float
    hypothetical_oids: frozenset[int]
    rows: float = 0.0


class GenericPlanner:
    """Plans statements generically over the caller's connection; counts EXPLAINs."""

    def __init__(self, conn: Any, server_major: int) -> None:
        self.conn = conn
        self.server_major = server_major
        self.explains = 0
        self._previous: dict[str, str] = {}

    @property
    def native(self) -> bool:
        return self.server_major >= 16

    def begin(self) -> None:
        """Session settings for what-if planning (restored by :meth:`end`).

        JIT goes off: EXPLAIN starts the executor, which generates JIT code for every expression of a
        plan above ``jit_above_cost`` — ten times the planning time on TPC-H, for code nobody runs.
        Costs do not depend on it. Before 16, prepared statements must be planned generically.
        """
        self._previous = {name: self._run(f"SHOW {name}")[0][0] for name in self._settings()}
        for name, value in self._settings().items():
            self._run(f"SET {name} = {value}")

    def end(self) -> None:
        for name, value in self._previous.items():
            self._run(f"SET {name} = {_quote_setting(value)}")
        self._previous = {}

    def _settings(self) -> dict[str, str]:
        settings = {"jit": "off"}
        if not self.native:
            settings["plan_cache_mode"] = "force_generic_plan"
        return settings

    def explain(self, sql: str, param_numbers: set[int]) -> Plan:
        """Generic plan of ``sql`` whose placeholders are ``param_numbers``; raises :class:`PlanError`."""
        self.explains += 1
        try:
            if self.native or not param_numbers:
                option = "GENERIC_PLAN, " if self.native and param_numbers else ""
                rows = self._run(f"EXPLAIN ({option}COSTS ON, FORMAT TEXT) {sql}")
            else:
                rows = self._explain_prepared(sql, param_numbers)
        except pgerrors.IndeterminateDatatype as exc:
            found = _PARAMETER.search(str(exc))
            raise PlanError(_first_line(exc), int(found.group(1)) if found else None) from None
        except psycopg.Error as exc:
            if self.conn.closed or self.conn.broken:
                raise  # the connection is gone: nothing more can be planned
            # A statement_timeout (QueryCanceled) is this statement's problem, not the run's.
            raise PlanError(_first_line(exc)) from None
        lines = [str(r[0]) for r in rows]
        found = _TOTAL_COST.search(lines[0]) if lines else None
        if found is None:
            raise PlanError(f"unexpected EXPLAIN output: {lines[:1]!r}")
        oids = frozenset(int(m) for line in lines for m in _HYPOTHETICAL.findall(line))
        return Plan(cost=float(found.group(1)), hypothetical_oids=oids, rows=float(found.group(2)))

    def _explain_prepared(self, sql: str, param_numbers: set[int]) -> list[tuple[Any, ...]]:
        highest = max(param_numbers)
        # A number with no placeholder in the text (rare: squashed lists) gets a declared type, or
        # PREPARE could not type it.
        types = ""
        if len(param_numbers) != highest:
            types = "(" + ", ".join("unknown" if n in param_numbers else "text"
                                    for n in range(1, highest + 1)) + ")"
        args = ", ".join(["NULL"] * highest)
        # One round trip for the three statements (simple protocol runs them in order and stops at
        # the first error, which then leaves the statement prepared: deallocated below).
        try:
            return self._run(f"PREPARE {_STATEMENT}{types} AS {sql}; "
                             f"EXPLAIN (COSTS ON, FORMAT TEXT) EXECUTE {_STATEMENT}({args}); "
                             f"DEALLOCATE {_STATEMENT}")
        except psycopg.Error:
            if not (self.conn.closed or self.conn.broken):
                self._deallocate()
            raise

    def _deallocate(self) -> None:
        # When PREPARE itself failed there is nothing to deallocate.
        with contextlib.suppress(pgerrors.InvalidSqlStatementName):
            self._run(f"DEALLOCATE {_STATEMENT}")

    def _run(self, sql: str) -> list[tuple[Any, ...]]:
        """Run one or more statements; the rows of the (last) one that returns rows."""
        rows: list[tuple[Any, ...]] = []
        with self.conn.cursor() as cur:
            cur.execute(sql, prepare=False)
            while True:
                if cur.description:
                    rows = list(cur.fetchall())
                if not cur.nextset():
                    return rows


def _quote_setting(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
