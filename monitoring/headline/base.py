"""What a headline is made of, and the registry of the apps that contribute to it.

An ``Item`` is one line of a target's headline: a four-state verdict (``dbconsole.verdicts``) about
one thing — a health check, the lock incidents over the range, the open advisor findings — with one
sentence, the fix, and the page that explains it (every item links somewhere).

A ``Contributor`` turns what one app knows into items, for many targets at once (the fleet page asks
for all of them in one go: a contributor costs a fixed number of queries whatever the number of
targets). Apps register theirs in ``AppConfig.ready`` with ``register``: monitoring registers its lock
incidents, the advisor its findings. That is how the overview and the fleet badge show advisor
findings while ``monitoring`` never imports ``advisor`` (the import contract): the registry lives down
here and the app above plugs into it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dbconsole import verdicts
from dbconsole.timerange import TimeRange
from monitoring.history.selectors.health import HealthInputs
from monitoring.models import Target


@dataclass(frozen=True)
class Line:
    """A detail under an item (an incident, a finding), linked to its own page."""

    text: str
    url: str = ""
    status: str = ""


@dataclass(frozen=True)
class Item:
    key: str             # stable: "check:sequences", "locks", "advisor:indexes", …
    source: str          # who said it: "health", "locks", "advisor", …
    title: str
    status: str          # ok | warning | critical | unknown
    summary: str
    url: str = ""        # the page that explains it
    fix: str = ""
    lines: tuple[Line, ...] = ()

    def __post_init__(self) -> None:
        verdicts.validate(self.status)

    @property
    def needs_attention(self) -> bool:
        return verdicts.needs_attention(self.status)

    @property
    def level(self) -> str:
        return verdicts.LEVEL[self.status]

    @property
    def rank(self) -> int:
        return verdicts.ORDER[self.status]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Context:
    """What every contributor is handed: the targets, the range, the time the headline is made at, and
    the health inputs already read (collector statuses included, to tell "none" from "cannot see")."""

    targets: Sequence[Target]
    time_range: TimeRange
    at: dt.datetime
    inputs: dict[int, HealthInputs] = field(default_factory=dict)

    def link(self, url: str) -> str:
        """``url`` keeping the range, so the page that explains an item shows the same window."""
        return f"{url}{'&' if '?' in url else '?'}{self.time_range.querystring()}"


class Contributor(ABC):
    """Documented hooks:

    * ``name`` — unique; the key its items are grouped under and what a failure is reported as.
    * ``items(ctx)`` — ``{target_id: [Item, …]}`` for the targets of ``ctx``, in a fixed number of
      queries whatever their number. An item that needs attention must link to its page; what the
      contributor cannot see is unknown, with its fix (never left out, never ok).
    """

    name: ClassVar[str]

    @abstractmethod
    def items(self, ctx: Context) -> dict[int, list[Item]]:
        """This app's items per target."""


_REGISTRY: dict[str, Contributor] = {}


def register(contributor: Contributor) -> None:
    """Add (or replace: ``ready`` may run again in tests) the contributor of that name."""
    _REGISTRY[contributor.name] = contributor


def contributors() -> list[Contributor]:
    """In registration order, i.e. the order of ``INSTALLED_APPS``."""
    return list(_REGISTRY.values())
