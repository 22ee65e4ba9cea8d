"""All lint rules, grouped by concern; ``ALL_RULES`` is the order they run in."""

from __future__ import annotations

from advisor.lint.rules import columns, constraints, indexes, session, statements, tables
from advisor.lint.rules.base import Context, Hit, Rule

ALL_RULES: list[Rule] = [*indexes.RULES, *constraints.RULES, *columns.RULES, *tables.RULES, *session.RULES,
                         *statements.RULES]

__all__ = ["ALL_RULES", "Context", "Hit", "Rule"]
