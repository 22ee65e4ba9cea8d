"""The one home of the severity thresholds: how a value is graded, and a target's validated overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from dbconsole import thresholds as th
from monitoring.models import Target


def test_it_grades_from_below_and_from_above_and_never_calls_a_missing_value_ok() -> None:
    assert [th.grade("long_query_seconds", s) for s in (0, 299.9, 300, 3599, 3600)] == \
        ["ok", "ok", "warning", "warning", "critical"]
    # A cache hit ratio is worse the lower it is, and must fall under the bound.
    assert [th.grade("cache_hit_ratio", r) for r in (0.99, 0.95, 0.9499, 0.80, 0.7999)] == \
        ["ok", "ok", "warning", "warning", "critical"]
    # Strict: only above 40 % of RAM is shared_buffers too large.
    assert [th.grade("shared_buffers_ram_share_high", r) for r in (0.40, 0.41, 0.50, 0.51)] == \
        ["ok", "info", "info", "warning"]
    assert th.grade("connection_saturation", None) == "unknown"


def test_it_grades_wraparound_against_the_freeze_max_age_and_the_hard_limit() -> None:
    assert th.grade_wraparound(199_999_999, 200_000_000) == "ok"
    assert th.grade_wraparound(200_000_000, 200_000_000) == "warning"
    assert th.grade_wraparound(400_000_000, 200_000_000) == "critical"
    assert th.grade_wraparound(1_500_000_000, 1_000_000_000) == "critical"   # whatever the setting
    assert th.grade_wraparound(250_000_000, None) == "warning"               # PostgreSQL's default, 200M
    assert th.grade_wraparound(None, 200_000_000) == "unknown"


def test_it_grades_bloat_that_is_proportionally_large_or_large() -> None:
    mb = 1024 ** 2
    assert th.grade_bloat(2 * mb, 0.9) == "info"          # small but most of the relation
    assert th.grade_bloat(150 * mb, 0.85) == "warning"
    assert th.grade_bloat(200 * mb, 0.4) == "info"        # large, a fair share
    assert th.grade_bloat(2048 * mb, 0.35) == "warning"
    assert th.grade_bloat(2048 * mb, 0.2) == "ok"         # a big table with some slack
    assert th.grade_sequence(97.0, cycle=True) == "ok"    # CYCLE wraps around on purpose


def test_it_applies_a_targets_overrides_and_keeps_the_other_levels() -> None:
    target = Target(name="t", thresholds={"long_query_seconds": {"warning": 60}})
    assert th.grade("long_query_seconds", 90, target) == "warning"
    assert th.grade("long_query_seconds", 3600, target) == "critical"
    assert th.thresholds_for(target).bound("long_query_seconds", "critical") == 3600
    assert th.grade("long_query_seconds", 90) == "ok"
    assert th.thresholds_for(Target(name="u")) is th.DEFAULT


@pytest.mark.parametrize(("overrides", "message"), [
    ([1, 2], "must be an object"),
    ({"long_query": {"warning": 1}}, "unknown threshold 'long_query'"),
    ({"long_query_seconds": 600}, "give an object of levels"),
    ({"long_query_seconds": {"info": 10}}, "info is not one of its levels (warning, critical)"),
    ({"long_query_seconds": {"warning": "600"}}, "a number ≥ 0 in seconds"),
    ({"long_query_seconds": {"warning": True}}, "a number ≥ 0"),
    ({"long_query_seconds": {"warning": -1}}, "a number ≥ 0"),
    ({"long_query_seconds": {"warning": float("nan")}}, "a number ≥ 0"),
    ({"long_query_seconds": {"warning": 7200}}, "must increase from info to warning to critical"),
    ({"cache_hit_ratio": {"critical": 0.99}}, "must decrease (lower is worse)"),
])
def test_it_refuses_overrides_it_cannot_apply(overrides: Any, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        th.validate_overrides(overrides)
    assert any(message in m for m in raised.value.messages), raised.value.messages


@pytest.mark.django_db
def test_it_validates_a_targets_thresholds_when_the_target_is_cleaned() -> None:
    target = Target(name="orders", host="127.0.0.1", port=5432, dbname="shop", username="mon",
                    thresholds={"sequence_used_percent": {"warning": 50, "critical": 80}})
    target.full_clean()
    target.thresholds = {"sequence_used_percent": {"warning": 95}}
    with pytest.raises(ValidationError) as raised:
        target.full_clean()
    assert "thresholds" in raised.value.message_dict


def test_it_documents_every_threshold_with_a_unit_and_at_least_one_level() -> None:
    for key, threshold in th.DEFAULTS.items():
        assert threshold.key == key and threshold.unit and threshold.doc and threshold.levels
        th.validate_overrides({key: {level: threshold.bound(level) for level in threshold.levels}})


def test_it_lists_every_threshold_in_the_readme_with_its_defaults() -> None:
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    for key, threshold in th.DEFAULTS.items():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{key}` |")), "")
        cells = [c.strip().split(" (")[0] for c in row.split("|")[2:5]]
        assert cells == [_plain(b) for b in (threshold.info, threshold.warning, threshold.critical)], key


def _plain(bound: float | None) -> str:
    if bound is None:
        return ""
    return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"
