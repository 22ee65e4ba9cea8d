"""Where the demo database lives.

HypoPG turns index advice from a heuristic into a planner-checked recommendation, and the embedded
PostgreSQL 18 wheel does not ship it. So when the machine has a Debian PostgreSQL with HypoPG
(``postgresql-15`` + ``postgresql-15-hypopg``, which ``make system-deps`` installs as root), the demo
gets a small cluster of its own on that server, data under ``DBCONSOLE_HOME/demo-pg<major>``, run as
the ``dbconsole`` system user like the store. Otherwise the demo database sits in the embedded
PostgreSQL 18 next to the history store, and its index advice says it is unverified.

One demo either way, never two: a second copy of the workload would double the demo's CPU on a
laptop for pages that show the same thing, less well. ``DBCONSOLE_DEMO_SERVER=embedded`` keeps the
demo on the embedded 18 even where HypoPG is installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dbconsole.embedded import home
from dbconsole.embedded.pgcluster import PgCluster, recorded_port
from dbconsole.env import env_choice

DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")
DEBIAN_SHARE_ROOT = Path("/usr/share/postgresql")
MIN_MAJOR, MAX_MAJOR = 13, 18


@dataclass(frozen=True)
class DemoServer:
    cluster: PgCluster
    own_cluster: bool   # True: a cluster of its own, with HypoPG; False: inside the history store's cluster
    major: int

    @property
    def hypopg(self) -> bool:
        return self.own_cluster

    def describe(self) -> str:
        if self.own_cluster:
            return f"PostgreSQL {self.major} with HypoPG"
        return f"PostgreSQL {self.major} next to the history store, without HypoPG (index advice unverified)"


def hypopg_bindir(root: Path = DEBIAN_PG_ROOT, share_root: Path = DEBIAN_SHARE_ROOT) -> Path | None:
    """The newest Debian PostgreSQL (13-18) with HypoPG installed, or None.

    Debian's layout: binaries in ``/usr/lib/postgresql/<major>/bin``, the library in ``…/<major>/lib`` and
    the control file in ``/usr/share/postgresql/<major>/extension``.
    """
    found: list[tuple[int, Path]] = []
    for bindir in root.glob("*/bin"):
        if not re.fullmatch(r"\d+", bindir.parent.name):
            continue
        major = int(bindir.parent.name)
        if not MIN_MAJOR <= major <= MAX_MAJOR or not (bindir / "initdb").exists():
            continue
        if (bindir.parent / "lib" / "hypopg.so").exists() and (
            share_root / str(major) / "extension" / "hypopg.control"
        ).exists():
            found.append((major, bindir))
    return max(found)[1] if found else None


def demo_server() -> DemoServer:
    """The demo's placement for this machine and configuration (nothing is started)."""
    choice = env_choice("DBCONSOLE_DEMO_SERVER", "auto", ("auto", "embedded"))
    bindir = hypopg_bindir() if choice == "auto" else None
    if bindir is None:
        return DemoServer(cluster=home.history_cluster(), own_cluster=False, major=18)
    major = int(bindir.parent.name)
    datadir = home.home() / f"demo-pg{major}"
    cluster = PgCluster(
        bindir=bindir,
        datadir=datadir,
        port=recorded_port(datadir) or home.demo_pg_port(),
        conf={"shared_buffers": "'128MB'", "max_connections": "100", "logging_collector": "off"},
    )
    return DemoServer(cluster=cluster, own_cluster=True, major=major)


def ensure_demo_server(*, announce: bool = True) -> tuple[DemoServer, bool]:
    """Initialise (first time) and start the demo's own cluster; returns it and whether we started it.

    Without a cluster of its own the demo lives in the history store, which the caller has started.
    """
    from dbconsole.embedded.stack import ensure_cluster

    server = demo_server()
    if not server.own_cluster:
        return server, False
    started = ensure_cluster(server.cluster, "DBCONSOLE_DEMO_PG_PORT", "the demo database", announce=announce)
    return server, started
