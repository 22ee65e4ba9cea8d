"""What a lint rule is: a function from one statement (with the script's state) to hits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from advisor.lint.report import LockTaken, Severity
from advisor.lint.state import ScriptState


@dataclass(frozen=True)
class Hit:
    """A rule's verdict on a statement, before the statement's line and allow-comments are attached."""

    rule: str
    severity: Severity
    message: str
    safe_alternative: str = ""


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at: the parse tree, the locks it takes, and the script state before it."""

    node: Any
    locks: list[LockTaken]
    state: ScriptState


Rule = Callable[[Context], list[Hit]]

CRITICAL, WARNING, INFO = Severity.CRITICAL, Severity.WARNING, Severity.INFO
