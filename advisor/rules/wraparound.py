"""Transaction id and multixact id wraparound risk.

Every row version carries 32-bit transaction ids; VACUUM must freeze old ones before the database's
oldest unfrozen id is 2³¹ transactions old, or PostgreSQL stops accepting writes to protect the data.
Autovacuum forces anti-wraparound vacuums from ``autovacuum_freeze_max_age`` (200 million by
default), so an age far beyond that means freezing is not keeping up — usually a long transaction,
an abandoned prepared transaction or replication slot, or autovacuum disabled on a big table.
Warning at 40 % of 2³¹, critical at 60 %. Ages come from the history store (database and relations).
"""

from __future__ import annotations

from advisor.rules import pgsettings as pg
from advisor.rules.base import Rule, register
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_count, fmt_pct
from advisor.rules.findings import Finding, RuleSkipped

LIMIT = 2 ** 31
WARNING = 0.40
CRITICAL = 0.60
SHOWN_TABLES = 5


@register
class Wraparound(Rule):
    name = "wraparound"
    kinds = ("wraparound",)
    category = "maintenance"
    title = "Wraparound risk"
    order = 70

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        db = ctx.history.database()
        if db is None or db.xid_age is None:
            raise RuleSkipped("no database collection yet", ctx.history.collect_hint("database"))
        settings = ctx.history.settings()
        tables = [t for t, _d in ctx.history.tables_with_deltas()]
        findings = []
        for what, age, setting, attr in (("xid", db.xid_age, "autovacuum_freeze_max_age", "xid_age"),
                                         ("mxid", db.mxid_age, "autovacuum_multixact_freeze_max_age", "mxid_age")):
            if age is None or age / LIMIT < WARNING:
                continue
            freeze_max = pg.number(settings, setting)
            oldest = sorted(tables, key=lambda t: -(getattr(t, attr) or 0))[:SHOWN_TABLES]
            name = "transaction id" if what == "xid" else "multixact id"
            ev = Evidence()
            ev.fact(f"Oldest unfrozen {name} age", age, fmt_count(age))
            ev.fact("Of the 2³¹ limit", age / LIMIT, fmt_pct(age / LIMIT, 1),
                    hint="writes stop about 3 million before the limit")
            if freeze_max:
                ev.fact(setting, freeze_max, fmt_count(freeze_max),
                        hint="anti-wraparound autovacuum starts at this age")
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
            severity = "critical" if age / LIMIT >= CRITICAL else "warning"
            findings.append(Finding(
                kind="wraparound", object_key=f"database:{what}", object_label=f"{ctx.target.dbname} ({what})",
                severity=severity,
                title=f"{name.capitalize()} age is {fmt_pct(age / LIMIT, 0)} of the wraparound limit",
                summary=f"The oldest unfrozen {name} of {ctx.target.dbname} is {fmt_count(age)} old; at 2³¹ PostgreSQL "
                        "refuses writes. Freeze the oldest tables and remove what keeps autovacuum from doing it.",
                evidence=ev.to_dict(), material={"level": severity},
                benefit="the database keeps accepting writes",
                cost="VACUUM (FREEZE) reads and may write every page of each table; it blocks nothing",
                benefit_score=float(age),
            ))
        return findings
