"""Vertical markers on time charts: the events that explain a jump in a line.

A counter that drops to zero after a stats reset or a restart, a latency that changes after a settings
change, a spike during a lock incident: each kind has its colour and a one-letter tag at the top of the
plot; hovering the tag gives the label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

STATS_RESET = "stats_reset"
RESTART = "restart"
SETTINGS_CHANGE = "settings_change"
LOCK_INCIDENT = "lock_incident"

STYLES: dict[str, dict[str, str]] = {
    STATS_RESET: {"color": "#8a5cc2", "dash": "dot", "tag": "R", "name": "stats reset"},
    RESTART: {"color": "#b3261e", "dash": "dash", "tag": "S", "name": "server start"},
    SETTINGS_CHANGE: {"color": "#b36b00", "dash": "dot", "tag": "C", "name": "settings change"},
    LOCK_INCIDENT: {"color": "#c2410c", "dash": "solid", "tag": "L", "name": "lock incident"},
}


@dataclass(frozen=True)
class Marker:
    at: dt.datetime
    kind: str
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in STYLES:
            raise ValueError(f"unknown marker kind {self.kind!r}")

    @property
    def title(self) -> str:
        name = STYLES[self.kind]["name"]
        return f"{name}: {self.label}" if self.label else name


def apply_markers(figure: dict[str, Any], markers: Iterable[Marker],
                  window: tuple[dt.datetime, dt.datetime] | None = None) -> dict[str, Any]:
    """Add a line and a hoverable tag per marker (only those inside ``window`` when given)."""
    layout = figure.setdefault("layout", {})
    shapes = layout.setdefault("shapes", [])
    annotations = layout.setdefault("annotations", [])
    for m in sorted(markers, key=lambda m: m.at):
        if window is not None and not window[0] <= m.at <= window[1]:
            continue
        style = STYLES[m.kind]
        shapes.append({
            "type": "line", "xref": "x", "yref": "paper", "x0": m.at, "x1": m.at, "y0": 0, "y1": 1,
            "line": {"color": style["color"], "width": 1.2, "dash": style["dash"]},
            "name": m.kind,
        })
        annotations.append({
            "x": m.at, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom",
            "text": style["tag"], "hovertext": f"{m.title} · {m.at:%Y-%m-%d %H:%M:%S}",
            "showarrow": False, "font": {"size": 10, "color": "#fff"},
            "bgcolor": style["color"], "borderpad": 2, "name": m.kind,
        })
    return figure
