"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Chromium runs headless with the flags DESIGN.md lists (the network is closed; without them it stalls),
every address is 127.0.0.1, and each test saves screenshots to ``artifacts/`` for a reviewer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from dbconsole.access import ROLES
from monitoring.models import Target
from tests.support import components
from tests.support.targets import TargetDb

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
PASSWORD = "correct-horse-battery"  # the personas' password (tests/conftest.py)

# The live server listens on loopback only.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

pytestmark = pytest.mark.browser

# A test asserts behaviour, not speed (speed lives in ``make bench``): on a loaded 2-core machine a chart
# can take far longer than Playwright's 5 s default to leave "loading". Every wait, action and
# expectation gets this long before it fails.
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    chromium = components.require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    # Playwright's sync API keeps an asyncio loop on this thread for as long as the browser lives;
    # the ORM calls made meanwhile (fixtures, flushes, assertions) are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_FLAGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _browser_test_setup(request: pytest.FixtureRequest) -> None:
    if "browser" not in request.fixturenames:
        return
    # Live-server tests flush the database afterwards, data migrations included: bring the roles back.
    request.getfixturevalue("transactional_db")
    for role in ROLES:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    yield tab
    context.close()


def login(page: Any, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/targets/")


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def superuser_target(db: TargetDb, name: str) -> Target:
    """A target connecting as the cluster's superuser: only a superuser may cancel the sessions of the
    blocking-chain helper, which connects as the superuser too."""
    target = Target(name=name, host="127.0.0.1", port=db.cluster.port, dbname=db.dbname,
                    username=db.cluster.superuser, sslmode="disable")
    target.set_password(db.cluster.password)
    target.save()
    return target
