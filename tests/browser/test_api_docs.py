"""The API docs page in a real Chromium, under the site's Content-Security-Policy: Swagger UI from our own
static files lists every operation of the schema with no CSP violation, and "Try it out" calls the API
with the signed-in session."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.browser.conftest import login, screenshot
from tests.support.targets import TargetDb

pytestmark = pytest.mark.browser

WATCH = """
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation({
  directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, sample: e.sample}));
"""


def test_it_shows_the_api_docs_under_the_csp_and_tries_calls_with_the_session(
        page: Any, live_server: Any, viewer: User, pg18_db: TargetDb) -> None:
    from playwright.sync_api import expect

    target = pg18_db.make_target(name="docs-demo")
    problems: list[Any] = []
    page.context.expose_binding("__cspViolation", lambda _source, v: problems.append(v))
    page.context.add_init_script(WATCH)
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((live_server.url, "data:")) else None)

    login(page, live_server.url, viewer)
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("dbconsole API")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 26

    page.locator("#operations-targets-targets_list .opblock-summary").click()
    page.locator("#operations-targets-targets_list .try-out__btn").click()
    page.locator("#operations-targets-targets_list .execute").click()
    body = page.locator("#operations-targets-targets_list .live-responses-table .response-col_description pre")
    expect(body.first).to_contain_text(target.name)
    expect(page.locator("#operations-targets-targets_list .live-responses-table tbody .response-col_status").first
           ).to_contain_text("200")
    screenshot(page, "api-docs")
    assert problems == [] and outside == []
