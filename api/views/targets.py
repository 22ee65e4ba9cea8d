"""Targets: list (with collection status), one, add / check / remove (admins, through the same service as
``manage.py targets`` and the Manage targets page, audited there)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api import pagination
from api import queries as q
from api.errors import invalid
from api.params import path_param
from api.schema import documented
from api.serializers.common import paged
from api.serializers.targets import AddTargetSerializer, TargetCheckSerializer, TargetSerializer
from api.views.base import ApiView, django_request, target
from dbconsole.access import ADMIN, VIEWER
from monitoring.history.selectors.fleet import FleetRow, fleet
from monitoring.models import Target
from monitoring.targets.connect import TargetError
from monitoring.targets.dsn import DsnError, parse_dsn
from monitoring.targets.service import TargetInputError, add_target, check_target, remove_target

TargetPage = paged("TargetPage", TargetSerializer)
NAME = path_param("name", "The target's name.")


def target_json(request: Request, row: FleetRow) -> dict[str, Any]:
    t = row.target
    statuses = row.statuses
    state = "never" if not any(s.status != "never" for s in statuses) else "failing" if row.failing else "ok"
    return dict(TargetSerializer({
        "name": t.name, "host": t.host, "port": t.port, "dbname": t.dbname, "username": t.username,
        "sslmode": t.sslmode, "enabled": t.enabled, "tags": list(t.tags), "server_version_num": t.server_version_num,
        "status": state, "last_collection_at": row.last_success_at, "collectors": statuses,
        "url": request.build_absolute_uri(reverse("api:target", args=[t.name])),
    }).data)


class TargetList(ApiView):
    roles = {"GET": VIEWER, "POST": ADMIN}

    @documented(op="targets_list",
                summary="Targets with their collection status", query=q.TARGETS, responses={200: TargetPage},
                tags=["targets"])
    def get(self, request: Request) -> Response:
        values = q.TARGETS.read(request.query_params, scope="targets")
        qs = Target.objects.order_by("name")
        if values["tag"]:
            qs = qs.filter(tags__contains=[values["tag"]])
        after = values["cursor"]
        if after is not None:
            if not isinstance(after, str):
                raise invalid("cursor", "the cursor is not one this listing gave out")
            qs = qs.filter(name__gt=after)
        size = values["limit"]
        ids = list(qs.values_list("pk", flat=True)[:size + 1])
        rows = fleet(ids[:size])
        more = len(ids) > size
        return Response(pagination.page(request, "targets", values, [target_json(request, r) for r in rows],
                                        rows[-1].target.name if more and rows else None))

    @documented(op="target_add",
                summary="Add a target (admin)", request=AddTargetSerializer, write=True, tags=["targets"],
                description="The connection is checked first; nothing is saved for a target that cannot be "
                            "reached. With discover, every connectable database of the server is added.",
                responses={201: TargetSerializer(many=True)})
    def post(self, request: Request) -> Response:
        body = AddTargetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            spec = parse_dsn(data["dsn"])
        except DsnError as exc:
            raise invalid("dsn", str(exc), code="invalid_body") from None
        try:
            created = add_target(data["name"], spec, discover=data["discover"], actor=request.user,
                                 request=django_request(request), tags=[t.strip() for t in data["tags"] if t.strip()])
        except TargetInputError as exc:
            raise invalid("name", str(exc), code="invalid_body") from None
        except TargetError as exc:
            # The connection string leads nowhere usable: the caller's input, so a 400 — nothing was saved.
            raise invalid("dsn", f"{exc.status}: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""),
                          code="connection_failed") from None
        rows = fleet([t.pk for t in created])
        return Response([target_json(request, r) for r in rows], status=status.HTTP_201_CREATED)


class TargetDetail(ApiView):
    roles = {"GET": VIEWER, "DELETE": ADMIN}

    @documented(op="target_get",
                summary="One target with its collection status", path=[NAME], responses={200: TargetSerializer},
                tags=["targets"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        q.NONE.read(request.query_params)
        return Response(target_json(request, fleet([obj.pk])[0]))

    @documented(op="target_remove",
                summary="Remove a target and its history (admin)", path=[NAME], write=True, tags=["targets"],
                responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request: Request, name: str) -> Response:
        obj = target(name)
        remove_target(obj, actor=request.user, request=django_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TargetCheck(ApiView):
    roles = {"POST": ADMIN}

    @documented(op="target_check",
                summary="Check what dbconsole can see on a target (admin)", path=[NAME], write=True,
                tags=["targets"], request=None, responses={200: TargetCheckSerializer})
    def post(self, request: Request, name: str) -> Response:
        # A target that does not answer is a finding of the report (connection: error), not an exception.
        report = check_target(target(name))
        return Response(TargetCheckSerializer({
            "connected": report.connected, "server_version_num": report.server_version_num, "worst": report.worst,
            "findings": report.findings}).data)
