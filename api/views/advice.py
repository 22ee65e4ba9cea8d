"""Recommendations (read: viewers; decide, comment, draft, run the advisor: reviewers) through the same
review services as the advisor's pages — ``decide``/``add_comment`` audit every change themselves."""

from __future__ import annotations

from typing import Any

from kombu.exceptions import OperationalError
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from advisor import selectors
from advisor.models import Recommendation, Status
from advisor.review.decisions import DecisionError, add_comment, decide
from advisor.review.drafting import draft_recommendations
from advisor.tasks import run_target
from api import pagination
from api import queries as q
from api.errors import ApiError, invalid
from api.params import path_int, path_param
from api.schema import CONFLICT, UNAVAILABLE, documented
from api.serializers.advice import (
    DRAFT_FORMATS,
    CommentSerializer,
    DecisionEntrySerializer,
    DecisionSerializer,
    DraftSerializer,
    RecommendationDetailSerializer,
    RecommendationSerializer,
    RunQueuedSerializer,
)
from api.serializers.common import paged
from api.views.base import ApiView, conflict, django_request, target, unavailable
from dbconsole import audit
from dbconsole.access import REVIEWER
from monitoring.models import Target

NAME = path_param("name", "The target's name.")
REC = [NAME, path_param("id", "The recommendation's id.", integer=True)]
RUN_EXPIRES_S = 600
RecommendationPage = paged("RecommendationPage", RecommendationSerializer)


def _recommendation(name: str, pk: str) -> Recommendation:
    obj = target(name)
    return selectors.recommendation(obj.name, path_int("id", pk))


def _detail(rec: Recommendation) -> dict[str, Any]:
    return dict(RecommendationDetailSerializer(rec, context={"history": selectors.decisions(rec)}).data)


class RecommendationList(ApiView):
    @documented(op="recommendations_list",
                summary="Recommendations of a target, most pressing first", path=[NAME], query=q.RECOMMENDATIONS,
                responses={200: RecommendationPage}, tags=["advisor"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        values = q.RECOMMENDATIONS.read(request.query_params, scope=f"recommendations:{obj.pk}")
        include_resolved = values["include_resolved"] or values["status"] == Status.RESOLVED
        rows = selectors.recommendations(target=obj, include_resolved=include_resolved)
        for key in ("status", "severity", "category"):
            if values[key]:
                rows = [r for r in rows if getattr(r, key) == values[key]]
        chunk, after = pagination.slice_page(rows, values)
        return Response(pagination.page(request, f"recommendations:{obj.pk}", values,
                                        RecommendationSerializer(chunk, many=True).data, after))


class RecommendationDetail(ApiView):
    @documented(op="recommendation_get",
                summary="One recommendation with its evidence, change specs and history", path=REC,
                responses={200: RecommendationDetailSerializer}, tags=["advisor"])
    def get(self, request: Request, name: str, id: str) -> Response:
        q.NONE.read(request.query_params)
        return Response(_detail(_recommendation(name, id)))


class RecommendationDecision(ApiView):
    roles = {"POST": REVIEWER}

    @documented(op="recommendation_decide",
                summary="Accept, dismiss (with a reason), snooze (until a date), reopen or mark applied "
                        "(reviewer)", path=REC, request=DecisionSerializer, write=True, tags=["advisor"],
                responses={200: RecommendationDetailSerializer, 409: CONFLICT})
    def post(self, request: Request, name: str, id: str) -> Response:
        rec = _recommendation(name, id)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            decide(rec.pk, data["action"], request=django_request(request), comment=data["comment"],
                   reason=data["reason"], until=data["until"])
        except DecisionError as exc:   # the body was checked above: what remains is the status
            raise conflict("invalid_transition", str(exc), "action") from None
        rec.refresh_from_db()
        return Response(_detail(rec))


class RecommendationComments(ApiView):
    roles = {"POST": REVIEWER}

    @documented(op="recommendation_comment",
                summary="Comment on a recommendation (reviewer)", path=REC, request=CommentSerializer, write=True,
                tags=["advisor"], responses={201: DecisionEntrySerializer})
    def post(self, request: Request, name: str, id: str) -> Response:
        rec = _recommendation(name, id)
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            add_comment(rec.pk, body.validated_data["text"], request=django_request(request))
        except DecisionError as exc:
            raise invalid("text", str(exc), code="invalid_body") from None
        entry = selectors.decisions(rec).last()
        return Response(DecisionEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class RecommendationDraft(ApiView):
    roles = {"GET": REVIEWER}

    @documented(op="recommendation_draft",
                summary="A migration draft for an accepted recommendation (reviewer): SQL, its rollback, a "
                        "Django migration or an Alembic revision, made from the target's catalog as it is now",
                path=REC, query=q.DRAFT, tags=["advisor"],
                responses={200: DraftSerializer, 409: CONFLICT, 503: UNAVAILABLE})
    def get(self, request: Request, name: str, id: str) -> Response:
        values = q.DRAFT.read(request.query_params)
        rec = _recommendation(name, id)
        outcome = draft_recommendations(rec.target, [rec])
        if outcome.error is not None:
            raise unavailable(outcome.error.status, outcome.error.message, outcome.error.hint)
        if outcome.draft is None:
            reason = "; ".join(why for _r, why in outcome.excluded) or "nothing to draft"
            raise conflict("not_draftable", f"recommendation {rec.pk} {reason}")
        draft = outcome.draft
        text = getattr(draft, DRAFT_FORMATS[values["format"]])
        filename = {"sql": draft.files.sql, "rollback": draft.files.rollback_sql, "django": draft.files.django,
                    "alembic": draft.files.alembic}[values["format"]]
        return Response(DraftSerializer({
            "format": values["format"], "filename": filename, "text": text,
            "recommendations": [r.pk for r in outcome.included],
            "excluded": [{"id": r.pk, "reason": why} for r, why in outcome.excluded],
            "lint": (draft.rollback_lint if values["format"] == "rollback" else draft.lint).to_dict(),
        }).data)


class AdvisorRun(ApiView):
    roles = {"POST": REVIEWER}

    @documented(op="advisor_run",
                summary="Run the advisor on this target now (reviewer): queued for an advisor worker",
                path=[NAME], request=None, write=True, tags=["advisor"],
                responses={202: RunQueuedSerializer, 409: CONFLICT, 503: UNAVAILABLE})
    def post(self, request: Request, name: str) -> Response:
        obj: Target = target(name)
        if not obj.enabled:
            raise conflict("target_disabled", f"{obj.name} is disabled: enable it to advise on it")
        # The task beat enqueues; a run asked for by hand may wait behind others longer than beat's do.
        try:
            run_target.apply_async(args=(obj.pk,), expires=RUN_EXPIRES_S)
        except OperationalError as exc:
            raise ApiError(503, "queue_unavailable", f"the task queue did not take the run: {exc}") from None
        audit.record("advisor.run_requested", request=django_request(request), target=obj)
        return Response({"status": "queued", "target": obj.name}, status=status.HTTP_202_ACCEPTED)
