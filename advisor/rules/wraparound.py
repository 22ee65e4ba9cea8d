"""Transaction id and multixact id wraparound risk.

Every row version carries 32-bit transaction ids; VACUUM must freeze old ones before the database's
oldest unfrozen id is 2³¹ transactions old, or PostgreSQL stops accepting writes to protect the data.
Autovacuum forces anti-wraparound vacuums from ``autovacuum_freeze_max_age`` (200 million by
default), so an age far beyond that means freezing is not keeping up — usually a long transaction,
an abandoned prepared transaction or replication slot, or autovacuum disabled on a big table.
Graded exactly as the overview's health check grades it (``dbconsole.thresholds.grade_wraparound``):
warning from the server's ``autovacuum_freeze_max_age`` (``autovacuum_multixact_freeze_max_age`` for
multixact ids), critical from twice it or from 1.5 billion whatever the settings. Ages come from the
history store (database and relations).
"""

from __future__ import annotations

from advisor.rules import pgsettings as pg
from advisor.rules.base import Rule, register
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_count, fmt_pct
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import (
    CRITICAL,
    FREEZE_MAX_AGE_DEFAULT,
    MULTIXACT_FREEZE_MAX_AGE_DEFAULT,
    WARNING,
    XID_LIMIT,
    grade_wraparound,
)

SHOWN_TABLES = 5


@register
class Wraparound(Rule):
    name = "wraparound"
    kinds = ("wraparound",)
    category = "maintenance"
    title = "Wraparound risk"
    order = 70
    absence_is_proof = True

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        db = ctx.history.database()
        if db is None or db.xid_age is None:
            raise RuleSkipped("no database collection yet", ctx.history.collect_hint("database"))
        settings = ctx.history.settings()
        tables = [t for t, _d in ctx.history.tables_with_deltas()]
        findings = []
        for what, age, setting, attr, default in (
                ("xid", db.xid_age, "autovacuum_freeze_max_age", "xid_age", FREEZE_MAX_AGE_DEFAULT),
                ("mxid", db.mxid_age, "autovacuum_multixact_freeze_max_age", "mxid_age",
                 MULTIXACT_FREEZE_MAX_AGE_DEFAULT)):
            freeze_max = pg.number(settings, setting)
            severity = grade_wraparound(age, freeze_max or default, ctx.thresholds)
            if age is None or severity not in (WARNING, CRITICAL):
                continue
            oldest = sorted(tables, key=lambda t: -(getattr(t, attr) or 0))[:SHOWN_TABLES]
            name = "transaction id" if what == "xid" else "multixact id"
            ev = Evidence()
            ev.fact(f"Oldest unfrozen {name} age", age, fmt_count(age))
            ev.fact("Of the 2³¹ limit", age / XID_LIMIT, fmt_pct(age / XID_LIMIT, 1),
                    hint="writes stop about 3 million before the limit")
            ev.fact(setting, freeze_max or default, fmt_count(freeze_max or default),
                    hint="anti-wraparound autovacuum starts at this age"
                    + ("" if freeze_max else " (PostgreSQL's default: not collected yet)"))
            ratio = age / (freeze_max or default)
            bounds = ctx.thresholds["wraparound_freeze_age_ratio"]
            ev.fact(f"Of {setting}", ratio, fmt_pct(ratio, 0),
                    hint=f"warning from {fmt_pct(bounds.warning or 0, 0)}, critical from "
                         f"{fmt_pct(bounds.critical or 0, 0)} (vacuum is not keeping up) or from "
                         f"{fmt_count(ctx.thresholds.bound('wraparound_age', CRITICAL))} whatever the settings")
            for t in oldest:
                ev.fact(f"Table {t.qualified}", getattr(t, attr), f"age {fmt_count(getattr(t, attr))}")
            activity = ctx.history.activity()
            if activity is not None and activity.oldest_xmin_age:
                ev.fact("Oldest xmin held by a session in the window", activity.oldest_xmin_age,
                        fmt_count(activity.oldest_xmin_age), hint="a long transaction keeps VACUUM from freezing")
            ev.sql("Freeze the oldest tables (no blocking; can take long)",
                   "\n".join(f"VACUUM (FREEZE, VERBOSE) {t.qualified};" for t in oldest) or "VACUUM (FREEZE, VERBOSE);")
            ev.note("Look for what holds freezing back: long-running or idle-in-transaction sessions, prepared "
                    "transactions (pg_prepared_xacts), inactive replication slots, autovacuum disabled on a table.")
            findings.append(Finding(
                kind="wraparound", object_key=f"database:{what}", object_label=f"{ctx.target.dbname} ({what})",
                severity=severity,
                title=f"{name.capitalize()} age is {fmt_pct(ratio, 0)} of {setting}",
                summary=f"The oldest unfrozen {name} of {ctx.target.dbname} is {fmt_count(age)} old; at 2³¹ PostgreSQL "
                        "refuses writes. Freeze the oldest tables and remove what keeps autovacuum from doing it.",
                evidence=ev.to_dict(), material={"level": severity},
                benefit="the database keeps accepting writes",
                cost="VACUUM (FREEZE) reads and may write every page of each table; it blocks nothing",
                benefit_score=float(age),
            ))
        return findings
