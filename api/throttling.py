"""Rate limits per API token (per user for a signed-in browser), in the shared cache so every web worker
counts the same requests. ``DBCONSOLE_API_RATE`` limits every call, ``DBCONSOLE_API_WRITE_RATE`` the
state changes on top of it (e.g. ``600/minute`` and ``60/minute``). The limiter is not worth an outage:
when the cache (Redis) does not answer, requests pass and the failure is logged."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken

log = logging.getLogger(__name__)
CACHE = "api"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class _PerToken(SimpleRateThrottle):
    # Looked up per request: settings (and tests) may switch caches; DRF's is fixed at import.
    @property
    def cache(self) -> Any:  # type: ignore[override]
        return caches[CACHE]

    def get_rate(self) -> str | None:
        # Read per request too, not frozen at import like DRF's class attribute.
        return str(api_settings.DEFAULT_THROTTLE_RATES[str(self.scope)])

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif getattr(request.user, "is_authenticated", False):
            ident = f"user:{request.user.pk}"
        else:
            return None   # refused before any work anyway (401)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:
            log.warning("API rate limiter unavailable (cache %r); request let through", CACHE, exc_info=True)
            return True


class TokenRate(_PerToken):
    scope = "api"


class TokenWriteRate(_PerToken):
    scope = "api_write"

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
