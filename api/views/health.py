"""A target's health checks, as the overview shows them: live checks when the target answers (a guarded,
read-only read), else its error and the same checks from the newest samples, plus every check read from
history — each ok, warning, critical or unknown, never a false ok."""

from __future__ import annotations

from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from api import queries as q
from api.params import path_param
from api.schema import documented
from api.serializers.health import HealthSerializer
from api.views.base import ApiView, target
from dbconsole.thresholds import WARNING, thresholds_for
from monitoring.health import overview_checks, worst
from monitoring.history.selectors.health import health_inputs
from monitoring.live.now import Now, read_now
from monitoring.targets.connect import TargetError


class Health(ApiView):
    @documented(op="target_health",
                summary="The target's health: the worst status and every check (ok, warning, critical, unknown)",
                path=[path_param("name", "The target's name.")], query=q.NONE, responses={200: HealthSerializer},
                tags=["targets"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        q.NONE.read(request.query_params)
        now: Now | None = None
        error: TargetError | None = None
        try:
            now = read_now(obj)
        except TargetError as exc:   # the target not answering is itself a check ("reachable")
            error = exc
        limits = thresholds_for(obj)
        inputs = health_inputs([obj.pk], sequence_watch=limits.bound("sequence_used_percent", WARNING))[obj.pk]
        checks = overview_checks(now, error, inputs, timezone.now(), limits)
        return Response(HealthSerializer({"status": worst(checks), "checks": checks}).data)
