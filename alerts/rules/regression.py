"""Query regression: a statement's mean execution time over the last minutes against its own past,
from the statements history (never a new read of the target)."""

from __future__ import annotations

import datetime as dt

from alerts.rules.base import Finding, Rule, Verdict, grade_finding, register
from alerts.rules.context import Context
from dbconsole.formatting import format_duration, format_ms
from monitoring.history.selectors.statement_means import HourMeans, Mean, hour_means, recent_means
from monitoring.models import Statement
from pgsql.ident import quote_ident_if_needed

# The baselines, most telling first: the same hour a week back (weekly rhythm), then the day before.
BASELINES = ((dt.timedelta(days=7), "the same hour last week"), (dt.timedelta(days=1), "the same hour yesterday"))
# A statement that went from 0.02 ms to 0.2 ms is 10x slower and nobody cares: it must also have lost this much.
MIN_SLOWDOWN_MS = 1.0
TEXT_CHARS = 600


@register
class QueryRegression(Rule):
    key = "query_regression"
    title = "Query regression"
    doc = ("A statement's mean execution time over the last ``query_regression_window_seconds`` (15 min) is "
           "``query_regression_ratio`` times its baseline or more (3x warns, 10x critical) — the baseline being "
           "its mean over the same clock hour last week, else the day before (the slower of the two when both "
           "exist), read from the stored hourly history. Both need ``query_regression_min_calls`` calls (20), "
           f"and the mean must have grown by {MIN_SLOWDOWN_MS:g} ms at least.")
    runbook = ("Open the statement (linked): did its plan change (EXPLAIN now vs. its history), did the data "
               "grow, was an index dropped, statistics stale (ANALYZE), a parameter changed? The annotations hold "
               "its text and both means.")
    severity = "critical"
    threshold = "query_regression_ratio"
    sources = ("statements",)
    page = "queries"

    def evaluate(self, ctx: Context) -> Verdict:
        window = dt.timedelta(seconds=ctx.thresholds.bound("query_regression_window_seconds", "warning"))
        min_calls = int(ctx.thresholds.bound("query_regression_min_calls", "warning"))
        middle = ctx.now - window / 2
        references = [(hour_means(ctx.target.pk, middle - back, min_calls), label) for back, label in BASELINES]
        covered = [(ref, label) for ref, label in references if ref.covered]
        if not covered:
            return Verdict.unknown(f"no baseline yet: the statements history must reach back to {BASELINES[1][1]}",
                                   cause="history:statements")
        recent = recent_means(ctx.target.pk, ctx.now - window, ctx.now, min_calls)
        candidates = []
        for seq, now in recent.items():
            found = _baseline(seq, covered)
            if found is None:
                continue
            base, label = found
            ratio = now.mean_ms / base.mean_ms if base.mean_ms > 0 else float("inf")
            severity = grade_finding(ctx.thresholds.grade(self.threshold, ratio))
            if severity and now.mean_ms - base.mean_ms >= MIN_SLOWDOWN_MS:
                candidates.append((seq, now, base, label, ratio, severity))
        hidden = ctx.statuses.get("statements")
        if not candidates and hidden is not None and hidden.status == "partial" and "hidden" in hidden.reason:
            # Statements of other users are invisible to the role: "none regressed" would be a guess.
            role = quote_ident_if_needed(ctx.target.username)
            return Verdict.unknown(hidden.reason, f"GRANT pg_read_all_stats TO {role};", actionable=True,
                                   cause="grant:pg_read_all_stats")
        if not candidates:
            return Verdict("ok", f"{len(recent)} statement(s) with {min_calls}+ calls in the last "
                                 f"{format_duration(window.total_seconds())}, none slower than "
                                 f"{ctx.thresholds.bound(self.threshold, 'warning'):g}x its baseline")
        statements = {s.seq: s for s in Statement.objects.select_related("text").filter(
            target=ctx.target, seq__in=[c[0] for c in candidates])}
        findings = []
        for seq, now, base, label, ratio, severity in candidates:
            statement = statements.get(seq)
            queryid = str(statement.queryid) if statement else f"seq {seq}"
            text = (statement.text.text if statement and statement.text else "")[:TEXT_CHARS]
            findings.append(Finding(
                severity, f"statement {queryid} is {ratio:.1f}x slower: {format_ms(now.mean_ms)} per call over the "
                          f"last {format_duration(window.total_seconds())} vs {format_ms(base.mean_ms)} {label}",
                instance=queryid, value=ratio, labels={"queryid": queryid},
                description=f"{now.calls:,} calls now, {base.calls:,} in the baseline hour; "
                            f"database {statement.datname if statement else '?'}, user "
                            f"{statement.usename if statement else '?'}; query: {text or '(text not stored)'}",
                link=ctx.url("query-detail", seq),
                details={"queryid": queryid, "query": text, "mean_ms": f"{now.mean_ms:.3f}",
                         "baseline_mean_ms": f"{base.mean_ms:.3f}", "baseline": label}))
        return Verdict.of(findings, "")


def _baseline(seq: int, covered: list[tuple[HourMeans, str]]) -> tuple[Mean, str] | None:
    """The slower of the references that saw the statement often enough: a regression must be slower
    than both the week's and the day's rhythm."""
    seen = [(ref.means[seq], label) for ref, label in covered if seq in ref.means]
    return max(seen, key=lambda pair: pair[0].mean_ms) if seen else None
