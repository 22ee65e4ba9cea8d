"""Lint SQL migrations for locks and unsafe patterns.

    from advisor.lint import lint_sql, Severity
    report = lint_sql(open("0042.sql").read())
    report.reaches(Severity.WARNING)       # for CI
    report.to_dict()                       # per statement: locks taken, what they block, findings

Each finding has a rule id, a severity (info/warning/critical), the statement's line, a message and
the safe alternative. A ``-- dbconsole: allow RULE[, RULE]`` comment just before (or inside) a statement
keeps the finding in the report but marks it ``allowed`` so it doesn't count.
"""

from __future__ import annotations

from advisor.lint.engine import lint_sql
from advisor.lint.locks import LockMode, blocks_reads, blocks_writes
from advisor.lint.render import render_json, render_text
from advisor.lint.report import Finding, LintReport, LockTaken, Severity, StatementReport

__all__ = ["Finding", "LintReport", "LockMode", "LockTaken", "Severity", "StatementReport", "blocks_reads",
           "blocks_writes", "lint_sql", "render_json", "render_text"]
