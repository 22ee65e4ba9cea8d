"""The sessions on a target now (read live, under the same guards as the Activity page), and cancel or
terminate one of them (operators), exactly as the Activity page does it: the session is
looked up live, only the one with the given pid *and* ``backend_start`` is signalled (a recycled pid is
never hit), and every attempt — signalled or refused — is audited with the token's name."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from api import pagination
from api import queries as q
from api.errors import ApiError
from api.params import path_int, path_param
from api.schema import CONFLICT, UNAVAILABLE, documented
from api.serializers.actions import BackendSerializer, SignalResultSerializer, SignalSerializer
from api.serializers.common import paged
from api.views.base import ApiView, conflict, django_request, target, unavailable
from dbconsole import audit
from dbconsole.access import OPERATOR
from monitoring.live.activity import find_backend, read_live_activity
from monitoring.live.signals import signal_backend
from monitoring.targets.connect import TargetError

AUDITED_QUERY_CHARS = 2000
PATH = [path_param("name", "The target's name."),
        path_param("pid", "The backend's process id.", integer=True, minimum=1)]
BackendPage = paged("BackendPage", BackendSerializer)


class Activity(ApiView):
    @documented(op="activity_list",
                summary="Sessions on the target now (a live, guarded read), client backends first", path=PATH[:1],
                query=q.ACTIVITY, tags=["activity"], responses={200: BackendPage, 503: UNAVAILABLE})
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        values = q.ACTIVITY.read(request.query_params, scope=f"activity:{obj.pk}")
        try:
            snapshot = read_live_activity(obj)
        except TargetError as exc:
            raise unavailable(exc.status, exc.message, exc.hint) from None
        rows = sorted(snapshot.backends, key=lambda b: (not b.is_client, b.pid))
        for key, attribute in (("state", "state"), ("user", "usename"), ("database", "datname")):
            if values[key]:
                rows = [b for b in rows if getattr(b, attribute) == values[key]]
        # A page of live sessions is a moment: the cursor cannot pin it, so later pages read the target again.
        chunk, after = pagination.slice_page(rows, values)
        return Response(pagination.page(request, f"activity:{obj.pk}", values,
                                        BackendSerializer(chunk, many=True).data, after))


class BackendSignal(ApiView):
    roles = {"POST": OPERATOR}
    action = ""

    def post(self, request: Request, name: str, pid: str) -> Response:
        obj = target(name)
        number = path_int("pid", pid, minimum=1)
        body = SignalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        started = body.validated_data["backend_start"]
        try:
            _snapshot, backend = find_backend(obj, number)
        except TargetError as exc:
            raise unavailable(exc.status, exc.message, exc.hint) from None
        details: dict[str, Any] = {
            "pid": number, "backend_start": started.isoformat(),
            "usename": backend.usename if backend else None,
            "application_name": backend.application_name if backend else None,
            "query": (backend.query or "")[:AUDITED_QUERY_CHARS] if backend else None,
        }
        dj = django_request(request)
        try:
            result = signal_backend(obj, self.action, number, started)
        except TargetError as exc:
            audit.record(f"backend.{self.action}", request=dj, target=obj, ok=False, error=exc.status,
                         message=exc.message, **details)
            if exc.status == "permission_denied":
                raise conflict("target_refused", f"{exc.message}" + (f" — {exc.hint}" if exc.hint else "")) from None
            raise unavailable(exc.status, exc.message, exc.hint) from None
        audit.record(f"backend.{self.action}", request=dj, target=obj, ok=result.signalled, message=result.message,
                     **details)
        if not result.signalled:   # ended, or its pid now belongs to another session: nothing was done
            raise ApiError(404, "not_found", result.message, "pid")
        return Response(SignalResultSerializer(result).data)


SIGNAL_RESPONSES = {200: SignalResultSerializer, 409: CONFLICT, 503: UNAVAILABLE}


class BackendCancel(BackendSignal):
    action = "cancel"

    @documented(op="backend_cancel",
                summary="Cancel the running query of a backend (operator)", path=PATH, request=SignalSerializer,
                write=True, tags=["activity"], responses=SIGNAL_RESPONSES)
    def post(self, request: Request, name: str, pid: str) -> Response:
        return super().post(request, name, pid)


class BackendTerminate(BackendSignal):
    action = "terminate"

    @documented(op="backend_terminate",
                summary="Terminate a backend (operator)", path=PATH, request=SignalSerializer, write=True,
                tags=["activity"], responses=SIGNAL_RESPONSES)
    def post(self, request: Request, name: str, pid: str) -> Response:
        return super().post(request, name, pid)
