"""The time range in the URL: presets, custom windows, and clear errors for bad permalinks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory, override_settings

from dbconsole.timerange import (
    CHART,
    DEFAULT_PRESET,
    SPARKLINE,
    TOTALS,
    TimeRange,
    TimeRangeError,
    range_error,
    resolution,
    resolve_range,
)

NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)


def test_it_reads_each_preset_as_the_last_stretch_before_now() -> None:
    for preset, hours in (("1h", 1), ("6h", 6), ("24h", 24), ("7d", 168), ("30d", 720)):
        tr = TimeRange.parse({"range": preset}, now=NOW)
        assert tr.end == NOW and tr.span == dt.timedelta(hours=hours) and tr.preset == preset
        assert tr.params() == {"range": preset}


def test_it_defaults_to_the_last_24_hours() -> None:
    tr = TimeRange.parse({}, now=NOW)
    assert tr.preset == DEFAULT_PRESET == "24h"


def test_it_reads_a_custom_window_in_the_display_time_zone() -> None:
    with override_settings(TIME_ZONE="Europe/Berlin"):
        tr = TimeRange.parse({"from": "2025-03-10T09:30", "to": "2025-03-10T11:00"}, now=NOW)
        assert tr.start == dt.datetime(2025, 3, 10, 8, 30, tzinfo=dt.UTC)
        assert tr.end == dt.datetime(2025, 3, 10, 10, 0, tzinfo=dt.UTC)
        assert tr.params() == {"from": "2025-03-10T09:30", "to": "2025-03-10T11:00"}  # round-trips
        assert tr.label == "2025-03-10 09:30 to 2025-03-10 11:00"


def test_it_honours_an_explicit_offset_and_an_open_end() -> None:
    tr = TimeRange.parse({"from": "2025-03-10T10:00:00+02:00"}, now=NOW)
    assert tr.start == dt.datetime(2025, 3, 10, 8, 0, tzinfo=dt.UTC)
    assert tr.end == NOW


@pytest.mark.parametrize(("params", "message"), [
    ({"range": "2w"}, "unknown range '2w'"),
    ({"from": "yesterday"}, "'from' is not a date and time"),
    ({"to": "2025-03-10T10:00"}, "needs a start"),
    ({"from": "2025-03-10T11:00", "to": "2025-03-10T10:00"}, "must end after it starts"),
    ({"from": "2025-03-10T10:00:00", "to": "2025-03-10T10:00:30"}, "at least one minute"),
    ({"from": "2025-03-11T10:00"}, "starts in the future"),
    ({"from": "2025-03-10T10:00", "to": "2025-03-12T10:00"}, "ends in the future"),
    ({"from": "2020-01-01T00:00", "to": "2020-01-02T00:00"}, "before the oldest history kept"),
    ({"range": "6h", "from": "2025-03-10T10:00"}, "not both"),
])
def test_it_rejects_unusable_ranges_with_a_reason(params: dict[str, str], message: str) -> None:
    with pytest.raises(TimeRangeError, match=message):
        TimeRange.parse(params, now=NOW)


def test_it_falls_back_to_the_default_and_says_why() -> None:
    tr, error = TimeRange.from_params({"range": "forever"}, now=NOW)
    assert tr.preset == DEFAULT_PRESET
    assert "unknown range" in error
    assert TimeRange.from_params({"range": "1h"}, now=NOW)[1] == ""


def test_it_pins_a_preset_to_fixed_ends_for_a_shareable_link() -> None:
    pinned = TimeRange.parse({"range": "6h"}, now=NOW).pinned()
    assert pinned.preset is None
    again = TimeRange.parse(pinned.params(), now=NOW + dt.timedelta(days=2))
    assert (again.start, again.end) == (NOW - dt.timedelta(hours=6), NOW)


def test_it_picks_round_chart_buckets_for_the_span() -> None:
    assert TimeRange.last("1h", now=NOW).bucket() == dt.timedelta(minutes=1)
    assert TimeRange.last("24h", now=NOW).bucket() == dt.timedelta(minutes=5)
    assert TimeRange.last("7d", now=NOW).bucket() == dt.timedelta(minutes=30)
    assert TimeRange.last("30d", now=NOW).bucket() == dt.timedelta(hours=3)
    assert TimeRange.last("30d", now=NOW).bucket(points=10) == dt.timedelta(days=1)


@pytest.mark.parametrize(("preset", "chart", "sparkline"), [
    ("1h", "raw", "raw"), ("6h", "raw", "hour"), ("24h", "hour", "hour"), ("7d", "hour", "hour"),
    ("30d", "day", "day"),
])
def test_it_reads_each_preset_at_one_resolution_per_purpose(preset: str, chart: str, sparkline: str) -> None:
    tr = TimeRange.last(preset, now=NOW)
    assert resolution(tr) == resolution(tr.span, CHART) == chart
    assert resolution(tr, SPARKLINE) == sparkline
    assert resolution(tr, coarsest="hour") == ("raw" if chart == "raw" else "hour")   # hourly rollups only


def test_it_reads_totals_from_raw_samples_while_they_are_kept() -> None:
    with override_settings(RETENTION_RAW_DAYS=7):
        assert resolution(dt.timedelta(days=7), TOTALS) == "raw"
        assert resolution(dt.timedelta(days=8), TOTALS) == "hour"
        assert resolution(dt.timedelta(days=400), TOTALS) == "hour"   # never daily
    assert resolution(dt.timedelta(hours=6, seconds=1)) == "hour"
    assert resolution(dt.timedelta(days=14, seconds=1)) == "day"
    with pytest.raises(ValueError, match="unknown purpose"):
        resolution(dt.timedelta(hours=1), "poster")


def test_it_resolves_the_range_once_per_request_and_keeps_the_reason_it_fell_back() -> None:
    request = RequestFactory().get("/t/x/", {"range": "forever"})
    first = resolve_range(request)
    assert first.preset == DEFAULT_PRESET and "unknown range" in range_error(request)
    assert resolve_range(request) is first and getattr(request, "time_range") is first  # noqa: B009
    assert range_error(RequestFactory().get("/t/x/", {"range": "7d"})) == ""


def test_it_starts_a_range_at_the_history_when_that_begins_inside_it() -> None:
    day = TimeRange.last("24h", now=NOW)
    first = NOW - dt.timedelta(minutes=20, seconds=-7)    # 11:40:07
    young = day.since(first)
    assert young.start == dt.datetime(2025, 3, 10, 11, 40, tzinfo=dt.UTC) < first   # raw reads take "> start"
    assert (young.end, young.preset, young.history_from) == (NOW, "24h", first)
    assert young.params() == {"range": "24h"} and young.label == "last 24h"        # the same link and name
    exact = day.since(dt.datetime(2025, 3, 10, 11, 40, tzinfo=dt.UTC))
    assert exact.start == dt.datetime(2025, 3, 10, 11, 39, tzinfo=dt.UTC)
    late = day.since(NOW - dt.timedelta(seconds=10))                                 # still a minute to draw
    assert late.start == NOW - dt.timedelta(minutes=1)
    for covered in (None, NOW - dt.timedelta(days=3), day.start, NOW + dt.timedelta(minutes=1)):
        assert day.since(covered) is day   # the history covers the range, is unknown, or starts after it


@pytest.mark.parametrize(("preset", "history", "chart", "sparkline"), [
    ("24h", dt.timedelta(minutes=20), "raw", "raw"),
    ("24h", dt.timedelta(hours=3), "raw", "hour"),
    ("7d", dt.timedelta(hours=30), "hour", "hour"),
    ("30d", dt.timedelta(days=3), "hour", "hour"),
    ("30d", dt.timedelta(days=20), "day", "day"),
])
def test_it_resolves_against_the_span_that_has_data(preset: str, history: dt.timedelta, chart: str,
                                                     sparkline: str) -> None:
    young = TimeRange.last(preset, now=NOW).since(NOW - history)
    assert resolution(young) == chart and resolution(young, SPARKLINE) == sparkline
