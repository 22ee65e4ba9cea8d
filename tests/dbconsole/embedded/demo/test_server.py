"""The demo goes where HypoPG is: a Debian PostgreSQL with postgresql-<major>-hypopg, else the embedded 18."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dbconsole.embedded.demo.server import demo_server, hypopg_bindir
from dbconsole.embedded.pgcluster import DEBIAN_PG15_BINDIR
from tests.support import components


def debian_tree(root: Path, major: int, *, hypopg: bool) -> Path:
    """A Debian-shaped installation: binaries, library directory and extension directory."""
    bindir = root / "lib" / str(major) / "bin"
    bindir.mkdir(parents=True)
    (bindir / "initdb").touch()
    (bindir.parent / "lib").mkdir()
    (root / "share" / str(major) / "extension").mkdir(parents=True)
    if hypopg:
        (bindir.parent / "lib" / "hypopg.so").touch()
        (root / "share" / str(major) / "extension" / "hypopg.control").touch()
    return bindir


def test_it_finds_this_machines_postgresql_15_with_hypopg() -> None:
    components.require_pg15()
    components.require_hypopg()
    assert hypopg_bindir() == DEBIAN_PG15_BINDIR


def test_it_takes_the_newest_supported_major_that_has_hypopg(tmp_path: Path) -> None:
    debian_tree(tmp_path, 15, hypopg=True)
    newest = debian_tree(tmp_path, 16, hypopg=True)
    debian_tree(tmp_path, 17, hypopg=False)
    debian_tree(tmp_path, 12, hypopg=True)  # older than dbconsole supports
    assert hypopg_bindir(tmp_path / "lib", tmp_path / "share") == newest


def test_it_finds_nothing_without_hypopg(tmp_path: Path) -> None:
    debian_tree(tmp_path, 15, hypopg=False)
    assert hypopg_bindir(tmp_path / "lib", tmp_path / "share") is None


def test_it_keeps_the_demo_on_the_embedded_18_when_told_and_says_its_advice_is_unverified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DBCONSOLE_HOME", str(tmp_path))
    monkeypatch.setenv("DBCONSOLE_DEMO_SERVER", "embedded")
    server = demo_server()
    assert not server.own_cluster and not server.hypopg
    assert server.cluster.datadir == tmp_path / "pgdata"
    assert "without HypoPG (index advice unverified)" in server.describe()


def test_it_puts_the_demo_in_a_cluster_of_its_own_where_hypopg_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    components.require_pg15()
    components.require_hypopg()
    monkeypatch.setenv("DBCONSOLE_HOME", str(tmp_path))
    monkeypatch.setenv("DBCONSOLE_DEMO_PG_PORT", "25999")
    server = demo_server()
    assert server.own_cluster and server.major == 15 and server.describe() == "PostgreSQL 15 with HypoPG"
    assert server.cluster.datadir == tmp_path / "demo-pg15" and server.cluster.port == 25999


def test_it_rejects_an_unknown_placement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBCONSOLE_DEMO_SERVER", "pg15")
    with pytest.raises(ImproperlyConfigured, match="DBCONSOLE_DEMO_SERVER"):
        demo_server()
