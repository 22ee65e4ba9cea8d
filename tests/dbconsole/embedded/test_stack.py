"""One source of truth for the store's port: a cluster created while its configured port is taken goes
to the next free port, and every reader — the store's starter, Django's settings, the demo — finds it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbconsole.embedded import home
from dbconsole.embedded.pgcluster import PgCluster, free_port
from dbconsole.embedded.stack import ensure_history_store
from tests.support import components


@pytest.fixture
def state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    components.require_pg18()
    path = tmp_path_factory.mktemp("stack") / "state"
    monkeypatch.setenv("DBCONSOLE_HOME", str(path))
    yield path
    PgCluster(bindir=components.require_pg18(), datadir=path / "pgdata").destroy()


def test_it_creates_the_store_beside_a_taken_port_and_everybody_connects_there(
    state: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    configured = free_port()
    monkeypatch.setenv("DBCONSOLE_PG_PORT", str(configured))
    with socket.create_server(("127.0.0.1", configured)):
        cluster, started = ensure_history_store()
    assert started and cluster.port > configured
    assert f"port {configured} (DBCONSOLE_PG_PORT) is taken" in capsys.readouterr().err
    assert home.history_port() == cluster.port  # from postmaster.pid while it runs
    assert home.history_database_settings()["PORT"] == str(cluster.port)
    assert home.history_cluster().port == cluster.port

    cluster.stop()  # the configured port is free now; the cluster keeps the port it was created on
    assert home.history_port() == cluster.port  # from postgresql.conf
    again, started = ensure_history_store()
    assert started and again.port == cluster.port
    again.stop()
