"""The per-target navigation. Later pages append an entry here and nothing else changes.

``uses_range`` marks pages that read the time range; the frame shows the picker only there (a picker
that changes nothing on a live page would mislead), but every nav link carries the range along.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    live: bool = False
    uses_range: bool = False


TARGET_NAV: list[NavItem] = [
    NavItem("overview", "Overview", live=True, uses_range=True),
    NavItem("queries", "Queries", uses_range=True),
    NavItem("activity", "Activity", live=True),
    NavItem("locks", "Locks", live=True, uses_range=True),
    NavItem("connections", "Connections", live=True, uses_range=True),
    NavItem("maintenance", "Maintenance", live=True, uses_range=True),
    NavItem("indexes", "Indexes", uses_range=True),
    NavItem("tables", "Tables", uses_range=True),
    NavItem("settings", "Settings", uses_range=True),
    NavItem("replication", "Replication", uses_range=True),
    NavItem("explain", "EXPLAIN"),
    NavItem("advisor", "Advisor"),
    NavItem("alerts-target", "Alerts"),   # served by the alerts app (a URL name, not an import)
]


def item(url_name: str) -> NavItem | None:
    return next((i for i in TARGET_NAV if i.url_name == url_name), None)
