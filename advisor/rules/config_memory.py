"""Memory settings against the machine's RAM: shared_buffers, effective_cache_size, maintenance_work_mem.

PostgreSQL cannot tell how much RAM its machine has, so this rule needs the machine facts a person
entered for the target; without them it is skipped with a link to the form. The usual starting points
(PostgreSQL documentation, "Resource Consumption"): shared_buffers about a quarter of RAM on a
dedicated server, effective_cache_size about what the OS can cache (half to three quarters of RAM), and
maintenance_work_mem large enough for VACUUM and index builds of the biggest tables (RAM/16, up to
2 GB). Each finding says what was compared with what.
"""

from __future__ import annotations

from advisor.rules import pgsettings as pg
from advisor.rules.base import Rule, register
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_pct
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import OK, worst

GB = 1024 ** 3


@register
class ConfigMemory(Rule):
    name = "config_memory"
    kinds = ("config_memory",)
    category = "configuration"
    title = "Memory settings"
    order = 200
    absence_is_proof = True

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        settings = ctx.history.settings()
        if not settings:
            raise RuleSkipped("no settings collection yet", ctx.history.collect_hint("settings"))
        ram = ctx.machine.ram_bytes if ctx.machine is not None else None
        if not ram:
            raise RuleSkipped("the machine's RAM is unknown", f"enter it on /t/{ctx.target.name}/advisor/machine/")
        findings = []
        db = ctx.history.database()
        major = ctx.target.server_major
        shared = pg.as_bytes(settings, "shared_buffers")
        if shared is not None:
            wanted = pg.round_mb(ram * 0.25, 128)
            share = shared / ram
            too_large = ctx.thresholds.grade("shared_buffers_ram_share_high", share)
            severity = worst(ctx.thresholds.grade("shared_buffers_ram_share_low", share), too_large)
            if severity != OK:
                ev = _base(ram, "shared_buffers", shared)
                ev.fact("Share of RAM", share, fmt_pct(share, 1),
                        hint="a quarter is the usual start on a dedicated server")
                if db is not None and db.size_bytes:
                    ev.fact("Database size", db.size_bytes, fmt_bytes(db.size_bytes))
                if db is not None and db.cache_hit_ratio is not None:
                    ev.fact("Buffer cache hit ratio in the window", db.cache_hit_ratio, fmt_pct(db.cache_hit_ratio, 2))
                if too_large != OK:
                    ev.note("Above ~40% of RAM, shared_buffers competes with the OS page cache, which holds the same "
                            "pages a second time, and with work_mem of every connection.")
                else:
                    ev.note("PostgreSQL's own cache is small for this machine: pages are read through the OS cache "
                            "instead, copying 8 kB per read, and hot pages are evicted sooner.")
                findings.append(_finding(ctx, "shared_buffers", severity, shared, wanted, ev, major,
                                         "restart needed; the memory is allocated at start"))
        cache = pg.as_bytes(settings, "effective_cache_size")
        if cache is not None:
            share = cache / ram
            too_small = ctx.thresholds.grade("effective_cache_size_ram_share_low", share)
            if worst(too_small, ctx.thresholds.grade("effective_cache_size_ram_share_high", share)) != OK:
                wanted = pg.round_mb(ram * 0.70, 256)
                ev = _base(ram, "effective_cache_size", cache)
                ev.fact("Share of RAM", share, fmt_pct(share, 1), hint="½ to ¾ of RAM is what the OS can cache")
                ev.note("It allocates nothing: it tells the planner how much of the data is likely cached, which "
                        "makes index scans look " + ("too expensive." if too_small != OK else "cheaper than they are."))
                findings.append(_finding(ctx, "effective_cache_size", "info", cache, wanted, ev, major,
                                         "none; takes effect on reload"))
        maint = pg.as_bytes(settings, "maintenance_work_mem")
        if maint is not None and ram >= 4 * GB:
            wanted = min(pg.round_mb(ram / 16, 64), 2 * GB)
            if maint < wanted / 2:
                ev = _base(ram, "maintenance_work_mem", maint)
                largest = ctx.history.largest_table_bytes()
                if largest:
                    ev.fact("Largest table", largest, fmt_bytes(largest))
                ev.note("VACUUM keeps dead tuple ids in it (until PG 17, at most 1 GB counts): when it fills, every "
                        "index of the table is scanned once more. CREATE INDEX and REINDEX sort in it.")
                autovac = pg.as_bytes(settings, "autovacuum_work_mem")
                if autovac is not None and autovac < 0:
                    workers = pg.number(settings, "autovacuum_max_workers") or 3
                    ev.note(f"autovacuum_work_mem is -1, so each of the {workers:.0f} autovacuum workers may use this "
                            "much too.")
                findings.append(_finding(ctx, "maintenance_work_mem", "info", maint, wanted, ev, major,
                                         "none; takes effect on reload for new sessions"))
        return findings


def _base(ram: int, name: str, current: int) -> Evidence:
    ev = Evidence()
    ev.fact("RAM", ram, fmt_bytes(ram), hint="from the machine facts")
    ev.fact(f"{name} now", current, fmt_bytes(current))
    return ev


def _finding(ctx: RuleContext, name: str, severity: str, current: int, wanted: int, ev: Evidence, major: int | None,
             cost: str) -> Finding:
    ev.fact(f"Suggested {name}", wanted, fmt_bytes(wanted))
    ev.sql("Apply it", pg.alter_system({name: pg.pg_size(wanted)}, major))
    direction = "Raise" if wanted > current else "Lower"
    return Finding(
        kind="config_memory", object_key=name, object_label=name, severity=severity,
        title=f"{direction} {name} from {fmt_bytes(current)} to {fmt_bytes(wanted)}",
        summary=f"{name} is {fmt_bytes(current)} on a machine with "
                f"{fmt_bytes(ctx.machine.ram_bytes if ctx.machine else 0)} of RAM; {fmt_bytes(wanted)} fits it better.",
        evidence=ev.to_dict(), material={"current": current, "suggested": wanted},
        benefit="memory used where it helps", cost=cost, benefit_score=None,
    )
