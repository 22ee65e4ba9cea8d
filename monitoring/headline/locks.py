"""Monitoring's own contribution to the headline: the lock incidents over the range.

A lock chain that lasted 40 s out of every two minutes is rarely there at the instant somebody looks,
so "blocked sessions now" alone says ok; the incidents the locks collector recorded over the range say
what happened: how many, the longest wait, the root blocker, and a link to the replay of the worst one.
Graded by the longest wait (``lock_wait_seconds``). Blind when the locks collector fails or collection
stopped: "no incident" would then be a guess.
"""

from __future__ import annotations

from django.urls import reverse

from dbconsole.formatting import format_duration
from dbconsole.thresholds import OK, UNKNOWN, thresholds_for
from dbconsole.verdicts import from_grade
from monitoring.headline.base import Context, Contributor, Item, Line
from monitoring.health.check import plural
from monitoring.health.feeds import feed_blind, not_collected
from monitoring.history.selectors.locks import IncidentSummary, incident_summaries
from monitoring.models import Target


class LockIncidents(Contributor):
    name = "locks"

    def items(self, ctx: Context) -> dict[int, list[Item]]:
        found = incident_summaries([t.pk for t in ctx.targets], ctx.time_range.start, ctx.time_range.end)
        return {t.pk: [self._item(ctx, t, found.get(t.pk))] for t in ctx.targets}

    def _item(self, ctx: Context, target: Target, summary: IncidentSummary | None) -> Item:
        page = ctx.link(reverse("locks", args=[target.name]))
        inputs = ctx.inputs.get(target.pk)
        limits = thresholds_for(target)
        blind = feed_blind(inputs, "locks", ctx.at, limits) if inputs is not None else None
        if summary is None:
            never = inputs is not None and not any(s.collector == "locks" and s.status != "never"
                                                   for s in inputs.statuses)
            if blind is not None or never:
                reason = blind.reason if blind is not None else "the locks collector has not run yet"
                fix = blind.fix if blind is not None else (not_collected(inputs, "locks") if inputs else "")
                return Item("locks", self.name, "Lock incidents", UNKNOWN,
                            f"{reason}: lock incidents in the {ctx.time_range.label} cannot be told",
                            url=page, fix=fix or "see the locks collector on the fleet page")
            return Item("locks", self.name, "Lock incidents", OK,
                        f"no session waited on a lock in the {ctx.time_range.label}", url=page)
        status = from_grade(limits.grade("lock_wait_seconds", summary.max_wait_seconds))
        root = ", ".join(filter(None, (summary.root_usename, summary.root_application)))
        blocker = f"pid {summary.root_pid}" + (f" ({root})" if root else "")
        query = " ".join((summary.root_query or "").split())[:120]
        text = (f"{plural(summary.incidents, 'lock incident')} in the {ctx.time_range.label}; longest wait "
                f"{format_duration(summary.max_wait_seconds)} ({plural(summary.max_waiters, 'waiter')}) behind "
                f"{blocker}" + (f": {query}" if query else ""))
        replay = ctx.link(reverse("lock-incident", args=[target.name, summary.worst_id]))
        lines = [Line(f"worst: {summary.started_at:%Y-%m-%d %H:%M:%S}, waited "
                      f"{format_duration(summary.max_wait_seconds)}"
                      + (f" on {', '.join(summary.relations[:3])}" if summary.relations else ""), replay, status)]
        if summary.latest_id != summary.worst_id:
            lines.append(Line(f"latest: seen at {summary.latest_at:%Y-%m-%d %H:%M:%S}",
                              ctx.link(reverse("lock-incident", args=[target.name, summary.latest_id]))))
        lines.append(Line("every incident of the range on the Locks page", page))
        fix = "" if status == OK else (
            f"replay the worst incident to see what {blocker} held and who queued behind it; keep "
            "transactions that take strong locks (DDL, LOCK TABLE) short and set lock_timeout for them")
        return Item("locks", self.name, "Lock incidents", status, text, url=replay, fix=fix, lines=tuple(lines))
