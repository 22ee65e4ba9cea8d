"""Integer columns and sequences close to their maximum: graded by the ``sequence_used_percent``
threshold (warning at 75 % of the range, critical at 90 %), as the overview's health check grades them.

Read from the sequences collection in the history store (``SequenceSnapshot``: last value and the
tighter of the column type's and the sequence's maximum). The growth rate comes from the oldest
snapshot of the window, so the evidence can say roughly when ``nextval`` will fail.

* integer (or smallint) column → a staged migration of the column to bigint;
* bigint column fed by a sequence declared ``AS integer`` → widen the sequence (a catalog change);

A sequence the monitoring role may not read (no SELECT or USAGE on it) has no last value in the
snapshot: the rule cannot say it is fine, so it reports those as evidence it could not see, with the
GRANT that fixes it — never "every sequence below 75 %" while blind. A recommendation is resolved only
when its sequence was read again below the threshold (or no longer exists).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from advisor.models import Recommendation
from advisor.rules.base import Rule, register
from advisor.rules.changes import bigint, widen_sequence
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_count, fmt_pct, fmt_time
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import CRITICAL, WARNING, grade_sequence
from pgsql.ident import quote_ident

SMALL_TYPES = ("integer", "smallint")


def _rate_per_day(now: dict[str, Any], then: dict[str, Any] | None, seconds: float) -> float | None:
    if then is None or seconds <= 0 or now.get("last_value") is None or then.get("last_value") is None:
        return None
    grown = now["last_value"] - then["last_value"]
    return grown / seconds * 86400 if grown >= 0 else None


@register
class SequenceOverflow(Rule):
    name = "sequence_overflow"
    kinds = ("sequence_overflow",)
    category = "maintenance"
    title = "Sequences near overflow"
    order = 80
    absence_is_proof = True  # when the sequence was read again (see resolution)

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        latest, oldest = ctx.history.sequence_snapshots()
        if latest is None:
            raise RuleSkipped("no sequences collection yet", ctx.history.collect_hint("sequences"))
        before = {(s["schema"], s["name"]): s for s in (oldest.sequences if oldest is not None else [])}
        seconds = (latest.captured_at - oldest.captured_at).total_seconds() if oldest is not None else 0.0
        findings = []
        unseen = [s for s in latest.sequences if not s.get("readable", True) or s.get("skipped_locked")]
        if unseen:
            self._blind(ctx, unseen)
        for seq in latest.sequences:
            pct = seq.get("percent_used")
            # Unreadable ones are reported above as unseen; ok when cycling on purpose.
            severity = grade_sequence(pct, bool(seq.get("cycle")), ctx.thresholds)
            if pct is None or severity not in (WARNING, CRITICAL):
                continue
            rate = _rate_per_day(seq, before.get((seq["schema"], seq["name"])), seconds)
            findings.append(self._finding(ctx, seq, float(pct) / 100.0, severity, rate, latest.captured_at))
        return findings

    def _blind(self, ctx: RuleContext, unseen: list[dict[str, Any]]) -> None:
        denied = [s for s in unseen if not s.get("readable", True)]
        locked = [s for s in unseen if s.get("readable", True)]
        role = quote_ident(ctx.target.username)
        if denied:
            schemas = sorted({s["schema"] for s in denied})
            grants = " ".join(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {quote_ident(schema)} TO {role};"
                              for schema in schemas)
            ctx.blind("unreadable", f"{len(denied)} sequence(s) not readable by the monitoring role",
                      hint=f"{grants} (or, on PostgreSQL 14+, GRANT pg_read_all_data TO {role};)",
                      objects=tuple(f"{s['schema']}.{s['name']}" for s in denied))
        if locked:
            ctx.blind("locked", f"{len(locked)} sequence(s) skipped: another session held a strong lock on them",
                      hint="they are read again at the next sequences collection",
                      objects=tuple(f"{s['schema']}.{s['name']}" for s in locked))

    def resolution(self, ctx: RuleContext, rec: Recommendation, *, comparable: bool) -> str | None:
        """Resolved when the sequence was read again below the threshold, or no longer exists; never
        because it could not be read."""
        latest, _oldest = ctx.history.sequence_snapshots()
        if latest is None:
            return None
        seq = next((s for s in latest.sequences if f"{s['schema']}.{s['name']}" == rec.object_key), None)
        if seq is None:
            return f"sequence {rec.object_key} no longer exists"
        if not seq.get("readable", True) or seq.get("skipped_locked"):
            return None
        return super().resolution(ctx, rec, comparable=comparable)

    def _finding(self, ctx: RuleContext, seq: dict[str, Any], used: float, severity: str, rate: float | None,
                 at: dt.datetime) -> Finding:
        schema, name = seq["schema"], seq["name"]
        column = seq.get("column") or ""  # schema.table.column
        table_path = column.rpartition(".")[0]
        table = table_path.partition(".")[2]
        column_type = seq.get("column_type") or ""
        left = seq["max_value"] - seq["last_value"]
        ev = Evidence()
        ev.fact("Sequence", f"{schema}.{name} (AS {seq.get('data_type')})")
        ev.fact("Feeds", f"{column} ({column_type})" if column else "no column (not owned by one)")
        ev.fact("Last value", seq["last_value"], fmt_count(seq["last_value"]))
        ev.fact("Maximum", seq["max_value"], fmt_count(seq["max_value"]),
                hint="the tighter of the column type and the sequence")
        ev.fact("Used", used, fmt_pct(used, 1))
        ev.fact("Values left", left, fmt_count(left))
        if rate:
            days = left / rate
            ev.fact("Growth", rate, f"{fmt_count(rate)} per day", hint="over the history window")
            ev.fact("Runs out in about", days, f"{days:,.0f} days" if days >= 2 else f"{days * 24:.0f} hours")
        else:
            ev.fact("Growth", None, "unknown", hint="needs two sequences collections some time apart")
        ev.fact("Measured", at, fmt_time(at))
        ev.ids(schema=schema, sequence=name)
        ev.chart("sequence-usage", "Share of the range used")
        changes: list[dict[str, Any]] = []
        if column and column_type in SMALL_TYPES:
            changes = [bigint(schema, name, column)]
            ev.note(f"When {name} passes {fmt_count(seq['max_value'])}, every INSERT into {table} fails. "
                    f"The draft moves {column} to bigint in stages: a new column filled in batches by a trigger "
                    "and a backfill, then a swap in one short transaction — no table rewrite under lock.")
            action = f"migrate {column} to bigint"
        elif seq.get("data_type") in SMALL_TYPES:
            changes = [widen_sequence(schema, name)]
            ev.note(f"The column is already {column_type or 'wide enough'}: only the sequence is declared "
                    f"AS {seq.get('data_type')}. ALTER SEQUENCE … AS bigint raises its maximum at once.")
            action = f"widen {name} to bigint"
        else:
            ev.note("The sequence's own MAXVALUE is the limit: raise it with ALTER SEQUENCE … MAXVALUE.")
            action = f"raise the maximum of {name}"
        title = f"{column or name} is {fmt_pct(used, 0)} of the way to overflow"
        return Finding(
            kind="sequence_overflow", object_key=f"{schema}.{name}", object_label=f"{schema}.{name}",
            severity=severity, title=title,
            summary=f"Sequence {schema}.{name} has used {fmt_pct(used, 1)} of its range"
                    + (f" (it feeds {column}, {column_type})" if column else "") + f": {action}.",
            evidence=ev.to_dict(), material={"column_type": column_type, "data_type": seq.get("data_type")},
            benefit="inserts keep working after the limit", cost=_cost(changes),
            benefit_score=used, table=table_path, changes=changes,
        )


def _cost(changes: list[dict[str, Any]]) -> str:
    if not changes:
        return "ALTER SEQUENCE: a brief lock on the sequence"
    if changes[0]["type"] == "bigint":
        return "a staged migration: a trigger on writes during the backfill, one short exclusive lock for the swap"
    return "ALTER SEQUENCE … AS bigint: a brief lock on the sequence"
