"""Every rule is documented, graded from the one table of thresholds, explained by a real page and
listed in the README; every channel kind has a sender; identities and payloads hold their promises."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from alerts.channels import senders
from alerts.channels.payload import build, group_key
from alerts.evaluation.fingerprint import fingerprint
from alerts.models import Alert, AlertState, ChannelKind
from alerts.rules import registry
from dbconsole.thresholds import DEFAULTS
from monitoring.collectors import load_all
from monitoring.collectors.base import REGISTRY as COLLECTORS
from tests.alerts.schema import validate


def test_it_documents_every_rule_with_a_threshold_from_the_one_table_and_a_page_that_explains_it() -> None:
    load_all()
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    rules = registry()
    assert len(rules) >= 20
    for key, rule in rules.items():
        assert rule.key == key and rule.title and len(rule.doc) > 40 and len(rule.runbook) > 30, key
        assert rule.severity in {"info", "warning", "critical"}
        assert rule.threshold is None or rule.threshold in DEFAULTS, key
        assert set(rule.sources) <= set(COLLECTORS), key
        assert reverse(rule.page, args=["demo"]).startswith("/t/demo/"), key
        assert f"| `{key}` |" in readme, f"add {key} to the README's rule table"


def test_it_has_a_sender_for_every_channel_kind() -> None:
    assert set(senders()) == set(ChannelKind.values)


def test_it_keeps_the_fingerprint_when_only_the_severity_changes() -> None:
    labels = {"alertname": "lock_wait", "target": "shop", "root_pid": "42"}
    assert fingerprint({**labels, "severity": "warning"}) == fingerprint({**labels, "severity": "critical"})
    assert fingerprint(labels) != fingerprint({**labels, "root_pid": "43"})
    assert group_key({"target": 'we"ird', "alertname": "x"}) == '{}:{alertname="x", target="we\\"ird"}'


def test_it_builds_an_alertmanager_payload_for_firing_and_resolved_alerts() -> None:
    now = timezone.now()
    common = {"rule": "deadlocks", "severity": "warning", "started_at": now, "fired_at": now, "last_seen_at": now,
              "annotations": {"summary": "2 deadlocks", "description": "d", "runbook": "r", "runbook_url": "http://x/"}}
    firing = Alert(fingerprint="a" * 16, state=AlertState.FIRING, link="/t/shop/locks/",
                   labels={"alertname": "deadlocks", "target": "shop", "severity": "warning"}, **common)
    resolved = Alert(fingerprint="b" * 16, state=AlertState.RESOLVED, resolved_at=now,
                     labels={"alertname": "deadlocks", "target": "shop", "severity": "warning", "db": "x"}, **common)
    payload = build("oncall", "{}:{}", {"alertname": "deadlocks", "target": "shop"}, [firing, resolved])
    validate(payload)
    assert payload["status"] == "firing" and payload["commonLabels"] == {
        "alertname": "deadlocks", "target": "shop", "severity": "warning"}
    assert payload["alerts"][0]["generatorURL"] == f"{settings.EXTERNAL_URL}/t/shop/locks/"
    validate(build("oncall", "{}:{}", {}, [resolved]))
