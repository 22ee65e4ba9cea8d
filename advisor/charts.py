"""Evidence charts, drawn from the history store for one recommendation.

Each function takes the recommendation (its ``evidence["ids"]`` say which relation, sequence or
statements) and returns a plotly figure dict built with ``monitoring.charts.figures``, over the
advisor's window — or less, when the target has been monitored for less — with stats resets and
restarts marked (the points where counters started again from zero). Raises ``LookupError`` when the
history holds nothing to draw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from django.utils import timezone

from advisor.models import Recommendation
from advisor.rules.options import AdvisorOptions
from monitoring.charts.event_markers import marked
from monitoring.charts.figures import Series, time_series
from monitoring.charts.raw_tail import read_to_now
from monitoring.events import EVIDENCE_CHARTS
from monitoring.history.selectors import database as database_selectors
from monitoring.history.selectors import relations as relation_selectors
from monitoring.history.selectors import statements as statement_selectors
from monitoring.models import Relation, SequenceSnapshot

ChartFunction = Callable[[Recommendation], dict[str, Any]]
CHARTS: dict[str, ChartFunction] = {}
MAX_STATEMENTS = 5


def chart(name: str) -> Callable[[ChartFunction], ChartFunction]:
    def register(function: ChartFunction) -> ChartFunction:
        CHARTS[name] = function
        return function

    return register


def _window(rec: Recommendation) -> tuple[dt.datetime, dt.datetime]:
    """The advisor's window, shortened to when monitoring began (so a young target's chart is drawn
    from raw samples rather than from hourly rollups that do not exist yet)."""
    end = timezone.now()
    start = end - AdvisorOptions().window
    began = Relation.objects.filter(target_id=rec.target_id).order_by("first_seen").values_list(
        "first_seen", flat=True).first()
    return (max(start, began - dt.timedelta(minutes=5)) if began else start), end


def _ids(rec: Recommendation) -> dict[str, Any]:
    return dict((rec.evidence or {}).get("ids") or {})


def _marked(rec: Recommendation, figure: dict[str, Any], window: tuple[dt.datetime, dt.datetime]) -> dict[str, Any]:
    return marked(figure, rec.target_id, window, EVIDENCE_CHARTS)


@chart("index-scans")
def index_scans(rec: Recommendation) -> dict[str, Any]:
    ids, window = _ids(rec), _window(rec)
    seqs = [s for s in (ids.get("index_seq"), ids.get("keep_seq")) if s is not None]
    names = dict(Relation.objects.filter(target_id=rec.target_id, seq__in=seqs).values_list("seq", "name"))
    series = []
    for seq in seqs:
        points = read_to_now(partial(relation_selectors.relation_series, rec.target_id, seq), *window)
        series.append(Series(name=f"scans of {names.get(seq, seq)}", x=[p.at for p in points],
                             y=[p.scans for p in points], kind="bar"))
    if not any(s.x for s in series):
        raise LookupError("no two relations samples yet")
    return _marked(rec, time_series(series, window=window, y_title="scans per sample"), window)


@chart("table-tuples")
def table_tuples(rec: Recommendation) -> dict[str, Any]:
    ids, window = _ids(rec), _window(rec)
    points = read_to_now(partial(relation_selectors.relation_series, rec.target_id, ids["table_seq"]), *window)
    if not points:
        raise LookupError("no two relations samples yet")
    x = [p.at for p in points]
    figure = time_series([Series("live tuples", x, [p.n_live_tup for p in points]),
                          Series("dead tuples", x, [p.n_dead_tup for p in points], color="#b3261e")],
                         window=window, y_title="tuples")
    return _marked(rec, figure, window)


@chart("sequence-usage")
def sequence_usage(rec: Recommendation) -> dict[str, Any]:
    ids, window = _ids(rec), _window(rec)
    x, y = [], []
    for snap in SequenceSnapshot.objects.filter(target_id=rec.target_id, captured_at__gte=window[0]).order_by(
            "captured_at"):
        found = next((s for s in snap.sequences
                      if (s.get("schema"), s.get("name")) == (ids.get("schema"), ids.get("sequence"))), None)
        if found is not None and found.get("percent_used") is not None:
            x.append(snap.captured_at)
            y.append(found["percent_used"])
    if not x:
        raise LookupError("no sequences snapshot for this sequence")
    figure = time_series([Series("% of the range used", x, y, kind="markers" if len(x) < 3 else "line")],
                         window=window, y_title="% used")
    figure["layout"]["yaxis"]["range"] = [0, 100]
    return figure


@chart("statements-time")
def statements_time(rec: Recommendation) -> dict[str, Any]:
    window = _window(rec)
    statements = [s for s in (rec.evidence or {}).get("statements", []) if s.get("seq")][:MAX_STATEMENTS]
    series = []
    for s in statements:
        points = read_to_now(partial(statement_selectors.statement_series, rec.target_id, s["seq"]), *window)
        label = " ".join(str(s.get("query", "")).split())[:60]
        series.append(Series(name=label, x=[p.at for p in points], y=[p.exec_ms for p in points]))
    if not any(s.x for s in series):
        raise LookupError("no statements samples in the window")
    return _marked(rec, time_series(series, window=window, y_title="execution time per sample (ms)"), window)


def _database(rec: Recommendation) -> tuple[list[Any], tuple[dt.datetime, dt.datetime]]:
    window = _window(rec)
    points = read_to_now(partial(database_selectors.database_series, rec.target_id), *window)
    if not points:
        raise LookupError("no two database samples yet")
    return points, window


@chart("database-temp")
def database_temp(rec: Recommendation) -> dict[str, Any]:
    points, window = _database(rec)
    figure = time_series([Series("temp bytes written", [p.at for p in points], [p.temp_bytes for p in points],
                                 kind="bar")], window=window, y_title="bytes per sample")
    return _marked(rec, figure, window)


@chart("checkpoints")
def checkpoints(rec: Recommendation) -> dict[str, Any]:
    points, window = _database(rec)
    x = [p.at for p in points]
    figure = time_series([Series("timed", x, [p.checkpoints_timed for p in points], kind="bar"),
                          Series("requested", x, [p.checkpoints_req for p in points], kind="bar", color="#b3261e")],
                         window=window, y_title="checkpoints per sample", stacked=True)
    return _marked(rec, figure, window)
