"""bootstrap's demo: on the PostgreSQL with HypoPG, its monitoring role granted what the README asks, a
first collection that already sees the planted bloat and the 93 % sequence — and a demo that moved
(HypoPG installed since) re-registered rather than pointing at the old server."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest

from dbconsole.embedded.demo.server import demo_server
from dbconsole.embedded.pgcluster import free_port
from dbconsole.management.commands.bootstrap import Command
from dbconsole.models import AuditEvent
from monitoring.models import SequenceSnapshot, Target
from monitoring.targets.service import check_target
from tests.support import components

pytestmark = pytest.mark.django_db


@pytest.fixture
def state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    components.require_pg15()
    components.require_hypopg()
    path = tmp_path_factory.mktemp("bootstrap") / "state"
    monkeypatch.setenv("DBCONSOLE_HOME", str(path))
    monkeypatch.setenv("DBCONSOLE_DEMO_PG_PORT", str(free_port()))
    yield path
    demo_server().cluster.destroy()


def test_it_moves_the_demo_to_hypopg_grants_it_fully_and_collects_at_once(
    state: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = Target(name="demo", host="127.0.0.1", port=5, dbname="demo", username="dbconsole_monitor",
                 sslmode="disable")
    old.save()
    out = StringIO()
    command = Command(stdout=out, stderr=out)
    command.ensure_demo()
    text = out.getvalue()
    assert "demo database created on PostgreSQL 15 with HypoPG" in text
    assert "demo target moved from dbconsole_monitor@127.0.0.1:5/demo" in text
    assert "first collection of demo: 9 collectors" in text and "error" not in text, text

    demo = Target.objects.get(name="demo")
    assert demo.pk != old.pk and demo.port == demo_server().cluster.port and demo.server_major == 15
    assert [e.action for e in AuditEvent.objects.order_by("id")] == ["target.remove", "target.add"]
    report = {f.name: f for f in check_target(demo).findings}
    for name in ("privileges", "object privileges", "pg_signal_backend", "pgstattuple", "hypopg"):
        assert report[name].level == "ok", report[name].line()

    sequences = SequenceSnapshot.objects.get(target=demo).sequences
    assert all(s["readable"] for s in sequences)
    assert next(s for s in sequences if s["name"] == "tickets_id_seq")["percent_used"] > 93

    again = StringIO()
    Command(stdout=again, stderr=again).ensure_demo()  # a second start changes nothing
    assert again.getvalue() == "" and Target.objects.get(name="demo").pk == demo.pk
