"""The Alerts page in a real browser: a target that went down shows as firing in the top bar's Alerts
page and in the target's own tab; an operator acknowledges it, and the page says who did."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from alerts.evaluation.engine import evaluate_target
from alerts.models import Alert
from dbconsole.embedded.pgcluster import free_port
from monitoring.collectors.runner import run
from tests.browser.conftest import login, screenshot
from tests.browser.test_csp import Watch, visit, wait_for_a_poll, watched  # noqa: F401  (watched: a fixture)
from tests.support.targets import TargetDb

pytestmark = pytest.mark.browser


def test_it_shows_a_firing_alert_that_links_to_its_page_and_an_operator_acknowledges_it(
        watched: tuple[Any, Watch],  # noqa: F811  (the CSP test's fixture, imported above)
        live_server: Any, pg18_db: TargetDb, operator: User, admin_user: User) -> None:
    from playwright.sync_api import expect

    page, watch = watched
    target = pg18_db.make_target("billing")
    run(target, "activity")                 # it answers...
    target.port = free_port()
    target.save()
    run(target, "activity")                 # ...then it does not, twice in a row
    run(target, "locks")
    evaluate_target(target.pk)
    assert Alert.objects.get(target=target, rule="target_down").state == "firing"

    login(page, live_server.url, operator)
    page.click("nav.mainnav >> text=Alerts")
    firing = page.locator("#alerts-firing tr[data-alert='target_down']")
    expect(firing).to_contain_text("billing does not answer: unreachable")
    expect(page.locator("#alerts-firing")).to_contain_text("critical")
    screenshot(page, "alerts-fleet")

    firing.locator("button[name=ack]").click()
    expect(page.locator("#alerts-firing tr[data-alert='target_down']")).to_contain_text(
        "acknowledged by otto-operator")

    page.click("#alerts-firing >> text=billing")
    expect(page).to_have_url(f"{live_server.url}/t/billing/alerts/")
    expect(page.locator("nav.tabs a.active")).to_have_text("Alerts")
    expect(page.locator("#alerts-rules tr[data-rule='lock_wait']")).to_contain_text("unknown")
    screenshot(page, "alerts-target")
    expect(page.locator("#alerts-firing tr[data-alert='target_down'] .alert-summary a")).to_have_attribute(
        "href", "/t/billing/")   # the page that explains it: the overview

    # Every Alerts page under the CSP (no inline script or style), the board polling on its own.
    visit(page, watch, f"{live_server.url}/alerts/")
    wait_for_a_poll(page)
    visit(page, watch, f"{live_server.url}/alerts/silences/?target=billing")
    visit(page, watch, f"{live_server.url}/alerts/rules/")
    page.click("text=Sign out")
    login(page, live_server.url, admin_user)
    for path in ("/alerts/channels/", "/t/billing/alerts/rules/", "/t/billing/alerts/"):
        visit(page, watch, f"{live_server.url}{path}")
    assert watch.problems() == []
