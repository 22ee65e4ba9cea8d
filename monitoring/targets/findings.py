"""What a check found: one finding per capability, each with its level and, when something is
missing, the exact statement that fixes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK, INFO, WARN, ERROR = "ok", "info", "warn", "error"


@dataclass(frozen=True)
class Finding:
    name: str
    level: str
    detail: str
    hint: str = ""

    def line(self) -> str:
        text = f"{self.level:<5} {self.name}: {self.detail}"
        return text + (f"\n      hint: {self.hint}" if self.hint else "")


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    server_version_num: int | None = None

    @property
    def connected(self) -> bool:
        return self.server_version_num is not None

    @property
    def worst(self) -> str:
        order = [OK, INFO, WARN, ERROR]
        return max((f.level for f in self.findings), key=order.index, default=OK)

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.findings.append(Finding(*args, **kwargs))
