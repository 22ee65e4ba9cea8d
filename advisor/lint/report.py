"""The lint report: findings per statement, with the lock each statement takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from advisor.lint.locks import LockMode, blocks_reads, blocks_summary, blocks_writes


class Severity(StrEnum):
    """How bad a finding is. ``critical``: can stop reads or writes for a time that grows with the table
    (or fails outright); ``warning``: risky but bounded, or breaks running application code;
    ``info``: worth knowing, nothing to fix."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "critical": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """One problem (or note) about one statement."""

    rule: str
    severity: Severity
    line: int
    message: str
    safe_alternative: str = ""
    allowed: bool = False  # silenced by a "-- dbconsole: allow RULE" comment: shown, not counted

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity.value, "line": self.line,
                "message": self.message, "safe_alternative": self.safe_alternative, "allowed": self.allowed}


@dataclass(frozen=True)
class LockTaken:
    """A lock a statement takes on one relation."""

    relation: str
    mode: LockMode
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"relation": self.relation, "mode": self.mode.label, "blocks_reads": blocks_reads(self.mode),
                "blocks_writes": blocks_writes(self.mode), "blocks": blocks_summary(self.mode),
                "note": self.note}


@dataclass
class StatementReport:
    """A statement of the script: where it is, what it locks, and what is wrong with it."""

    index: int
    line: int
    text: str
    kind: str
    locks: list[LockTaken] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    in_transaction: bool = False
    parsed: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "line": self.line, "kind": self.kind, "text": self.text,
                "in_transaction": self.in_transaction, "parsed": self.parsed,
                "locks": [lk.to_dict() for lk in self.locks],
                "findings": [f.to_dict() for f in self.findings]}


@dataclass
class LintReport:
    """The whole report; ``findings`` flattens the per-statement findings in script order."""

    statements: list[StatementReport]

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.statements for f in s.findings]

    def counted(self) -> list[Finding]:
        """Findings that count (not silenced by an allow comment)."""
        return [f for f in self.findings if not f.allowed]

    def worst(self) -> Severity | None:
        """The highest severity among counted findings, or None when there are none."""
        ranked = sorted(self.counted(), key=lambda f: f.severity.rank)
        return ranked[-1].severity if ranked else None

    def reaches(self, threshold: Severity) -> bool:
        """True when a counted finding is at least as severe as ``threshold``."""
        return any(f.severity.rank >= threshold.rank for f in self.counted())

    def rules(self) -> set[str]:
        """Rule ids of the counted findings."""
        return {f.rule for f in self.counted()}

    def to_dict(self) -> dict[str, Any]:
        worst = self.worst()
        summary = {s.value: sum(1 for f in self.counted() if f.severity is s) for s in Severity}
        return {"worst": worst.value if worst else None, "summary": summary,
                "statements": [s.to_dict() for s in self.statements]}
