"""The foundation's smoke test: sign in and see a target's overview with live numbers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.browser.conftest import login, screenshot
from tests.support.targets import TargetDb

pytestmark = pytest.mark.browser


def test_it_signs_in_and_shows_the_overview_with_live_numbers(
    page: Any, live_server: Any, target_db: TargetDb, viewer: User,
) -> None:
    from playwright.sync_api import expect

    target = target_db.make_target("shop-db", tags=["prod"])
    login(page, live_server.url, viewer)
    expect(page.locator("#fleet")).to_contain_text("shop-db")
    screenshot(page, f"fleet-pg{target_db.major}")

    page.click(f"#fleet a[href='/t/{target.name}/']")
    connections = page.locator("[data-metric=connections]")
    expect(connections).to_have_text(re.compile(r"^\d+ / 200$"))
    expect(page.locator("[data-metric=database_size]")).to_contain_text("MB")
    expect(page.locator(".meta")).to_contain_text(f"PostgreSQL {target_db.major}.")
    expect(page.locator("#chart-connections-by-state")).to_have_attribute("data-state", "ready")
    screenshot(page, f"overview-pg{target_db.major}")
