"""Reads for the advisor's pages. Views stay thin; every query lives here, none per row."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse

from advisor.models import AdvisorRun, Decision, MachineFacts, Recommendation, Severity, Status
from monitoring.models import Target

# Open and accepted first (they need someone), then snoozed, applied, dismissed, resolved.
STATUS_ORDER = [Status.OPEN, Status.ACCEPTED, Status.SNOOZED, Status.APPLIED, Status.DISMISSED, Status.RESOLVED]


def _by_priority(qs: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    status_rank = Case(*(When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)),
                       output_field=IntegerField())
    return qs.annotate(status_rank=status_rank).order_by("status_rank", "-severity_rank", "kind",
                                                         "-benefit_score", "object_label")


def recommendations(*, target: Target | None = None, include_resolved: bool = False) -> list[Recommendation]:
    """Recommendations of one target (or every target), most pressing first, with their target."""
    qs = Recommendation.objects.select_related("target").defer("evidence", "material")
    if target is not None:
        qs = qs.filter(target=target)
    if not include_resolved:
        qs = qs.exclude(status=Status.RESOLVED)
    return list(_by_priority(qs))


def recommendation(target_name: str, pk: int) -> Recommendation:
    return get_object_or_404(Recommendation.objects.select_related("target", "last_run"),
                             pk=pk, target__name=target_name)


def decisions(rec: Recommendation) -> QuerySet[Decision]:
    return Decision.objects.filter(recommendation=rec).order_by("at", "pk")


def status_counts(target: Target | None = None) -> dict[str, int]:
    qs = Recommendation.objects.all()
    if target is not None:
        qs = qs.filter(target=target)
    counts = {row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("pk")).order_by()}
    return {s: counts.get(s, 0) for s in Status.values}


def last_run(target: Target) -> AdvisorRun | None:
    return AdvisorRun.objects.filter(target=target, finished_at__isnull=False).order_by("-started_at").first()


def machine_facts(target: Target) -> MachineFacts | None:
    return MachineFacts.objects.filter(target=target).first()


def recommendations_by_id(target: Target, ids: list[int]) -> list[Recommendation]:
    """The recommendations a draft can be made from, in the order asked."""
    found = {r.pk: r for r in Recommendation.objects.filter(target=target, pk__in=ids)}
    return [found[i] for i in ids if i in found]


STATEMENT_PAGES = ("query", "statement")


def statement_url(target: Target, seq: Any) -> str | None:
    """The statement's own page (the query detail page, keyed by the statement's ``seq``), when the
    dashboards provide one; None otherwise. No query: URL reversal only."""
    for name in STATEMENT_PAGES:
        try:
            return reverse(name, args=[target.name, seq])
        except NoReverseMatch:
            continue
    return None


def open_findings(target_ids: list[int]) -> list[dict[str, Any]]:
    """The open recommendations of many targets (pk, target_id, category, severity, title), most
    pressing first within each target — for the headline. One query."""
    return [dict(row) for row in Recommendation.objects.filter(target_id__in=target_ids, status=Status.OPEN)
            .order_by("target_id", "-severity_rank", "-benefit_score", "kind", "object_label")
            .values("pk", "target_id", "category", "severity", "title")]


def last_runs(target_ids: list[int]) -> dict[int, AdvisorRun]:
    """Each target's newest finished advisor run. One query."""
    return {r.target_id: r for r in AdvisorRun.objects.filter(target_id__in=target_ids, finished_at__isnull=False)
            .order_by("target_id", "-started_at").distinct("target_id")}


def open_by_severity(target_ids: list[int]) -> dict[int, dict[str, int]]:
    """Open recommendations per target and severity (every severity present, 0 when none). One query."""
    counts = {t: dict.fromkeys(Severity.values, 0) for t in target_ids}
    rows = (Recommendation.objects.filter(target_id__in=target_ids, status=Status.OPEN)
            .values_list("target_id", "severity").annotate(n=Count("pk")).order_by())
    for target_id, severity, n in rows:
        counts[target_id][severity] = n
    return counts
