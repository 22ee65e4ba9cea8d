"""Response headers that no view should have to remember."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

NO_STORE = "private, no-store"


class NoStoreMiddleware:
    """Every page, fragment, chart and export is ``Cache-Control: private, no-store``.

    They show data from monitored databases to a signed-in user (or a CSRF token on the login page):
    neither a shared proxy nor the browser's disk cache or back button may keep them. Static files never
    get here — WhiteNoise answers them earlier in the chain with their own long-lived cache headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = NO_STORE
        return response
