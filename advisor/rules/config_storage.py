"""Planner cost settings for the storage the data is on: random_page_cost and effective_io_concurrency.

The defaults (random_page_cost 4, effective_io_concurrency 1 before PG 18) describe spinning disks,
where a random read costs about four sequential ones. On SSDs and network block storage it costs
barely more, and many reads can be in flight at once; with the defaults the planner shies away from
index scans and bitmap heap scans prefetch too little. The storage type comes from the machine facts.
"""

from __future__ import annotations

from advisor.rules import pgsettings as pg
from advisor.rules.base import Rule, register
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence
from advisor.rules.findings import Finding, RuleSkipped

SUGGESTED = {"ssd": ("1.1", "200"), "network": ("1.5", "100"), "hdd": ("4", "2")}


@register
class ConfigStorage(Rule):
    name = "config_storage"
    kinds = ("config_storage",)
    category = "configuration"
    title = "Planner settings for the storage"
    order = 210
    absence_is_proof = True

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        settings = ctx.history.settings()
        if not settings:
            raise RuleSkipped("no settings collection yet", ctx.history.collect_hint("settings"))
        storage = ctx.machine.storage if ctx.machine is not None else ""
        if not storage:
            raise RuleSkipped("the storage type is unknown", f"enter it on /t/{ctx.target.name}/advisor/machine/")
        rpc_wanted, eic_wanted = SUGGESTED[storage]
        findings = []
        rpc = pg.number(settings, "random_page_cost")
        seq = pg.number(settings, "seq_page_cost") or 1.0
        fast = storage in ("ssd", "network")
        if rpc is not None and ((fast and rpc / seq > 2.0) or (not fast and rpc / seq < 2.0)):
            ev = Evidence()
            ev.fact("Storage", storage, ctx.machine.get_storage_display() if ctx.machine else storage,
                    hint="from the machine facts")
            ev.fact("random_page_cost now", rpc, f"{rpc:g}")
            ev.fact("seq_page_cost", seq, f"{seq:g}")
            ev.note("A random page read costs about " + ("as much as a sequential one on this storage: the planner "
                    "overprices index scans and picks sequential scans too often." if fast else
                    "four sequential ones on spinning disks: a low value makes index scans look too cheap."))
            findings.append(_finding(ctx, "random_page_cost", f"{rpc:g}", rpc_wanted, ev))
        eic = pg.number(settings, "effective_io_concurrency")
        if eic is not None and fast and eic < float(eic_wanted) / 2:
            ev = Evidence()
            ev.fact("Storage", storage, ctx.machine.get_storage_display() if ctx.machine else storage)
            ev.fact("effective_io_concurrency now", eic, f"{eic:g}")
            ev.note("How many reads a bitmap heap scan (and, from PG 18, other read streams) keeps in flight: "
                    "SSDs and network storage serve many at once, so prefetching more shortens such scans.")
            findings.append(_finding(ctx, "effective_io_concurrency", f"{eic:g}", eic_wanted, ev))
        return findings


def _finding(ctx: RuleContext, name: str, now: str, wanted: str, ev: Evidence) -> Finding:
    ev.fact(f"Suggested {name}", wanted)
    ev.sql("Apply it", pg.alter_system({name: wanted}, ctx.target.server_major))
    ev.caveat("Applies to every tablespace; a tablespace on other storage can override it with ALTER TABLESPACE "
              "… SET (" + name + " = …).")
    return Finding(
        kind="config_storage", object_key=name, object_label=name, severity="info",
        title=f"Set {name} to {wanted} (now {now}) for this storage",
        summary=f"{name} = {now} describes other storage than this target's; {wanted} matches it.",
        evidence=ev.to_dict(), material={"current": now, "suggested": wanted},
        benefit="plans that fit the storage: index and bitmap scans where they are cheaper",
        cost="none; takes effect on reload (plans of running sessions change at their next planning)",
    )
