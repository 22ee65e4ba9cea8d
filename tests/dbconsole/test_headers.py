"""Response headers on every kind of response: the Content-Security-Policy, frame denial, nosniff, the
referrer policy, ``Cache-Control: private, no-store`` on everything but static files, and — when
``DBCONSOLE_SECURE_COOKIES`` says we are behind HTTPS — Secure cookies and HSTS."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-elem": "'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
    "frame-src": "'none'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in header.split(";") if p.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def test_it_sends_the_policy_and_the_security_headers_on_pages_fragments_and_the_login_page(
    viewer: User, client_for: Callable[[User], Client],
) -> None:
    client = client_for(viewer)
    for response in (client.get(reverse("fleet")), client.get(reverse("audit-log"), HTTP_HX_REQUEST="true"),
                     Client().get(reverse("login")), client.get("/no/such/page/")):
        policy = directives(response["Content-Security-Policy"])
        assert policy == EXPECTED_CSP
        assert not any(word in policy["script-src"] for word in ("unsafe-inline", "unsafe-eval", "unsafe-hashes"))
        assert "unsafe-inline" not in policy["style-src"] + policy["style-src-elem"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cache-Control"] == "private, no-store"
        assert "Strict-Transport-Security" not in response  # plain HTTP unless configured


def test_it_lets_static_files_be_cached(viewer: User, client_for: Callable[[User], Client]) -> None:
    response = client_for(viewer).get("/static/js/dbconsole.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_it_marks_cookies_secure_and_sends_hsts_behind_https(tmp_path: Path) -> None:
    code = ("from django.conf import settings; "
            "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DBCONSOLE_", "DATABASE_URL"))}
    base = {**clean, "DJANGO_SETTINGS_MODULE": "dbconsole.settings", "DBCONSOLE_HOME": str(tmp_path)}

    def read(**env: str) -> str:
        result = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
                                check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert read() == "False False 0"
    assert read(DBCONSOLE_SECURE_COOKIES="1") == "True True 31536000"


def test_it_sends_hsts_when_configured(viewer: User, client_for: Callable[[User], Client], settings: object) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000  # type: ignore[attr-defined]
    response = client_for(viewer).get(reverse("fleet"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
