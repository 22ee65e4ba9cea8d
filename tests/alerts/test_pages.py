"""The Alerts pages through Django's client: roles, forms, secrets never rendered back, rule settings
written to the target's thresholds."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from alerts.models import Channel, RuleSetting
from dbconsole.models import AuditEvent
from tests.support.targets import TargetDb
from tests.support.web import post

SECRET = "https://hooks.example.com/services/T000/B000/XXXXsecretXXXX"


def test_it_lets_admins_add_a_channel_without_ever_showing_its_url_again(
        admin_user: User, operator: User, client_for: Callable[[User], Client]) -> None:
    admin = client_for(admin_user)
    made = post(admin, "/alerts/channels/add/", {"name": "slack-ops", "kind": "slack", "secret": SECRET,
                                                 "min_severity": "warning", "tags": "prod, eu", "emails": ""})
    assert made.status_code == 302
    channel = Channel.objects.get(name="slack-ops")
    assert channel.tags == ["eu", "prod"] and channel.get_secret() == SECRET
    page = admin.get("/alerts/channels/").content.decode()
    assert "slack-ops" in page and "https://hooks.example.com/" in page
    assert "XXXXsecretXXXX" not in page and "T000" not in page
    bad = post(admin, "/alerts/channels/add/", {"name": "evil", "kind": "generic", "secret": "gopher://x/",
                                                "min_severity": "info", "tags": "", "emails": ""})
    assert bad.status_code == 400 and "http and https" in bad.content.decode()
    assert client_for(operator).get("/alerts/channels/").status_code == 403
    assert "XXXXsecretXXXX" not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_it_saves_rule_settings_and_threshold_overrides_per_target(
        admin_user: User, viewer: User, client_for: Callable[[User], Client], pg18_db: TargetDb) -> None:
    target = pg18_db.make_target("shop")
    admin = client_for(admin_user)
    assert admin.get(f"/t/{target.name}/alerts/rules/").status_code == 200
    saved = post(admin, f"/t/{target.name}/alerts/rules/", {"rule": "lock_wait", "enabled": "on", "for_s": "5",
                                                             "keep_firing_s": "", "warning": "30", "critical": ""})
    assert saved.status_code == 302
    target.refresh_from_db()
    assert target.thresholds == {"lock_wait_seconds": {"warning": 30.0}}
    setting = RuleSetting.objects.get(target=target, rule="lock_wait")
    assert setting.enabled and setting.for_s == 5
    wrong = post(admin, f"/t/{target.name}/alerts/rules/", {"rule": "lock_wait", "enabled": "on",
                                                             "warning": "600", "critical": "10"})
    assert wrong.status_code == 400 and "increase" in wrong.content.decode()
    assert post(admin, f"/t/{target.name}/alerts/rules/", {"rule": "no_such_rule"}).status_code == 404
    assert post(client_for(viewer), f"/t/{target.name}/alerts/rules/", {"rule": "lock_wait"}).status_code == 403
    assert AuditEvent.objects.filter(action="targets.thresholds", target=target).exists()
    page = client_for(viewer).get(f"/t/{target.name}/alerts/").content.decode()
    assert "Rules on shop" in page and 'href="/t/shop/alerts/"' in page
    assert client_for(viewer).get("/alerts/rules/").status_code == 200
