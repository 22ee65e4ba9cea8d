"""Disk growth forecast: days until the database reaches the size limit its admin gave, at the
growth of the last day (size history from the database collection)."""

from __future__ import annotations

import datetime as dt

from django.template.defaultfilters import filesizeformat

from alerts.rules.base import Finding, Rule, Verdict, grade_finding, register
from alerts.rules.context import Context

WINDOW = dt.timedelta(days=1)
MIN_SPAN = dt.timedelta(hours=1)   # a slope over less than this is noise


@register
class DiskGrowth(Rule):
    key = "disk_growth"
    title = "Disk full forecast"
    doc = ("Where a size limit is given (rule parameter ``size_limit_bytes``, e.g. the volume's size), the days "
           "until the database reaches it at the growth of the last day (a least-squares line through the size "
           "samples) fall under ``disk_full_days`` (14 warns, 3 critical). Without a limit the rule is unknown "
           "(nothing to compare with) and raises nothing.")
    runbook = ("Tables page sorted by growth: what grows? Bloat (vacuum), a runaway log table (retention, "
               "partitioning), WAL kept by a slot? Add space before the forecast runs out.")
    severity = "critical"
    threshold = "disk_full_days"
    sources = ("database",)
    for_s = 1800
    page = "tables"

    def evaluate(self, ctx: Context) -> Verdict:
        limit = (ctx.params.get(self.key) or {}).get("size_limit_bytes")
        if not isinstance(limit, int | float) or isinstance(limit, bool) or limit <= 0:
            return Verdict.unknown("no size limit given (rule parameter size_limit_bytes on the settings page)")
        samples = [(s["captured_at"], float(s["size_bytes"])) for s in ctx.database_samples(WINDOW, ("size_bytes",))
                   if s["size_bytes"] is not None]
        if len(samples) < 3 or samples[-1][0] - samples[0][0] < MIN_SPAN:
            return Verdict.unknown("less than an hour of size history yet")
        size = samples[-1][1]
        slope = _slope([((at - samples[0][0]).total_seconds(), value) for at, value in samples])   # bytes/s
        if size >= limit:
            days = 0.0
        elif slope <= 0:
            return Verdict("ok", f"{filesizeformat(size)} of {filesizeformat(limit)}, not growing")
        else:
            days = (limit - size) / slope / 86400
        severity = grade_finding(ctx.thresholds.grade(self.threshold, days))
        summary = (f"{filesizeformat(size)} of {filesizeformat(limit)}, growing {filesizeformat(slope * 86400)}/day: "
                   f"full in {days:.1f} days")
        if severity is None:
            return Verdict("ok", summary)
        return Verdict.of([Finding(severity, summary, value=days, link=ctx.url(self.page))], "")


def _slope(points: list[tuple[float, float]]) -> float:
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0
