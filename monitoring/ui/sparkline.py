"""Sparklines as inline SVG, drawn on the server.

A page of 50 statements gets 50 tiny charts: as plotly figures that would be 50 requests and 50 plots
in the browser; as a polyline each is a few hundred bytes of markup and costs nothing to show.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString

WIDTH, HEIGHT, PAD = 120, 22, 1.5
SPARK_POINTS = 48            # 120 px wide: a week is drawn in 4-hour buckets


def points(values: Sequence[float], width: float = WIDTH, height: float = HEIGHT) -> str:
    """SVG polyline points for ``values`` scaled to the box: zero at the bottom, the peak at the top."""
    if not values:
        return ""
    peak = max(values)
    top, bottom = PAD, height - PAD
    span = bottom - top
    step = width / (len(values) - 1) if len(values) > 1 else 0.0
    scale = span / peak if peak > 0 else 0.0
    out = [f"{i * step:.1f},{bottom - value * scale:.1f}" for i, value in enumerate(values)]
    if len(values) == 1:   # one bucket: a flat line across, not an invisible dot
        out.append(f"{width:.1f},{out[0].split(',')[1]}")
    return " ".join(out)


def sparkline(values: Sequence[float], *, label: str = "") -> SafeString:
    """An ``<svg>`` of ``values`` (oldest first); ``label`` is its accessible name and tooltip."""
    if not values or not any(values):
        return format_html('<svg class="spark empty" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
                           'aria-label="{}" data-points="{}"><title>{}</title><line x1="0" y1="{}" x2="{}" y2="{}"/>'
                           "</svg>", WIDTH, HEIGHT, WIDTH, HEIGHT, label or "no activity", len(values),
                           label or "no activity", HEIGHT - PAD, WIDTH, HEIGHT - PAD)
    return format_html('<svg class="spark" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}" '
                       'data-points="{}" data-peak="{}"><title>{}</title><polyline points="{}"/></svg>',
                       WIDTH, HEIGHT, WIDTH, HEIGHT, label, len(values), f"{max(values):g}", label, points(values))
