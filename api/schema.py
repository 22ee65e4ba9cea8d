"""OpenAPI helpers: the error body every operation may answer, and ``documented`` — ``extend_schema`` with
the standard error responses and the operation's query parameters (from its ``params.Query``) added."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from api.params import Query


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="A stable machine word, e.g. invalid_parameter, not_found.")
    message = serializers.CharField(help_text="What went wrong, for people.")
    field = serializers.CharField(allow_null=True, help_text="The parameter or body field at fault, if any.")


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()


def _error(text: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=text)


READ_ERRORS = {
    400: _error("A parameter is invalid (the error names it)."),
    401: _error("No credentials, or the token is unknown, expired or revoked."),
    403: _error("Your role may not do this."),
    404: _error("No such target or object."),
    429: _error("Rate limit reached (Retry-After says when to come back)."),
}
CONFLICT = _error("Not possible in the object's present state (the message says why).")
UNAVAILABLE = _error("The target did not answer (the message says why and how to fix it).")
WRITE_ERRORS = {**READ_ERRORS, 415: _error("The body must be JSON (Content-Type: application/json).")}


def documented(*, op: str, summary: str, responses: dict[int, Any], query: Query | None = None,
               path: list[OpenApiParameter] | None = None, request: Any = None, tags: list[str] | None = None,
               write: bool = False, description: str = "") -> Callable[[Any], Any]:
    errors = WRITE_ERRORS if write else READ_ERRORS
    return extend_schema(
        operation_id=op, summary=summary, description=description or summary, tags=tags,
        parameters=[*(path or []), *(query.openapi() if query else [])],
        request=request, responses={**errors, **responses},
    )
