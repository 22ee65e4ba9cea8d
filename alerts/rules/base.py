"""The base class every alert rule derives from, what a rule returns, and the registry.

A rule is one condition graded on one target from the collected history (never by querying the
target: evaluation adds no load to it). The documented hooks of ``Rule``:

* ``key`` — registry key, the alert's ``alertname`` label, the CLI's ``--rule`` and the settings key;
* ``title``, ``doc`` (what it watches and why), ``runbook`` (what the on-call engineer does);
* ``severity`` — the severity it fires with (rules graded by a threshold fire with the level reached:
  ``severity`` then names the highest it can reach);
* ``threshold`` — the key in ``dbconsole.thresholds`` it grades with (overridable per target in
  ``Target.thresholds``), or None for a rule with no tunable bound;
* ``for_s`` — how long the condition must hold before the alert fires (``pending`` until then);
  ``keep_firing_s`` — how long it must be gone before the alert resolves (the flapping guard);
* ``sources`` — the collectors whose history it reads. The engine evaluates the rule again only when
  one of them has run since (plus every cycle when ``sources`` is empty: rules about time passing),
  and grades it ``unknown`` without calling it when a source has never run, fails or is stale;
* ``page`` — URL name of the per-target page that explains what it found;
* ``evaluate(ctx)`` → ``Verdict``.

Four states, never a false ok: a verdict is ``ok``, ``warning``, ``critical`` or ``unknown``. An
unknown verdict never fires the rule's alert; when someone can fix what blinds it (a failing or stale
collector, a missing grant) the engine raises the low-severity ``cannot_evaluate`` alert instead,
naming why and the fix (the exact GRANT).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from dbconsole.thresholds import CRITICAL, INFO, OK, RANK, UNKNOWN, WARNING

if TYPE_CHECKING:
    from alerts.rules.context import Context

STATUSES = (OK, WARNING, CRITICAL, UNKNOWN)


@dataclass(frozen=True)
class Finding:
    """One thing that should alert: the rule's whole target (``instance`` empty) or one part of it."""

    severity: str                       # warning or critical (info for cannot_evaluate)
    summary: str                        # one line; names what was found
    instance: str = ""                  # what within the target: a collector, a root pid, a slot
    description: str = ""               # the cause attached: root blocker, the statement, the GRANT
    value: float | None = None          # the value graded, in the threshold's unit
    labels: dict[str, str] = field(default_factory=dict)   # extra labels (part of the fingerprint)
    link: str = ""                      # path of the page that explains it (default: the rule's page)
    details: dict[str, Any] = field(default_factory=dict)  # extra annotations (e.g. root_pid)

    def __post_init__(self) -> None:
        if self.severity not in (INFO, WARNING, CRITICAL):
            raise ValueError(f"a finding fires at info, warning or critical, not {self.severity!r}")


@dataclass(frozen=True)
class Verdict:
    status: str                          # ok, warning, critical or unknown
    summary: str
    findings: tuple[Finding, ...] = ()
    reason: str = ""                     # unknown: why it cannot be evaluated
    fix: str = ""                        # unknown: what makes it evaluable (a GRANT, a setting)
    actionable: bool = False             # unknown that someone can fix: raises cannot_evaluate
    cause: str = ""                      # unknown: what blinds it, shared by the rules it blinds

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown verdict status {self.status!r}")

    @classmethod
    def of(cls, findings: list[Finding], ok_summary: str) -> Verdict:
        """ok with ``ok_summary`` when nothing was found, else the worst finding's severity."""
        if not findings:
            return cls(OK, ok_summary)
        worst = max(findings, key=lambda f: RANK[f.severity])
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        # An info finding (cannot_evaluate) still needs a look: never an "ok" verdict.
        status = worst.severity if worst.severity != INFO else WARNING
        return cls(status, worst.summary + more, tuple(findings))

    @classmethod
    def unknown(cls, reason: str, fix: str = "", *, actionable: bool = False, cause: str = "") -> Verdict:
        return cls(UNKNOWN, reason, reason=reason, fix=fix, actionable=actionable, cause=cause)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        findings = tuple(Finding(**f) for f in data.get("findings", ()))
        return cls(**{**data, "findings": findings})


class Rule(ABC):
    key: ClassVar[str]
    title: ClassVar[str]
    doc: ClassVar[str]
    runbook: ClassVar[str]
    severity: ClassVar[str]
    threshold: ClassVar[str | None] = None
    for_s: ClassVar[int] = 0
    keep_firing_s: ClassVar[int] = 0
    sources: ClassVar[tuple[str, ...]] = ()
    page: ClassVar[str] = "overview"

    @abstractmethod
    def evaluate(self, ctx: Context) -> Verdict:
        """Grade the target from ``ctx`` (history already collected, thresholds with its overrides)."""


REGISTRY: dict[str, type[Rule]] = {}
R = TypeVar("R", bound=type[Rule])


def register(cls: R) -> R:
    if cls.key in REGISTRY:
        raise ValueError(f"two alert rules named {cls.key!r}")
    if cls.severity not in (INFO, WARNING, CRITICAL):
        raise ValueError(f"{cls.key}: severity must be info, warning or critical")
    REGISTRY[cls.key] = cls
    return cls


def grade_finding(grade: str) -> str | None:
    """The severity a threshold grade fires with, or None when it does not fire (ok, info, unknown)."""
    return grade if grade in (WARNING, CRITICAL) else None
