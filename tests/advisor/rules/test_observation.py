"""Unused-index drops only after a minimum observation of statistics that cover the index: 14 days by
default, configurable (environment and per target), started again by a statistics reset — and a reset
never resolves what was found before it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.utils import timezone

from advisor.models import MachineFacts, Recommendation, Status
from advisor.review.decisions import decide
from advisor.review.run import RunOutcome, run_advisor
from advisor.rules.options import AdvisorOptions
from monitoring.models import Event, Target
from monitoring.models import events as ev
from tests.advisor.history_clock import age_history
from tests.advisor.planted_shop import collect
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

SCHEMA = """
CREATE TABLE visits (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, page text NOT NULL, referrer text);
INSERT INTO visits (page, referrer) SELECT 'p' || (g % 500), 'r' || (g % 40) FROM generate_series(1, 5000) g;
CREATE INDEX visits_page_idx ON visits (page);
CREATE INDEX visits_referrer_idx ON visits (referrer);
ANALYZE visits;
"""
RULES = ("duplicate_indexes", "invalid_indexes", "unused_indexes")
COLLECTED = ("database", "relations")


def browse(db: TargetDb) -> None:
    with db.connect() as conn:
        for i in range(20):
            conn.execute("SELECT id FROM visits WHERE page = %s", (f"p{i}",))


def watched(db: TargetDb, days: float) -> Target:
    """Monitored for ``days``: a first collection that long ago, traffic, a collection now."""
    with db.connect() as conn:
        conn.execute(SCHEMA)
    target = db.make_target()
    collect(target, COLLECTED)
    age_history(target, dt.timedelta(days=days))
    browse(db)
    collect(target, COLLECTED)
    return target


def advise(target: Target, **options: Any) -> RunOutcome:
    return run_advisor(target, options=AdvisorOptions(rules=RULES, **options), trigger="cli")


def unused(outcome: RunOutcome) -> list[str]:
    return [r.object_key for r in outcome.recommendations if r.kind == "unused_index"]


def too_early(outcome: RunOutcome) -> Recommendation | None:
    return next((r for r in outcome.recommendations
                 if (r.kind, r.object_key) == ("cannot_evaluate", "unused_indexes")), None)


def test_it_says_too_early_before_the_minimum_and_proposes_after(target_db: TargetDb) -> None:
    target = watched(target_db, days=5)
    early = advise(target)
    assert unused(early) == []
    rec = too_early(early)
    assert rec is not None and rec.severity == "unknown"
    assert rec.title == "Unused indexes: too early to tell: 5 days of 14 observed"
    assert any(n.startswith("public.visits_referrer_idx: 5 days observed") for n in rec.evidence["notes"])
    assert "DBCONSOLE_ADVISOR_MIN_OBSERVATION_DAYS" in rec.cost
    # The used index is never listed: scanned, so not a candidate at all.
    assert not any("visits_page_idx" in n for n in rec.evidence["notes"])

    age_history(target, dt.timedelta(days=10))
    later = advise(target)
    assert unused(later) == ["public.visits_referrer_idx"]
    assert too_early(later) is None
    rec.refresh_from_db()
    assert rec.status == Status.RESOLVED   # the rule sees enough history now


def test_it_minimum_is_configurable_in_the_environment_and_per_target(target_db: TargetDb, settings: Any) -> None:
    target = watched(target_db, days=4)
    settings.ADVISOR_MIN_OBSERVATION_DAYS = 3
    assert unused(advise(target)) == ["public.visits_referrer_idx"]
    MachineFacts.objects.create(target=target, min_observation_days=10, updated_at=timezone.now())
    outcome = advise(target)
    assert unused(outcome) == []
    rec = too_early(outcome)
    assert rec is not None and rec.title.endswith("too early to tell: 4 days of 10 observed")
    # A run's own option wins over both (and is a run under other conditions: it changes no decision).
    assert unused(advise(target, min_observation_days=2)) == ["public.visits_referrer_idx"]


def test_it_statistics_reset_starts_the_observation_again_and_resolves_nothing(target_db: TargetDb,
                                                                                 reviewer: User) -> None:
    target = watched(target_db, days=15)
    (rec,) = [r for r in advise(target).recommendations if r.kind == "unused_index"]
    request = RequestFactory().post("/")
    request.user = reviewer
    decide(rec.pk, "accept", request=request, comment="drop after the release")
    with target_db.connect() as conn:
        conn.execute("SELECT pg_stat_reset()")
    collect(target, COLLECTED)
    assert Event.objects.filter(target=target, kind=ev.DATABASE_STATS_RESET).exists()

    outcome = advise(target)
    assert unused(outcome) == []
    early = too_early(outcome)
    assert early is not None and "too early to tell: 0.0 days of 14 observed" in early.title
    assert any("(since the statistics reset)" in n for n in early.evidence["notes"])
    rec.refresh_from_db()
    assert rec.status == Status.ACCEPTED   # not found this time, but not verifiably gone: kept
    assert not rec.decisions.filter(action="resolved").exists()


def test_it_resolves_the_unused_index_once_it_is_really_dropped(target_db: TargetDb) -> None:
    target = watched(target_db, days=15)
    (rec,) = [r for r in advise(target).recommendations if r.kind == "unused_index"]
    advise(target, min_observation_days=30)          # another condition, and too early for it: no change
    rec.refresh_from_db()
    assert rec.status == Status.OPEN
    with target_db.connect() as conn:
        conn.execute("DROP INDEX visits_referrer_idx")
    collect(target, COLLECTED)
    advise(target, min_observation_days=30)          # the drop is a fact whatever the options
    rec.refresh_from_db()
    assert rec.status == Status.RESOLVED
    assert rec.decisions.get(action="resolved").comment == (
        "the condition is gone: index public.visits_referrer_idx no longer exists")
