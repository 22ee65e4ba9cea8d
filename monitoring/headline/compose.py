"""A target's headline over a range: its health checks, then what every registered contributor says
(lock incidents, advisor findings, …), worst first. The overview shows it on top; the fleet page's
badge is its worst status.

"Nothing needs attention" is said only when every item is ok: a warning, a critical and an unknown
(what we cannot see) all need attention.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from dbconsole import verdicts
from dbconsole.thresholds import CRITICAL, OK, UNKNOWN, WARNING
from monitoring.headline.base import Context, Item, Line, contributors
from monitoring.health.check import Check
from monitoring.models import Target

log = logging.getLogger(__name__)

# Pages without a target in their URL: the fleet page, filtered to the target.
FLEET_PAGES = {"fleet"}
# Items that explain others (a target we cannot reach, collectors that fail): first among equals.
ROOT_CAUSES = ("check:reachable", "check:collectors")


def _order(item: Item) -> tuple[int, int]:
    return -item.rank, 0 if item.key in ROOT_CAUSES else 1


@dataclass(frozen=True)
class Headline:
    target: Target
    items: tuple[Item, ...]          # worst first, root causes first among equals

    @property
    def status(self) -> str:
        return verdicts.worst((i.status for i in self.items), default=UNKNOWN)

    @property
    def level(self) -> str:
        return verdicts.LEVEL[self.status]

    @property
    def rank(self) -> int:
        return verdicts.ORDER[self.status]

    @property
    def attention(self) -> list[Item]:
        return [i for i in self.items if i.needs_attention]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for i in self.items if i.status == s) for s in (CRITICAL, WARNING, UNKNOWN, OK)}

    @property
    def line(self) -> str:
        return " · ".join(f"{n} {s}" for s, n in self.counts.items() if n)

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target.name, "status": self.status, "counts": self.counts,
                "items": [i.as_dict() for i in self.items]}


def check_url(check: Check, target: Target, ctx: Context) -> str:
    """The page a check names (``page`` or ``page#anchor``), for this target and range."""
    if not check.page:
        return ""
    name, _, anchor = check.page.partition("#")
    fragment = f"#{anchor}" if anchor else ""
    try:
        if name in FLEET_PAGES:
            return f"{reverse(name)}?{urlencode({'q': target.name})}"
        return ctx.link(reverse(name, args=[target.name])) + fragment
    except NoReverseMatch:   # a page not built (yet): the item still reads fine without a link
        return ""


def check_item(check: Check, target: Target, ctx: Context) -> Item:
    lines = tuple(Line(f"{d.label}: {d.text}" + (f" — fix: {d.fix}" if d.fix else ""), status=d.status)
                  for d in check.details if d.status and d.status != OK)
    return Item(f"check:{check.key}", "health", check.title, check.status, check.summary,
                url=check_url(check, target, ctx), fix=check.fix, lines=lines)


def headlines(ctx: Context, checks: dict[int, list[Check]]) -> dict[int, Headline]:
    """Every target's headline: its checks (as already evaluated) and every contributor's items. A
    contributor that fails becomes an unknown item of its own — the page still renders."""
    items: dict[int, list[Item]] = {t.pk: [check_item(c, t, ctx) for c in checks.get(t.pk, [])]
                                    for t in ctx.targets}
    for contributor in contributors():
        try:
            found = contributor.items(ctx)
        except Exception:  # one broken source must not take the overview or the fleet page down
            log.exception("headline contributor %s failed", contributor.name)
            found = {t.pk: [Item(f"{contributor.name}:failed", contributor.name, contributor.name.title(), UNKNOWN,
                                 f"could not read {contributor.name} for the headline",
                                 fix="a dbconsole bug: the server log has the traceback")]
                     for t in ctx.targets}
        for target_id, more in found.items():
            items.setdefault(target_id, []).extend(more)
    return {t.pk: Headline(t, tuple(sorted(items[t.pk], key=_order))) for t in ctx.targets}


def headline_for(ctx: Context, checks: Sequence[Check]) -> Headline:
    (target,) = ctx.targets
    return headlines(ctx, {target.pk: list(checks)})[target.pk]
