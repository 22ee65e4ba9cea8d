from __future__ import annotations

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.models import Target


class Firing(APIView):
    """Inherits the API's authentication, roles, throttling and error shape from REST_FRAMEWORK's defaults."""

    def get(self, request: Request) -> Response:
        return Response({"targets": Target.objects.count(), "user": request.user.get_username()})


urlpatterns = [path("firing/", Firing.as_view(), name="firing")]
