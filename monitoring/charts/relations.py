"""Charts of tables and indexes from the history store: one index's scans, the largest tables' sizes.

Both mark restarts and statistics resets (where counters started again from zero) and settings changes.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from dbconsole import params
from monitoring.charts.event_markers import marked
from monitoring.charts.figures import Series, empty, time_series
from monitoring.charts.raw_tail import read_to_now
from monitoring.charts.registry import ChartRequest, chart
from monitoring.events import RELATION_CHARTS
from monitoring.history.selectors import relation_ranges
from monitoring.history.selectors.relations import relation_series, tables
from monitoring.models import Relation

LARGEST_TABLES = 8
INDEX = params.Int("seq", default=0, minimum=1, required=True)   # required: the default is never used


@chart("index-scans", title="Index scans over time")
def index_scans(req: ChartRequest) -> dict[str, Any]:
    """Scans of one index (``?seq=``) per sample interval over the range."""
    index = Relation.objects.filter(target=req.target, seq=INDEX.get(req.request), kind__in=["i", "I"]).first()
    if index is None:
        raise Http404("no such index on this target")
    window = (req.time_range.start, req.time_range.end)
    points = read_to_now(lambda a, b, res: relation_series(req.target.pk, index.seq, a, b, res=res), *window)
    if not points:
        return empty("not sampled twice in this range yet: scans are differences of two samples")
    figure = time_series([Series(f"scans of {index.name}", [p.at for p in points], [p.scans for p in points],
                                 kind="bar")], window=window, y_title="scans per sample interval")
    return marked(figure, req.target.pk, window, RELATION_CHARTS)


@chart("largest-tables", title="Largest tables: total size over time")
def largest_tables(req: ChartRequest) -> dict[str, Any]:
    """Heap + TOAST + indexes of the largest tables (by their latest size), per sample."""
    biggest = tables(req.target.pk)[:LARGEST_TABLES]
    if not biggest:
        return empty("no relations collection yet")
    window = (req.time_range.start, req.time_range.end)
    series = relation_ranges.table_size_series(req.target.pk, [t.relation.seq for t in biggest], *window)
    lines = [Series(t.relation.qualified_name, [at for at, _ in series[t.relation.seq]],
                    [size for _, size in series[t.relation.seq]],
                    kind="markers" if len(series[t.relation.seq]) < 2 else "line")
             for t in biggest]
    if not any(s.x for s in lines):
        return empty("no relations sample in this range")
    figure = time_series(lines, window=window, y_title="bytes")
    figure["layout"]["yaxis"]["tickformat"] = "~s"   # 1.2G, 350M: bytes at a glance
    return marked(figure, req.target.pk, window, RELATION_CHARTS)
