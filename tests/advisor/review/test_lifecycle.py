"""The lifecycle an advisor run drives: upsert by key, resolve what is verified gone, restore decisions,
stay dismissed, wake snoozed, leave alone what a run did not evaluate comparably.

These tests feed findings straight into ``apply_findings`` — they are about the lifecycle, not about
any rule (the rules are tested against real targets in ``tests/advisor/rules``, and the decisions
through real runs in ``test_decisions_survive_runs``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from advisor.models import Decision, Recommendation, Status
from advisor.review.decisions import DecisionError, decide
from advisor.review.lifecycle import RunScope, apply_findings
from advisor.review.run import run_advisor
from advisor.rules.findings import Finding
from advisor.rules.options import AdvisorOptions
from dbconsole.models import AuditEvent
from monitoring.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def target() -> Target:
    t = Target(name="shop", host="127.0.0.1", port=5432, dbname="shop", username="mon")
    t.set_password("x")
    t.save()
    return t


def unused(name: str = "orders_status_idx", size_class: int = 5, severity: str = "info") -> Finding:
    return Finding(kind="unused_index", object_key=f"public.{name}", object_label=f"public.{name}",
                   severity=severity, title=f"Drop unused index {name}", material={"size_class": size_class},
                   evidence={"facts": [{"label": "Index size", "value": 4 ** size_class}]})


def run(target: Target, *findings: Finding, gone: tuple[str, ...] = (), evaluated: bool = True,
        conditions: dict[str, Any] | None = None, at: dt.datetime | None = None) -> Any:
    """One run: ``gone`` names the indexes whose condition it verified gone; ``evaluated`` says whether
    the unused-index rule ran; ``conditions`` other than the standard ones make it a custom run."""
    scope = RunScope()
    if evaluated:
        scope.conditions["unused_index"] = conditions or {"window": 604800.0}
        if conditions is None:
            scope.standard.add("unused_index")
    scope.gone = {("unused_index", f"public.{name}"): "the index no longer exists" for name in gone}
    return apply_findings(target, None, [("indexes", f) for f in findings], scope, at or timezone.now())


def as_reviewer(user: Any) -> Any:
    request = RequestFactory().post("/")
    request.user = user
    return request


def test_it_creates_once_and_updates_on_the_next_run(target: Target) -> None:
    first = run(target, unused())
    second = run(target, unused(), unused("orders_total_idx"))
    assert (first.created, second.created, second.updated) == (1, 1, 1)
    assert Recommendation.objects.filter(target=target).count() == 2
    rec = Recommendation.objects.get(object_key="public.orders_status_idx")
    assert rec.status == Status.OPEN
    assert list(rec.decisions.values_list("action", flat=True)) == ["created"]


def test_it_resolves_what_the_run_verified_gone(target: Target) -> None:
    run(target, unused())
    result = run(target, gone=("orders_status_idx",))
    rec = Recommendation.objects.get()
    assert result.resolved == 1 and rec.status == Status.RESOLVED and rec.resolved_at is not None
    last = rec.decisions.order_by("-pk").first()
    assert last is not None and last.action == "resolved"
    assert last.comment == "the condition is gone: the index no longer exists"


def test_it_resolves_nothing_it_did_not_verify_gone(target: Target) -> None:
    run(target, unused())
    assert run(target).resolved == 0                      # ran, did not find it, proved nothing
    assert run(target, evaluated=False).resolved == 0     # did not run
    assert Recommendation.objects.get().status == Status.OPEN


def test_it_reopens_a_resolved_recommendation_found_again(target: Target) -> None:
    run(target, unused())
    run(target, gone=("orders_status_idx",))
    result = run(target, unused())
    rec = Recommendation.objects.get()
    assert result.reopened == 1 and rec.status == Status.OPEN and rec.resolved_at is None


def test_it_dismissal_holds_while_the_evidence_is_the_same(target: Target, reviewer: Any) -> None:
    run(target, unused(size_class=5))
    rec = Recommendation.objects.get()
    decide(rec.pk, "dismiss", request=as_reviewer(reviewer), reason="used by the monthly report")
    run(target, unused(size_class=5))
    rec.refresh_from_db()
    assert rec.status == Status.DISMISSED and rec.dismiss_reason == "used by the monthly report"


def test_it_dismissal_ends_when_the_evidence_changes_materially(target: Target, reviewer: Any) -> None:
    run(target, unused(size_class=5))
    rec = Recommendation.objects.get()
    decide(rec.pk, "dismiss", request=as_reviewer(reviewer), reason="small enough to keep")
    result = run(target, unused(size_class=7))
    rec.refresh_from_db()
    assert result.reopened == 1 and rec.status == Status.OPEN and rec.dismiss_reason == ""
    reopened = rec.decisions.get(action="reopened")
    assert reopened.details["changes"] == ["size_class: 5 → 7"]


def test_it_dismissed_recommendation_that_flaps_stays_dismissed(target: Target, reviewer: Any) -> None:
    run(target, unused())
    rec = Recommendation.objects.get()
    decide(rec.pk, "dismiss", request=as_reviewer(reviewer), reason="weekly job uses it")
    run(target, gone=("orders_status_idx",))          # the job ran: not unused any more
    rec.refresh_from_db()
    assert rec.status == Status.RESOLVED
    run(target, unused())  # a week later, unused again with the same evidence
    rec.refresh_from_db()
    assert rec.status == Status.DISMISSED and rec.dismiss_reason == "weekly job uses it"


def test_it_severity_change_is_material(target: Target, reviewer: Any) -> None:
    run(target, unused(severity="info"))
    rec = Recommendation.objects.get()
    decide(rec.pk, "dismiss", request=as_reviewer(reviewer), reason="fine for now")
    run(target, unused(severity="warning"))
    rec.refresh_from_db()
    assert rec.status == Status.OPEN


def test_it_snooze_ends_at_its_date_even_when_the_rule_did_not_run(target: Target, reviewer: Any) -> None:
    run(target, unused())
    rec = Recommendation.objects.get()
    until = timezone.now() + dt.timedelta(days=3)
    decide(rec.pk, "snooze", request=as_reviewer(reviewer), until=until)
    run(target, unused(), at=until - dt.timedelta(hours=1))
    rec.refresh_from_db()
    assert rec.status == Status.SNOOZED
    run(target, evaluated=False, at=until + dt.timedelta(minutes=1))
    rec.refresh_from_db()
    assert rec.status == Status.OPEN and rec.snoozed_until is None
    assert rec.decisions.order_by("-pk").first().action == "snooze_ended"  # type: ignore[union-attr]


def test_it_decisions_follow_the_allowed_transitions_and_are_audited(target: Target, reviewer: Any) -> None:
    run(target, unused())
    rec = Recommendation.objects.get()
    request = as_reviewer(reviewer)
    with pytest.raises(DecisionError, match="needs a reason"):
        decide(rec.pk, "dismiss", request=request, reason="  ")
    with pytest.raises(DecisionError, match="cannot be applied"):
        decide(rec.pk, "apply", request=request)
    with pytest.raises(DecisionError, match="in the future"):
        decide(rec.pk, "snooze", request=request, until=timezone.now() - dt.timedelta(days=1))
    decide(rec.pk, "accept", request=request, comment="drop it next maintenance window")
    decide(rec.pk, "apply", request=request)
    rec.refresh_from_db()
    assert rec.status == Status.APPLIED
    history = list(rec.decisions.order_by("pk").values_list("actor_name", "action", "from_status", "to_status"))
    assert history == [("advisor", "created", "", "open"), ("rita-reviewer", "accepted", "open", "accepted"),
                       ("rita-reviewer", "applied", "accepted", "applied")]
    audited = list(AuditEvent.objects.filter(target=target).order_by("pk").values_list("action", "actor_name"))
    assert audited == [("advisor.accept", "rita-reviewer"), ("advisor.apply", "rita-reviewer")]
    assert AuditEvent.objects.get(action="advisor.accept").details["comment"] == "drop it next maintenance window"


def test_it_applied_recommendation_resolves_when_its_condition_goes(target: Target, reviewer: Any) -> None:
    run(target, unused())
    rec = Recommendation.objects.get()
    decide(rec.pk, "accept", request=as_reviewer(reviewer))
    decide(rec.pk, "apply", request=as_reviewer(reviewer))
    run(target, gone=("orders_status_idx",))
    rec.refresh_from_db()
    assert rec.status == Status.RESOLVED
    assert Decision.objects.filter(recommendation=rec).count() == 4


def test_it_target_that_does_not_answer_resolves_nothing(target: Target) -> None:
    target.port = 1  # nothing listens there
    target.save()
    fk = Finding(kind="fk_without_index", object_key="public.payments.payments_order_id_fkey",
                 object_label="public.payments (order_id)", severity="info", title="Index the foreign key")
    apply_findings(target, None, [("indexes", fk)], RunScope(), timezone.now())
    outcome = run_advisor(target, options=AdvisorOptions(rules=("fk_indexes", "not_valid_constraints")))
    rules = outcome.run.rules_by_name
    assert rules["fk_indexes"]["status"] == "skipped"
    assert rules["fk_indexes"]["message"] == "target: cannot connect to 127.0.0.1:1: connection refused"
    assert rules["not_valid_constraints"]["message"] == rules["fk_indexes"]["message"]  # connected once
    assert Recommendation.objects.get(kind="fk_without_index").status == Status.OPEN
    assert outcome.run.resolved == 0


def test_it_accepted_recommendation_stays_accepted_when_its_condition_comes_back(target: Target,
                                                                                   reviewer: Any) -> None:
    run(target, unused())
    rec = Recommendation.objects.get()
    decide(rec.pk, "accept", request=as_reviewer(reviewer), comment="drop it on Sunday")
    run(target, gone=("orders_status_idx",))
    rec.refresh_from_db()
    assert (rec.status, rec.resolved_from) == (Status.RESOLVED, Status.ACCEPTED)
    run(target, unused())
    rec.refresh_from_db()
    assert rec.status == Status.ACCEPTED and rec.resolved_at is None
    actions = list(rec.decisions.order_by("pk").values_list("action", "actor_name"))
    assert actions == [("created", "advisor"), ("accepted", "rita-reviewer"), ("resolved", "advisor"),
                       ("restored", "advisor")]


def test_it_snoozed_recommendation_stays_snoozed_when_it_comes_back_before_its_date(target: Target,
                                                                                     reviewer: Any) -> None:
    run(target, unused())
    rec = Recommendation.objects.get()
    until = timezone.now() + dt.timedelta(days=10)
    decide(rec.pk, "snooze", request=as_reviewer(reviewer), until=until)
    run(target, gone=("orders_status_idx",))
    run(target, unused())
    rec.refresh_from_db()
    assert rec.status == Status.SNOOZED and rec.snoozed_until == until


def test_it_custom_run_neither_reopens_nor_rewrites_a_decision(target: Target, reviewer: Any) -> None:
    run(target, unused(size_class=5))
    rec = Recommendation.objects.get()
    decide(rec.pk, "dismiss", request=as_reviewer(reviewer), reason="kept for the quarterly report")
    # A run with another window finds it with other evidence: not comparable, so nothing moves.
    result = run(target, unused(size_class=7), conditions={"window": 86400.0})
    rec.refresh_from_db()
    assert result.untouched == 1 and result.reopened == 0
    assert rec.status == Status.DISMISSED and rec.material["size_class"] == 5
    # The standard run finds the dismissed evidence again: it stays dismissed.
    run(target, unused(size_class=5))
    rec.refresh_from_db()
    assert rec.status == Status.DISMISSED and rec.dismiss_reason == "kept for the quarterly report"


def test_it_comparable_custom_run_updates_what_it_found_itself(target: Target) -> None:
    custom = {"window": 86400.0}
    run(target, unused(size_class=5), conditions=custom)
    rec = Recommendation.objects.get()
    assert rec.conditions == custom
    result = run(target, unused(size_class=6), conditions=custom)
    rec.refresh_from_db()
    assert result.updated == 1 and rec.material["size_class"] == 6
