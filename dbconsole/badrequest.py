"""Requests whose parameters are unusable get a 400 that names the parameter, never a 500.

Two parts, both in ``BadRequestMiddleware``:

* the belt — a NUL byte in the path or in any query parameter or form field (its name or its value) is
  refused before any view runs: PostgreSQL cannot store or compare it, and no person types it. This
  covers what our layer does not read, the Django admin's changelist filters above all. REST framework
  views (the API) are left to their own parameter layer, which answers in the API's error shape.
* the braces — a ``ParamError`` that a view lets through (a hard parameter, see ``dbconsole.params``)
  becomes the 400 page, or a JSON error for views marked ``@params.json_errors``.

``param_errors`` is the context processor that hands the page what its soft parameters ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render

from dbconsole import params

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BadRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any,
                     kwargs: Any) -> HttpResponse | None:
        # Here rather than in __call__: after the login and CSRF checks, so strangers still get the login
        # page, and with the view known.
        if getattr(view, "cls", None) is not None:
            return None   # a Django REST framework view (the API): it checks its input and answers in its shape
        if getattr(view, "param_errors_as_json", False):
            setattr(request, "param_errors_as_json", True)  # noqa: B010  (HttpRequest declares no such attribute)
        name = _nul_in(request)
        if name is not None:
            return bad_request(request, params.ParamError(name, "contains a NUL character, which no page accepts"))
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, params.ParamError):
            return bad_request(request, exception)
        return None


def _nul_in(request: HttpRequest) -> str | None:
    """The name of the first parameter (or ``path``) holding a NUL byte."""
    if "\x00" in request.path:
        return "path"
    sources = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        sources.append(request.POST)
    for data in sources:
        for key, values in data.lists():
            if "\x00" in key:
                return repr(key.replace("\x00", "\\0"))
            if any("\x00" in value for value in values):
                return key
    return None


def bad_request(request: HttpRequest, error: params.ParamError) -> HttpResponse:
    if getattr(request, "param_errors_as_json", False):
        return JsonResponse({"error": {"status": "bad_parameter", "message": str(error), "hint": ""}}, status=400)
    return render(request, "400.html", {"error": error, "without": _without(request, error.name)}, status=400)


def _without(request: HttpRequest, name: str) -> str:
    """The same page without the offending parameter (nor any other holding a NUL), to carry on from."""
    if "\x00" in request.path:
        return ""
    kept = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key != name and "\x00" not in key:
            kept.setlist(key, [v for v in values if "\x00" not in v])
    query = kept.urlencode()
    return request.path + (f"?{query}" if query else "")


def param_errors(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``param_errors``, what the page ignored (soft parameters), for ``base.html``."""
    return {"param_errors": params.errors(request)}
