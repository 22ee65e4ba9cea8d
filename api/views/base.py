"""What every API view shares: a role per method, JSON only, no OPTIONS metadata. (Answers are never
cached: ``dbconsole.headers.NoStoreMiddleware`` marks every response.)"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.views import APIView

from api import params
from api.errors import ApiError
from monitoring import selectors
from monitoring.models import Target


class ApiView(APIView):
    """``roles`` maps a method to the role it needs (default: viewer). ``query`` is the view's
    ``params.Query`` for GET."""

    roles: dict[str, str] = {}
    metadata_class = None       # OPTIONS answers 405 like any method the view does not implement


def target(name: str) -> Target:
    """The target named in the path (404 in the API's shape when there is none)."""
    return selectors.target_by_name(params.target_name(name))


def django_request(request: Request) -> HttpRequest:
    """The underlying request, for services that take Django's (DRF sets its user on it)."""
    return request._request


def conflict(code: str, message: str, field: str | None = None) -> ApiError:
    return ApiError(409, code, message, field)


def unavailable(status: str, message: str, hint: str = "") -> ApiError:
    """The target did not answer: a server-side condition (503), never the caller's input."""
    return ApiError(503, "target_unavailable", f"{status}: {message}" + (f" ({hint})" if hint else ""))
