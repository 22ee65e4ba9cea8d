"""Alerts of the fleet and of one target over a time range (read: viewers), one alert, silences (read),
and the acknowledgement of an open alert (operators) through ``alerts.actions`` — the same service as the
Alerts page, which audits it (with the token's name when a token was used)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from alerts import actions, selectors
from alerts.models import AlertState
from api import pagination
from api import queries as q
from api.errors import not_found
from api.params import INT8_MAX, Query, path_int, path_param
from api.schema import CONFLICT, documented
from api.serializers.alerts import AcknowledgeSerializer, AlertSerializer, SilenceSerializer
from api.serializers.common import paged, range_json
from api.views.base import ApiView, conflict, django_request, target
from dbconsole.access import OPERATOR
from monitoring.models import Target

NAME = path_param("name", "The target's name.")
ID = path_param("id", "The alert's id.", integer=True, maximum=INT8_MAX)
AlertPage = paged("AlertPage", AlertSerializer, ranged=True)
SilencePage = paged("SilencePage", SilenceSerializer)
ORDER = ("Episodes overlapping the range (open ones started before its end, resolved ones that ended after its "
         "start), newest first.")


def _alerts(request: Request, query: Query, scope: str, obj: Target | None) -> Response:
    values = query.read(request.query_params, scope=scope)
    window = values["time_range"]
    rows, more = selectors.alert_list(
        start=window.start, end=window.end, target=obj, target_name=values.get("target") or None,
        state=values["state"], severity=values["severity"], rule=values["rule"],
        after=pagination.keyset(values), limit=values["limit"])
    last = pagination.keyset_position(rows[-1].alert.started_at, rows[-1].alert.pk) if more and rows else None
    return Response(pagination.page(request, scope, values, AlertSerializer(rows, many=True).data, last,
                                    range=range_json(window)))


class AlertList(ApiView):
    @documented(op="alerts_list", summary="Alerts of every target: firing, pending, silenced, inhibited and "
                "resolved", description=ORDER, query=q.ALERTS, responses={200: AlertPage}, tags=["alerts"])
    def get(self, request: Request) -> Response:
        return _alerts(request, q.ALERTS, "alerts", None)


class TargetAlertList(ApiView):
    @documented(op="target_alerts_list", summary="Alerts of a target: firing, pending, silenced, inhibited and "
                "resolved", description=ORDER, path=[NAME], query=q.TARGET_ALERTS, responses={200: AlertPage},
                tags=["alerts"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        return _alerts(request, q.TARGET_ALERTS, f"alerts:{obj.pk}", obj)


def _row(id: str) -> selectors.AlertRow:
    row = selectors.alert_row(path_int("id", id, maximum=INT8_MAX))
    if row is None:
        raise not_found("no such alert", "id")
    return row


class AlertDetail(ApiView):
    @documented(op="alert_get", summary="One alert with its labels, annotations and times", path=[ID],
                responses={200: AlertSerializer}, tags=["alerts"])
    def get(self, request: Request, id: str) -> Response:
        q.NONE.read(request.query_params)
        return Response(AlertSerializer(_row(id)).data)


class AlertAcknowledge(ApiView):
    roles = {"POST": OPERATOR}

    @documented(op="alert_acknowledge",
                summary="Acknowledge an open alert (operator): no repeat notifications while it fires; its "
                        "resolution is still sent", path=[ID], request=AcknowledgeSerializer, write=True,
                tags=["alerts"], responses={200: AlertSerializer, 409: CONFLICT})
    def post(self, request: Request, id: str) -> Response:
        row = _row(id)
        body = AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if row.alert.state not in (AlertState.FIRING, AlertState.PENDING):
            raise conflict("not_open", f"alert {row.alert.pk} is {row.status}: only an open alert can be "
                                       "acknowledged")
        actions.acknowledge(row.alert, comment=body.validated_data["comment"], request=django_request(request))
        return Response(AlertSerializer(_row(id)).data)


class SilenceList(ApiView):
    @documented(op="silences_list", summary="Silences and maintenance windows, latest start first", query=q.SILENCES,
                responses={200: SilencePage}, tags=["alerts"])
    def get(self, request: Request) -> Response:
        values = q.SILENCES.read(request.query_params, scope="silences")
        rows, more = selectors.silence_list(status=values["status"], target_name=values["target"] or None,
                                            after=pagination.keyset(values), limit=values["limit"])
        last = pagination.keyset_position(rows[-1].starts_at, rows[-1].pk) if more and rows else None
        context: dict[str, Any] = {"now": timezone.now()}
        return Response(pagination.page(request, "silences", values,
                                        SilenceSerializer(rows, many=True, context=context).data, last))
