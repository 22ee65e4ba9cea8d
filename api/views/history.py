"""Lock incidents with their trees, connections over time, settings and their changes, the audit log."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api import pagination
from api import queries as q
from api.errors import not_found
from api.params import path_int, path_param
from api.schema import documented
from api.serializers.common import paged, range_json
from api.serializers.history import (
    AuditEventSerializer,
    ConnectionPointSerializer,
    LockIncidentSerializer,
    LockSampleSerializer,
    SettingChangeSerializer,
    SettingSerializer,
)
from api.views.base import ApiView, target
from dbconsole.access import ADMIN
from dbconsole.models import AuditEvent
from monitoring.history.selectors.activity import connection_series
from monitoring.history.selectors.configuration import settings_changes, settings_current
from monitoring.models import LockIncident, LockSample

NAME = [path_param("name", "The target's name.")]

LockIncidentPage = paged("LockIncidentPage", LockIncidentSerializer, ranged=True)
LockSamplePage = paged("LockSamplePage", LockSampleSerializer, extra={"incident": LockIncidentSerializer()})
ConnectionPage = paged("ConnectionPage", ConnectionPointSerializer, ranged=True, extra={
    "by": serializers.CharField(), "resolution": serializers.ChoiceField(["raw", "hour"])})
SettingPage = paged("SettingPage", SettingSerializer)
SettingChangePage = paged("SettingChangePage", SettingChangeSerializer, ranged=True)
AuditPage = paged("AuditPage", AuditEventSerializer, ranged=True)


def _incident_json(incident: LockIncident) -> dict[str, Any]:
    return dict(LockIncidentSerializer(incident).data)


class LockIncidentList(ApiView):
    @documented(op="lock_incidents_list",
                summary="Lock incidents overlapping the range, newest first", path=NAME, query=q.LOCK_INCIDENTS,
                responses={200: LockIncidentPage}, tags=["locks"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        values = q.LOCK_INCIDENTS.read(request.query_params, scope=f"incidents:{obj.pk}")
        window = values["time_range"]
        qs = LockIncident.objects.filter(target=obj, started_at__lte=window.end, last_seen_at__gte=window.start)
        after = pagination.keyset(values)
        if after is not None:
            qs = qs.filter(Q(started_at__lt=after[0]) | Q(started_at=after[0], pk__lt=after[1]))
        size = values["limit"]
        rows = list(qs.order_by("-started_at", "-pk")[:size + 1])
        more = len(rows) > size
        rows = rows[:size]
        last = [rows[-1].started_at.isoformat(), rows[-1].pk] if more and rows else None
        return Response(pagination.page(request, f"incidents:{obj.pk}", values,
                                        [_incident_json(i) for i in rows], last, range=range_json(window)))


class LockIncidentDetail(ApiView):
    @documented(op="lock_incident_get",
                summary="One lock incident with the tree of every sample, oldest first",
                path=[*NAME, path_param("incident", "The incident's id.", integer=True)], query=q.LOCK_INCIDENT,
                responses={200: LockSamplePage}, tags=["locks"])
    def get(self, request: Request, name: str, incident: str) -> Response:
        obj = target(name)
        number = path_int("incident", incident)
        values = q.LOCK_INCIDENT.read(request.query_params, scope=f"incident:{obj.pk}:{number}")
        found = LockIncident.objects.filter(target=obj, pk=number).first()
        if found is None:
            raise not_found("no such lock incident on this target", "incident")
        start = pagination.offset_of(values)
        size = values["limit"]
        samples = list(LockSample.objects.filter(incident=found).order_by("captured_at", "pk")[start:start + size + 1])
        more = len(samples) > size
        return Response(pagination.page(request, f"incident:{obj.pk}:{number}", values,
                                        LockSampleSerializer(samples[:size], many=True).data,
                                        start + size if more else None, incident=_incident_json(found)))


class ConnectionHistory(ApiView):
    @documented(op="connections_history",
                summary="Client connections over the range, against max_connections, by state (or database, "
                        "user, application, client, wait event)", path=NAME, query=q.CONNECTIONS,
                responses={200: ConnectionPage}, tags=["connections"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        values = q.CONNECTIONS.read(request.query_params, scope=f"connections:{obj.pk}")
        window = values["time_range"]
        points = connection_series(obj.pk, window.start, window.end, by=values["by"])
        chunk, after = pagination.slice_page(points, values)
        resolution = "hour" if any(p.peak for p in points) else "raw"
        return Response(pagination.page(request, f"connections:{obj.pk}", values,
                                        ConnectionPointSerializer(chunk, many=True).data, after,
                                        range=range_json(window), by=values["by"], resolution=resolution))


class SettingList(ApiView):
    @documented(op="settings_list",
                summary="Current settings of the target (as pg_settings shows them)", path=NAME, query=q.SETTINGS,
                responses={200: SettingPage}, tags=["settings"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        values = q.SETTINGS.read(request.query_params, scope=f"settings:{obj.pk}")
        # By name, the order a client pages through (the Settings page shows non-defaults first instead).
        rows = sorted(settings_current(obj.pk, non_default=values["non_default"]), key=lambda s: s.name)
        if values["q"]:
            rows = [s for s in rows if values["q"].casefold() in s.name.casefold()]
        if values["category"]:
            rows = [s for s in rows if s.category == values["category"]]
        chunk, after = pagination.slice_page(rows, values)
        return Response(pagination.page(request, f"settings:{obj.pk}", values,
                                        SettingSerializer(chunk, many=True).data, after))


class SettingChangeList(ApiView):
    @documented(op="setting_changes_list",
                summary="Settings changes seen in the range, newest first", path=NAME, query=q.SETTING_CHANGES,
                responses={200: SettingChangePage}, tags=["settings"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        values = q.SETTING_CHANGES.read(request.query_params, scope=f"setting-changes:{obj.pk}")
        window = values["time_range"]
        rows = settings_changes(obj.pk, window.start, window.end)
        if values["setting"]:
            rows = [c for c in rows if c.name == values["setting"]]
        chunk, after = pagination.slice_page(rows, values)
        return Response(pagination.page(request, f"setting-changes:{obj.pk}", values,
                                        SettingChangeSerializer(chunk, many=True).data, after,
                                        range=range_json(window)))


class AuditList(ApiView):
    roles = {"GET": ADMIN}

    @documented(op="audit_list",
                summary="The audit trail over the range, newest first (admin)", query=q.AUDIT,
                responses={200: AuditPage}, tags=["audit"])
    def get(self, request: Request) -> Response:
        values = q.AUDIT.read(request.query_params, scope="audit")
        window = values["time_range"]
        qs = AuditEvent.objects.filter(at__gte=window.start, at__lte=window.end)
        for key, lookup in (("target", "target_name"), ("actor", "actor_name"), ("action", "action__startswith")):
            if values[key]:
                qs = qs.filter(**{lookup: values[key]})
        after = pagination.keyset(values)
        if after is not None:
            qs = qs.filter(Q(at__lt=after[0]) | Q(at=after[0], pk__lt=after[1]))
        size = values["limit"]
        rows = list(qs.order_by("-at", "-pk")[:size + 1])
        more = len(rows) > size
        rows = rows[:size]
        last = [rows[-1].at.isoformat(), rows[-1].pk] if more and rows else None
        return Response(pagination.page(request, "audit", values, AuditEventSerializer(rows, many=True).data, last,
                                        range=range_json(window)))
