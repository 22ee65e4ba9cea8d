"""Distance to a forced anti-wraparound vacuum over the time range: the database's xid and mxid ages
(``age(datfrozenxid)``, ``mxid_age(datminmxid)``) as a share of their freeze max age settings.

A healthy database draws a saw: ages climb, autovacuum freezes, they drop. A line that only climbs
past 100% is a vacuum that cannot finish (a long transaction, a stale slot, a prepared transaction).
"""

from __future__ import annotations

from typing import Any

from monitoring.charts.event_markers import marked
from monitoring.charts.figures import Limit, Series, empty, time_series
from monitoring.charts.overview import database_points
from monitoring.charts.registry import ChartRequest, chart
from monitoring.history.selectors.health import FREEZE_SETTINGS
from monitoring.models import SettingValue


@chart("maintenance-ages", title="Transaction id age, % of freeze max age")
def wraparound_ages(req: ChartRequest) -> dict[str, Any]:
    window = (req.time_range.start, req.time_range.end)
    points = [p for p in database_points(req.target.pk, *window) if p.xid_age is not None]
    if not points:
        return marked(empty("no database history in this range (database collector, every 5 minutes)"),
                      req.target.pk, window)
    settings = dict(SettingValue.objects.filter(target_id=req.target.pk, name__in=list(FREEZE_SETTINGS))
                    .values_list("name", "setting"))
    xid_max, mxid_max = (int(settings[n]) if settings.get(n, "").isdigit() else d for n, d in FREEZE_SETTINGS.items())
    xs = [p.at for p in points]
    series = [
        Series("XID age", xs, [round(100 * (p.xid_age or 0) / xid_max, 3) for p in points], color="#2458c6",
               hover=[f"XID age {p.xid_age:,} of {xid_max:,}" for p in points]),
        Series("MXID age", xs, [round(100 * (p.mxid_age or 0) / mxid_max, 3) for p in points], color="#8a5cc2",
               hover=[f"MXID age {p.mxid_age or 0:,} of {mxid_max:,}" for p in points]),
    ]
    figure = time_series(series, window=window, y_title="% of freeze max age",
                         limit=Limit(100, "forced vacuum at"))
    highest = max(v for s in series for v in s.y if v is not None)
    figure["layout"]["yaxis"].update(range=[0, max(105.0, highest) * 1.02], ticksuffix="%")
    return marked(figure, req.target.pk, window)
