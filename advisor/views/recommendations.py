"""Recommendations: per target, across the fleet, and one with its evidence and history (a permalink)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from advisor import selectors
from advisor.models import Recommendation
from advisor.models.kinds import kind_title
from advisor.review.decisions import allowed_actions
from advisor.review.drafting import DRAFTABLE
from advisor.views.evidence import evidence_context
from advisor.views.forms import CommentForm, DecisionForm
from dbconsole import params
from dbconsole.access import REVIEWER, has_role
from dbconsole.htmx import is_htmx
from monitoring import selectors as monitoring_selectors
from monitoring.ui.frame import frame
from monitoring.ui.tables import Column, Table

LIST_TEMPLATE = "advisor/list.html"
FLEET_TEMPLATE = "advisor/fleet.html"
DETAIL_TEMPLATE = "advisor/detail.html"
REGION = "recommendations"
RESOLVED = params.Flag("resolved", soft=True)


def _columns(with_target: bool) -> list[Column]:
    columns = [
        Column("severity", "Severity", choices=True, sortable=False),
        Column("kind", "Kind", choices=True, get=lambda r: kind_title(r.kind)),
        Column("object_label", "Object", search=True),
        Column("title", "Finding", search=True),
        Column("status", "Status", choices=True),
        Column("benefit", "Benefit", sortable=False),
        Column("last_seen_at", "Last seen", numeric=True),
    ]
    if with_target:
        columns.insert(0, Column("target", "Target", choices=True, search=True, get=lambda r: r.target.name))
    return columns


def _table(request: HttpRequest, rows: list[Recommendation], with_target: bool) -> Table:
    keep = {"resolved": "1"} if RESOLVED.get(request) else None
    return Table(request, _columns(with_target), rows, keep=keep)


def _render_list(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    if is_htmx(request) and getattr(request, "htmx").target == REGION:  # noqa: B009
        return render(request, f"{template}#{REGION}", context)
    response = render(request, template, context)
    response["Vary"] = "HX-Request, HX-Target"
    return response


@require_GET
def target_list(request: HttpRequest, target: str) -> HttpResponse:
    obj = monitoring_selectors.target_by_name(target)
    include_resolved = RESOLVED.get(request)
    table = _table(request, selectors.recommendations(target=obj, include_resolved=include_resolved), False)
    if table.wants_csv:
        return table.csv_response(f"{obj.name}-recommendations")
    context = frame(request, obj, "advisor")
    context.update(table=table, include_resolved=include_resolved, counts=selectors.status_counts(obj),
                   run=selectors.last_run(obj), facts=selectors.machine_facts(obj),
                   draftable=sorted(DRAFTABLE) if has_role(request.user, REVIEWER) else [])
    return _render_list(request, LIST_TEMPLATE, context)


@require_GET
def fleet_list(request: HttpRequest) -> HttpResponse:
    include_resolved = RESOLVED.get(request)
    table = _table(request, selectors.recommendations(include_resolved=include_resolved), True)
    if table.wants_csv:
        return table.csv_response("recommendations")
    context = {"table": table, "include_resolved": include_resolved, "counts": selectors.status_counts()}
    return _render_list(request, FLEET_TEMPLATE, context)


def detail_context(request: HttpRequest, rec: Recommendation) -> dict[str, Any]:
    context = frame(request, rec.target, "advisor")
    context.update(
        rec=rec, kind_title=kind_title(rec.kind), decisions=list(selectors.decisions(rec)),
        actions=allowed_actions(rec.status), decision_form=DecisionForm(), comment_form=CommentForm(),
        **evidence_context(rec),
    )
    return context


@require_GET
def detail(request: HttpRequest, target: str, pk: int) -> HttpResponse:
    rec = selectors.recommendation(target, pk)
    return render(request, DETAIL_TEMPLATE, detail_context(request, rec))
