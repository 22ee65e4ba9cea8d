"""Configuration rules on real targets: the settings are collected from the server, the machine facts
come from the form a reviewer fills in (audited), and the advice follows from both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from advisor.models import MachineFacts, Recommendation
from advisor.review.run import run_advisor
from advisor.rules.options import AdvisorOptions
from dbconsole.models import AuditEvent
from tests.advisor.planted_shop import collect
from tests.support.targets import TargetDb
from tests.support.web import post

pytestmark = pytest.mark.django_db
GB = 1024 ** 3
CONFIG_RULES = ("config_memory", "config_storage", "config_autovacuum")


def facts_of(rec: Recommendation) -> dict[str, Any]:
    return {f["label"]: f["value"] for f in rec.evidence["facts"]}


def test_it_without_machine_facts_the_rules_say_what_they_need(target_db: TargetDb) -> None:
    target = target_db.make_target()
    collect(target, ("settings",))
    outcome = run_advisor(target, options=AdvisorOptions(rules=CONFIG_RULES))
    rules = outcome.run.rules_by_name
    assert rules["config_memory"]["status"] == "skipped" and "RAM is unknown" in rules["config_memory"]["message"]
    assert rules["config_storage"]["status"] == "skipped"
    assert rules["config_autovacuum"]["status"] == "ok"
    assert (rules["config_memory"]["state"], rules["config_autovacuum"]["state"]) == ("unknown", "ok")
    # Blind is never silent: one "cannot evaluate" per blind rule, naming what fixes it.
    unknown = {r.object_key: r for r in outcome.recommendations}
    assert set(unknown) == {"config_memory", "config_storage"}
    assert {r.kind for r in unknown.values()} == {"cannot_evaluate"}
    assert {r.severity for r in unknown.values()} == {"unknown"}
    assert f"/t/{target.name}/advisor/machine/" in unknown["config_memory"].cost


def test_it_machine_facts_from_the_form_drive_the_memory_and_storage_advice(
        target_db: TargetDb, reviewer: User, client_for: Callable[[User], Client]) -> None:
    target = target_db.make_target()
    collect(target, ("settings", "database"))
    client = client_for(reviewer)
    url = reverse("advisor-machine", args=[target.name])
    saved = post(client, url, {"ram_gb": "16", "cpus": "8", "storage": "ssd", "notes": "db-3, rack 7",
                               "min_observation_days": "35"})
    assert saved.status_code == 302
    facts = MachineFacts.objects.get(target=target)
    assert (facts.ram_bytes, facts.cpus, facts.storage, facts.min_observation_days) == (16 * GB, 8, "ssd", 35)
    audit = AuditEvent.objects.get(action="advisor.machine_facts")
    assert audit.actor == reviewer and audit.details["after"]["ram_bytes"] == 16 * GB

    outcome = run_advisor(target, options=AdvisorOptions(rules=CONFIG_RULES))
    by_key = {r.object_key: r for r in outcome.recommendations}
    # The test clusters run with shared_buffers = 64MB: far below a quarter of 16 GB.
    shared = by_key["shared_buffers"]
    assert shared.severity == "warning" and facts_of(shared)["Suggested shared_buffers"] == 4 * GB
    assert "ALTER SYSTEM SET shared_buffers = '4GB';" in shared.evidence["sql"][0]["text"]
    assert "restart" in shared.evidence["sql"][0]["text"]
    assert facts_of(by_key["maintenance_work_mem"])["Suggested maintenance_work_mem"] == GB
    rpc = by_key["random_page_cost"]
    assert facts_of(rpc)["random_page_cost now"] == 4.0
    assert "SET random_page_cost = '1.1'" in rpc.evidence["sql"][0]["text"]
    assert facts_of(by_key["effective_io_concurrency"])["Suggested effective_io_concurrency"] == "200"
    assert "pg_reload_conf()" in by_key["effective_io_concurrency"].evidence["sql"][0]["text"]


def test_it_viewers_read_the_machine_facts_but_cannot_change_them(
        target_db: TargetDb, viewer: User, client_for: Callable[[User], Client]) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("advisor-machine", args=[target.name])
    page = client.get(url)
    assert page.status_code == 200 and "<form" not in page.content.decode().split("<main>")[1]
    assert post(client, url, {"ram_gb": "8"}).status_code == 403
    assert not MachineFacts.objects.filter(target=target).exists()


def test_it_bad_machine_facts_are_refused(target_db: TargetDb, reviewer: User,
                                       client_for: Callable[[User], Client]) -> None:
    target = target_db.make_target()
    response = post(client_for(reviewer), reverse("advisor-machine", args=[target.name]), {"ram_gb": "-3"})
    assert response.status_code == 400 and not MachineFacts.objects.exists()
    assert not AuditEvent.objects.filter(action="advisor.machine_facts").exists()
