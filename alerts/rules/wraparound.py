"""Running out of numbers: transaction (and multixact) id wraparound, sequences near the end of their
range. Graded exactly as the overview and the advisor grade them (``dbconsole.thresholds``)."""

from __future__ import annotations

from alerts.rules.base import Finding, Rule, Verdict, grade_finding, register
from alerts.rules.context import Context
from dbconsole.thresholds import XID_LIMIT, grade_sequence, grade_wraparound
from monitoring.history.selectors.sequences import sequences_latest
from pgsql.ident import quote_ident_if_needed


@register
class Wraparound(Rule):
    key = "wraparound"
    title = "Transaction id wraparound"
    doc = ("The database's xid (or mxid) age against autovacuum_(multixact_)freeze_max_age "
           "(``wraparound_freeze_age_ratio``: warning from 1x, critical from 2x) and the hard "
           f"``wraparound_age`` (critical from 1.5 billion; writes stop near {XID_LIMIT:,}).")
    runbook = ("Maintenance page: which tables are oldest? Make sure the anti-wraparound autovacuum runs and "
               "finishes (nothing cancels it, cost limits not too low); look for long transactions, stale slots "
               "and prepared transactions holding the horizon back; VACUUM (FREEZE) the oldest tables.")
    severity = "critical"
    threshold = "wraparound_freeze_age_ratio"
    sources = ("database",)
    page = "maintenance"

    def evaluate(self, ctx: Context) -> Verdict:
        database = ctx.health.database
        if database is None or database.get("xid_age") is None:
            return Verdict.unknown("no database sample stored yet")
        findings = []
        for label, age, limit in (("xid", int(database["xid_age"]), ctx.health.freeze_max_age),
                                  ("mxid", int(database.get("mxid_age") or 0), ctx.health.multixact_freeze_max_age)):
            severity = grade_finding(grade_wraparound(age, limit, ctx.thresholds))
            if severity:
                oldest = ", ".join(f"{t.name} ({t.xid_age if label == 'xid' else t.mxid_age:,})"
                                   for t in ctx.health.oldest_tables)
                findings.append(Finding(severity, f"{label} age {age:,} is {age / limit:.1f}x its freeze_max_age",
                                        instance=label, value=age / limit, labels={"counter": label},
                                        description=f"oldest tables: {oldest}" if oldest else ""))
        return Verdict.of(findings, f"xid age {int(database['xid_age']):,}")


@register
class SequenceOverflow(Rule):
    key = "sequence_overflow"
    title = "Sequence near overflow"
    doc = ("A sequence (or the integer column it feeds) has used ``sequence_used_percent`` of its range "
           "(warning 75 %, critical 90 %); a CYCLE sequence never overflows.")
    runbook = "Move the column and the sequence to bigint before nextval() fails (the advisor drafts it)."
    severity = "critical"
    threshold = "sequence_used_percent"
    sources = ("sequences",)
    page = "advisor"

    def evaluate(self, ctx: Context) -> Verdict:
        captured_at, sequences = sequences_latest(ctx.target.pk)
        if captured_at is None:
            return Verdict.unknown("no sequences snapshot stored yet")
        findings = []
        for s in sequences:
            if s.get("percent_used") is None:
                continue
            severity = grade_finding(grade_sequence(float(s["percent_used"]), bool(s.get("cycle")), ctx.thresholds))
            if severity:
                name = f"{s['schema']}.{s['name']}"
                feeds = f", feeds {s['column']} ({s.get('column_type') or '?'})" if s.get("column") else ""
                findings.append(Finding(severity, f"sequence {name} has used {float(s['percent_used']):.1f}% of its "
                                                  f"range{feeds}", instance=name, value=float(s["percent_used"]),
                                        labels={"sequence": name}))
        if findings:
            return Verdict.of(findings, "")
        hidden = [s for s in sequences if not s.get("readable", True)]
        if hidden:
            names = ", ".join(f"{quote_ident_if_needed(s['schema'])}.{quote_ident_if_needed(s['name'])}"
                              for s in hidden[:20])
            more = f" (and {len(hidden) - 20} more)" if len(hidden) > 20 else ""
            role = quote_ident_if_needed(ctx.target.username)
            return Verdict.unknown(
                f"{len(hidden)} sequence(s) not readable by the monitoring role: their use cannot be seen",
                f"GRANT SELECT ON SEQUENCE {names} TO {role};{more} (or GRANT pg_read_all_data TO {role};)",
                actionable=True, cause="grant:sequences")
        return Verdict("ok", f"{len(sequences)} sequence(s), every one far from its end")
