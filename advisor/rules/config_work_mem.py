"""work_mem from temp-file evidence: sorts and hashes that spill to disk.

The database's temp files over the window (count and bytes) and the statements that wrote temp
blocks, both from the history store. The suggestion fits the typical spill (twice the average temp
file, rounded up to a power of two, at most 256 MB), capped so that every connection using it once
stays within a quarter of RAM when RAM is known. When the spills come from a few statements, setting
work_mem for them (or their role) is the safer fix, and the evidence lists them.
"""

from __future__ import annotations

from advisor.rules import pgsettings as pg
from advisor.rules.base import Rule, register
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_count
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import OK

MB = 1024 * 1024
MAX_SUGGESTED = 256 * MB
TOP_STATEMENTS = 5
BLOCK = 8192


@register
class ConfigWorkMem(Rule):
    name = "config_work_mem"
    kinds = ("config_work_mem",)
    category = "configuration"
    title = "work_mem and temp files"
    order = 220
    absence_is_proof = True

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        db = ctx.history.database()
        settings = ctx.history.settings()
        if db is None or db.intervals < 1:
            raise RuleSkipped("fewer than two database collections in the window", ctx.history.collect_hint("database"))
        if not settings:
            raise RuleSkipped("no settings collection yet", ctx.history.collect_hint("settings"))
        files, spilled = db.temp_files or 0, db.temp_bytes or 0
        # Enough temp files and enough bytes spilled (temp_files, temp_bytes); the bytes say how bad.
        if OK in (ctx.thresholds.grade("temp_files", files), ctx.thresholds.grade("temp_bytes", spilled)):
            return []
        current = pg.as_bytes(settings, "work_mem") or 4 * MB
        connections = int(pg.number(settings, "max_connections") or 100)
        average = spilled / files
        wanted = MB
        while wanted < 2 * average and wanted < MAX_SUGGESTED:
            wanted *= 2
        ram = ctx.machine.ram_bytes if ctx.machine is not None else None
        if ram:
            wanted = min(wanted, max(int(ram * 0.25 / connections), current))
        spilling = sorted((s for s in ctx.history.statements() if s.temp_blks_written),
                          key=lambda s: -s.temp_blks_written)
        ev = Evidence()
        ev.fact("Temp files in the window", files, fmt_count(files))
        ev.fact("Temp bytes written in the window", spilled, fmt_bytes(spilled))
        ev.fact("Average temp file", average, fmt_bytes(average))
        ev.fact("work_mem now", current, fmt_bytes(current))
        ev.fact("hash_mem_multiplier", pg.number(settings, "hash_mem_multiplier"),
                pg.raw(settings, "hash_mem_multiplier"))
        ev.fact("max_connections", connections, fmt_count(connections),
                hint="each sort or hash of each connection may use work_mem")
        if ram:
            ev.fact("RAM", ram, fmt_bytes(ram), hint="from the machine facts; caps the suggestion")
        for s in spilling[:TOP_STATEMENTS]:
            ev.statement(queryid=s.queryid, seq=s.seq, query=s.preview, calls=s.calls, total_ms=s.exec_ms,
                         mean_ms=s.mean_ms,
                         note=f"{fmt_bytes(s.temp_blks_written * BLOCK)} of temp written, "
                              f"{fmt_bytes(s.temp_blks_written * BLOCK / max(s.calls, 1))} per call")
        share = (sum(s.temp_blks_written for s in spilling[:TOP_STATEMENTS]) /
                 max(sum(s.temp_blks_written for s in spilling), 1)) if spilling else 0.0
        if wanted <= current:
            ev.note("The spills are bigger than any work_mem this machine can give every connection: set it for the "
                    "statements below only (SET LOCAL work_mem in their transaction, or ALTER ROLE … SET work_mem).")
            wanted = current
        elif spilling and share >= 0.8 and len(spilling) <= TOP_STATEMENTS:
            ev.note("A few statements cause the spills: consider SET LOCAL work_mem for them (or for their role) "
                    "instead of raising it for every connection.")
        ev.sql("Apply it", pg.alter_system({"work_mem": pg.pg_size(wanted)}, ctx.target.server_major))
        ev.caveat("work_mem is per sort or hash node, per connection (hashes get hash_mem_multiplier times it): "
                  "a complex query on many connections can use it many times over.")
        ev.chart("database-temp", "Temp bytes written")
        return [Finding(
            kind="config_work_mem", object_key="work_mem", object_label="work_mem",
            severity=ctx.thresholds.grade("temp_bytes", spilled),
            title=(f"{fmt_count(files)} temp files ({fmt_bytes(spilled)}) in the window: "
                   + (f"raise work_mem to {fmt_bytes(wanted)}" if wanted > current
                      else "give the spilling statements more work_mem")),
            summary=f"Sorts and hashes spilled {fmt_bytes(spilled)} to {fmt_count(files)} temp files; work_mem is "
                    f"{fmt_bytes(current)}, the average spill {fmt_bytes(average)}.",
            evidence=ev.to_dict(), material={"suggested": wanted, "current": current},
            benefit="sorts and hashes in memory instead of temp files", cost="more memory per sort/hash node",
            benefit_score=float(spilled),
        )]
