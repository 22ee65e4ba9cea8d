"""The neutral shape every change is planned into, before it is rendered as SQL, Django or Alembic.

A change becomes a list of :class:`Step`\\ s. A step is what a DBA would run as one unit: its
statements, the session settings they need, whether they run inside one transaction, what to do if
the step fails, and the statements that undo it. Renderers only lay steps out; every decision about
*how* to run a change safely is taken by the planners in :mod:`advisor.drafts.plans`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# How a step's statements are wrapped:
#   "concurrent"  — each statement on its own, outside any transaction block (CONCURRENTLY, VACUUM,
#                   DO blocks that COMMIT); lock_timeout off, statement_timeout off: the wait does not
#                   block reads or writes, and builds take as long as they take.
#   "ddl"         — statements that take a strong lock briefly: one transaction, short lock_timeout
#                   so a blocked ALTER gives up instead of queueing every query behind it.
#   "long"        — a long scan under a weak lock (VALIDATE CONSTRAINT): lock_timeout short for the
#                   acquisition, statement_timeout off for the scan.
Mode = Literal["concurrent", "ddl", "long"]


@dataclass(frozen=True)
class DraftOptions:
    """Timeouts written into drafts. Strings are PostgreSQL interval literals."""

    lock_timeout: str = "5s"
    ddl_statement_timeout: str = "1min"


@dataclass(frozen=True)
class Step:
    """One unit of a plan: forward statements, their rollback, and the words around them."""

    title: str
    forward: tuple[str, ...]
    rollback: tuple[str, ...] = ()
    mode: Mode = "ddl"
    notes: tuple[str, ...] = ()
    on_failure: tuple[str, ...] = ()
    rollback_notes: tuple[str, ...] = ()
    # A stage of a staged plan (bigint): steps with the same stage number are run together and can be
    # rolled back together; 0 for plans that are a single stage.
    stage: int = 0


@dataclass(frozen=True)
class Plan:
    """The steps of one change, plus guidance and a follow-up to run later (never in the main draft)."""

    title: str
    steps: tuple[Step, ...]
    guidance: tuple[str, ...] = ()
    followup: tuple[Step, ...] = field(default_factory=tuple)
    # Django: when set, the draft may use AddIndexConcurrently / RemoveIndexConcurrently.
    django_index: DjangoIndexSpec | None = None


@dataclass(frozen=True)
class DjangoIndexSpec:
    """What a Django index operation needs: the model's table, the index name, columns and direction."""

    operation: Literal["add", "remove"]
    schema: str
    table: str
    name: str
    columns: tuple[str, ...]
    descending: tuple[bool, ...]
    include: tuple[str, ...] = ()
    unique: bool = False
