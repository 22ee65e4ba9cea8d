"""Timeouts that protect the server from sessions that hold on: idle in transaction, runaway queries.

A session idle inside a transaction keeps its locks and its snapshot, so VACUUM cannot remove rows it
might still see, and DDL queues behind it. From the activity history: the longest idle-in-transaction
time and the longest query seen over the window; from the settings: whether a timeout is set.
"""

from __future__ import annotations

from advisor.rules import pgsettings as pg
from advisor.rules.base import Rule, register
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_duration, fmt_time
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import OK, WARNING


@register
class ConfigTimeouts(Rule):
    name = "config_timeouts"
    kinds = ("config_timeouts",)
    category = "configuration"
    title = "Timeouts"
    order = 250
    absence_is_proof = True

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        settings = ctx.history.settings()
        activity = ctx.history.activity()
        if not settings:
            raise RuleSkipped("no settings collection yet", ctx.history.collect_hint("settings"))
        if activity is None:
            raise RuleSkipped("no activity collection in the window", ctx.history.collect_hint("activity"))
        findings = []
        major = ctx.target.server_major
        idle_timeout = pg.as_ms(settings, "idle_in_transaction_session_timeout") or 0
        idle = activity.longest_idle_tx_seconds or 0
        idle_grade = ctx.thresholds.grade("idle_in_transaction_untimed_seconds", idle)
        if idle_timeout == 0 and idle_grade != OK:
            ev = Evidence()
            ev.fact("Longest idle-in-transaction session seen", idle, fmt_duration(idle),
                    hint=f"at {fmt_time(activity.longest_idle_tx_at)}")
            ev.fact("idle_in_transaction_session_timeout", 0, "0 (off)")
            ev.note("While it waits, its snapshot keeps VACUUM from removing dead rows in every table and its locks "
                    "make DDL (and everything queued behind the DDL) wait.")
            ev.caveat("The timeout ends the session: applications must reconnect. Set it per role if some "
                      "tools legitimately sit in transactions (ALTER ROLE … SET idle_in_transaction_session_timeout).")
            ev.sql("Apply it", pg.alter_system({"idle_in_transaction_session_timeout": "10min"}, major))
            findings.append(Finding(
                kind="config_timeouts", object_key="idle_in_transaction_session_timeout",
                object_label="idle_in_transaction_session_timeout",
                severity=idle_grade,
                title=f"Sessions sit idle in transaction for up to {fmt_duration(idle)}: set a timeout",
                summary=f"A session was idle inside a transaction for {fmt_duration(idle)} and nothing ends such "
                        "sessions (idle_in_transaction_session_timeout = 0).",
                evidence=ev.to_dict(), material={"long": idle_grade == WARNING},
                benefit="vacuum and DDL no longer held back by forgotten transactions",
                cost="sessions idle in a transaction longer than the timeout are disconnected",
                benefit_score=float(idle),
            ))
        statement_timeout = pg.as_ms(settings, "statement_timeout") or 0
        longest = activity.longest_query_seconds or 0
        if statement_timeout == 0 and ctx.thresholds.grade("long_query_untimed_seconds", longest) != OK:
            ev = Evidence()
            ev.fact("Longest query seen", longest, fmt_duration(longest),
                    hint=f"at {fmt_time(activity.longest_query_at)}")
            ev.fact("statement_timeout", 0, "0 (off)")
            ev.note("A global statement_timeout also cuts maintenance and reporting jobs; set it for the "
                    "application's role instead, a little above its slowest legitimate query.")
            ev.sql("Apply it to the application's role", "ALTER ROLE app_role SET statement_timeout = '5min';")
            findings.append(Finding(
                kind="config_timeouts", object_key="statement_timeout", object_label="statement_timeout",
                severity="info", title=f"A query ran for {fmt_duration(longest)} with no statement_timeout",
                summary="Nothing stops runaway queries: set statement_timeout for the application's role.",
                evidence=ev.to_dict(), material={}, benefit="runaway queries stop before they pile up",
                cost="queries longer than the timeout are cancelled", benefit_score=float(longest),
            ))
        return findings
