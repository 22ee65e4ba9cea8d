"""Replication: the replicas of this server and how far behind they are, replication slots and the WAL
they retain (an inactive slot holding WAL fills the disk), and the WAL archiver — from the latest
replication collection, with lag and retained WAL over the range as charts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dbconsole.timerange import HOUR, TOTALS, resolution
from monitoring import selectors
from monitoring.history.selectors.replication import replication_latest, replication_series
from monitoring.models import SettingValue
from monitoring.ui.frame import frame
from monitoring.ui.tables import Column, Table

TEMPLATE = "monitoring/replication.html"
ARCHIVE_SETTINGS = ("archive_mode", "archive_command", "archive_library", "archive_timeout")

REPLICA_COLUMNS = [
    Column("application_name", "Replica", search=True),
    Column("client_addr", "Address", search=True),
    Column("state", "State", choices=True),
    Column("sync_state", "Sync", choices=True),
    Column("sent_lag_bytes", "Sent lag", numeric=True),
    Column("flush_lag_bytes", "Flush lag", numeric=True),
    Column("replay_lag_bytes", "Replay lag", numeric=True),
    Column("write_lag_seconds", "Write lag (s)", numeric=True),
    Column("flush_lag_seconds", "Flush lag (s)", numeric=True),
    Column("replay_lag_seconds", "Replay lag (s)", numeric=True),
    Column("reply_time", "Last reply", numeric=True),
]
SLOT_COLUMNS = [
    Column("slot_name", "Slot", search=True),
    Column("slot_type", "Type", choices=True),
    Column("database", "Database"),
    Column("active", "Active", get=lambda s: "yes" if s.get("active") else "no", choices=True),
    Column("wal_status", "WAL status", choices=True),
    Column("retained_bytes", "Retained WAL", numeric=True),
    Column("safe_wal_size", "Until lost", numeric=True),
]


@require_GET
def replication_page(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "replication")
    time_range = context["time_range"]
    latest = replication_latest(obj.pk)
    replicas = Table(request, REPLICA_COLUMNS, (latest or {}).get("replicas") or [], default_sort="-replay_lag_bytes",
                     prefix="replicas")
    slots = Table(request, SLOT_COLUMNS, [_slot(s) for s in (latest or {}).get("slots") or []],
                  default_sort="-retained_bytes", prefix="slots")
    for table, name in ((replicas, "replicas"), (slots, "replication-slots")):
        if table.wants_csv:
            return table.csv_response(f"{obj.name}-{name}")
    # Peaks and failures over the range: every sample while raw ones are kept (a rollup keeps one per hour).
    series = replication_series(obj.pk, time_range.start, time_range.end,
                                res=resolution(time_range, TOTALS, coarsest=HOUR))
    archive = {s.name: s.setting for s in SettingValue.objects.filter(target=obj, name__in=ARCHIVE_SETTINGS)}
    context.update(latest=latest, replicas=replicas, slots=slots, archiver=_archiver(latest, archive, series),
                   retaining=[s for s in slots.all_rows if s["inactive_retaining"]],
                   worst_lag_bytes=max((p.max_replay_lag_bytes for p in series
                                        if p.max_replay_lag_bytes is not None), default=None),
                   worst_lag_seconds=max((p.max_replay_lag_seconds for p in series
                                          if p.max_replay_lag_seconds is not None), default=None))
    return render(request, TEMPLATE, context)


def _slot(slot: dict[str, Any]) -> dict[str, Any]:
    retained = slot.get("retained_bytes") or 0
    return {**slot, "inactive_retaining": not slot.get("active") and retained > 0,
            "lost": slot.get("wal_status") in ("lost", "unreserved")}


def _archiver(latest: dict[str, Any] | None, archive: dict[str, str], series: list[Any]) -> dict[str, Any]:
    """The archiver's state, as of the latest sample: on or off, failing now, age of the last archived WAL."""
    if latest is None:
        return {}
    mode = archive.get("archive_mode", "")
    archived_at, failed_at = latest.get("last_archived_at"), latest.get("last_failed_at")
    return {
        "mode": mode or "unknown",
        "off": mode == "off",
        "command": archive.get("archive_command") or archive.get("archive_library") or "",
        "archived_count": latest.get("archived_count"),
        "failed_count": latest.get("failed_count"),
        "last_archived_wal": latest.get("last_archived_wal"), "last_archived_at": archived_at,
        "last_failed_wal": latest.get("last_failed_wal"), "last_failed_at": failed_at,
        "age_seconds": (latest["captured_at"] - archived_at).total_seconds() if archived_at else None,
        "failing": failed_at is not None and (archived_at is None or failed_at > archived_at),
        "failures_in_range": sum(p.archive_failures for p in series),
        "as_of": latest["captured_at"],
    }
