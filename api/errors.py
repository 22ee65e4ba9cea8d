"""Every error the API answers has one shape: ``{"error": {"code", "message", "field"}}``.

``code`` is a stable machine word, ``message`` a sentence for people, ``field`` the parameter or body
field at fault (null when none is). Bad input is always a 4xx: the parameter layer (``api.params``) and
the body serializers raise ``ApiError`` or DRF's ``ValidationError``, and ``exception_handler`` turns
those and DRF's own exceptions (401, 403, 404, 405, 406, 415, 429) into this shape. Anything else is a
bug and stays a 500, logged.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback


class ApiError(exceptions.APIException):
    """An error answered as it is: ``status``, ``code``, ``message``, ``field``."""

    def __init__(self, status_code: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.field = field


def invalid(field: str, message: str, code: str = "invalid_parameter") -> ApiError:
    return ApiError(status.HTTP_400_BAD_REQUEST, code, message, field)


def not_found(message: str, field: str | None = None) -> ApiError:
    return ApiError(status.HTTP_404_NOT_FOUND, "not_found", message, field)


def body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


# DRF exception class → our code (the message comes from the exception).
CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "malformed_body",
    exceptions.Throttled: "rate_limited",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: our shape for every API exception; None (a 500) for anything else."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "not found")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "permission denied")
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        payload = body(exc.code, exc.message, exc.field)
    elif isinstance(exc, exceptions.ValidationError):
        field, message = _first_error(exc.detail)
        payload = body("invalid_body" if field else "invalid_parameter", message, field)
    else:
        code = next((c for cls, c in CODES.items() if isinstance(exc, cls)), "error")
        payload = body(code, _text(exc.detail))
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(max(1, int(wait)))
    set_rollback()
    return Response(payload, status=exc.status_code, headers=headers)


def _first_error(detail: Any, path: str = "") -> tuple[str | None, str]:
    """The first message of a (nested) serializer error, and the dotted field it belongs to."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = path if key == "non_field_errors" else f"{path}.{key}" if path else str(key)
            return _first_error(value, name)
    if isinstance(detail, list) and detail:
        first = detail[0]
        if isinstance(first, dict | list):
            return _first_error(first, path)
        return (path or None), _text(first)
    return (path or None), _text(detail)


def _text(detail: Any) -> str:
    if isinstance(detail, list):
        return "; ".join(_text(d) for d in detail)
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in detail.items())
    return str(detail)


def json_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/ that names no endpoint: a 404 in the API's shape, not Django's HTML page."""
    return JsonResponse(body("not_found", "no such API endpoint; see /api/v1/schema/"), status=404)
