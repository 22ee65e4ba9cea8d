"""The advisor's contribution to the overview headline and the fleet badge: the open findings by
category and severity, registered into ``monitoring.headline`` from ``AdvisorConfig.ready`` — monitoring
shows them without ever importing the advisor.

One item per category with open findings, graded by its worst open finding (``info`` is ok: worth
reading, nothing to act on), linking to the advisor's list filtered to it, the most pressing findings
each linking to its own page. A target the advisor never ran on, or whose last run failed, is unknown:
"no finding" would be a guess. Two queries whatever the number of targets.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.urls import reverse

from advisor.models import AdvisorRun, Category
from advisor.selectors import last_runs, open_findings
from dbconsole import verdicts
from dbconsole.thresholds import OK, UNKNOWN
from monitoring.headline.base import Context, Contributor, Item, Line
from monitoring.models import Target

SHOWN = 3   # findings listed under an item; the list page has the rest


def status_of(severity: str) -> str:
    """A finding's severity as a verdict: info folds into ok, anything unrecognised is unknown."""
    status = verdicts.from_grade(severity)
    return status if status in verdicts.ORDER else UNKNOWN


class AdvisorFindings(Contributor):
    name = "advisor"

    def items(self, ctx: Context) -> dict[int, list[Item]]:
        ids = [t.pk for t in ctx.targets]
        found: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for row in open_findings(ids):
            found[row["target_id"]][row["category"]].append(row)
        runs = last_runs(ids)
        return {t.pk: self._items(ctx, t, found.get(t.pk, {}), runs.get(t.pk)) for t in ctx.targets}

    def _items(self, ctx: Context, target: Target, by_category: dict[str, list[dict[str, Any]]],
               run: AdvisorRun | None) -> list[Item]:
        page = reverse("advisor", args=[target.name])
        out = []
        for category in Category.values:
            rows = by_category.get(category)
            if not rows:
                continue
            status = verdicts.worst((status_of(r["severity"]) for r in rows), default=OK)
            counts = {s: sum(1 for r in rows if r["severity"] == s) for s in ("critical", "warning", "unknown", "info")}
            summary = f"{len(rows)} open: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
            lines = tuple(Line(f"{r['severity']}: {r['title']}", reverse("advisor-detail", args=[target.name, r["pk"]]),
                               status_of(r["severity"])) for r in rows[:SHOWN])
            out.append(Item(f"advisor:{category}", self.name, f"Advisor: {category}", status, summary,
                            url=f"{page}?status=open", lines=lines,
                            fix="" if status == OK else "review them: accept (and draft the migration), dismiss or "
                                                        "snooze each"))
        if run is None:
            out.append(Item("advisor:run", self.name, "Advisor", UNKNOWN, "the advisor has not run on this target yet",
                            url=page, fix=f"manage.py advise --target {target.name} (or wait for its scheduled run)"))
        elif run.status == "failed":
            out.append(Item("advisor:run", self.name, "Advisor", UNKNOWN,
                            f"its last run failed ({run.finished_at:%Y-%m-%d %H:%M}): {run.message}"[:300], url=page,
                            fix=f"see the run on the advisor page; manage.py advise --target {target.name} retries"))
        elif not out:
            out.append(Item("advisor:run", self.name, "Advisor", OK,
                            f"no open finding (last run {run.finished_at:%Y-%m-%d %H:%M})", url=page))
        return out
