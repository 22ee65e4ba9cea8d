"""Sequences: every sequence, the integer column it feeds (serial or identity) and the share of the
range already used — of the tighter of the column's type and the sequence's own maximum."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import class_row

from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)

TYPE_MAX = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}


@dataclass(frozen=True)
class SequenceUse:
    schema: str
    name: str
    data_type: str
    min_value: int
    max_value: int
    increment_by: int
    cycle: bool
    readable: bool
    busy: bool
    last_value: int | None
    table_name: str
    column_name: str
    column_type: str

    @property
    def limit(self) -> int:
        """The value the next nextval() may not pass: the column type's maximum or the sequence's."""
        limits = [self.max_value]
        if self.column_type in TYPE_MAX:
            limits.append(TYPE_MAX[self.column_type])
        return min(limits)

    @property
    def percent_used(self) -> float | None:
        if self.last_value is None or self.increment_by <= 0:
            return None
        span = self.limit - self.min_value
        return round(100.0 * (self.last_value - self.min_value) / span, 4) if span > 0 else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema, "name": self.name, "data_type": self.data_type,
            "column": f"{self.table_name}.{self.column_name}" if self.column_name else "",
            "column_type": self.column_type, "last_value": self.last_value, "max_value": self.limit,
            "percent_used": self.percent_used, "cycle": self.cycle, "readable": self.readable,
            "skipped_locked": self.busy,
        }


def read_sequences(conn: psycopg.Connection[Any], major: int) -> tuple[SequenceUse, ...]:
    cur = conn.cursor(row_factory=class_row(SequenceUse))
    return tuple(cur.execute(SQL.load("sequences", major)).fetchall())
