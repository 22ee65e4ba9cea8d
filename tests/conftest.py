"""Session-wide real components: the history store, target clusters (PG 15 and 18), Redis, Chromium.

Fixtures a test can ask for:

* ``target_db`` — a fresh database on a target cluster, parametrised over PostgreSQL 15 and 18
  (``pg15_db`` / ``pg18_db`` when a test needs one major only). ``target_db.make_target()`` registers
  it as a ``Target`` connecting with the pg_monitor role.
* ``viewer``, ``reviewer``, ``operator``, ``admin_user`` — users holding one role each; ``client_for``
  returns a logged-in Django test client.
* ``redis_server`` — a real redis-server on a free port; Celery and locks point at it.
* ``browser`` — Playwright driving Debian's Chromium (see tests/browser/).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client

from dbconsole.embedded.pgcluster import PgCluster, free_port
from dbconsole.embedded.redisserver import RedisServer
from tests.support import components
from tests.support.targets import TargetDb, fresh_database, start_target_cluster


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Give each checkout its own temporary root unless ``--basetemp`` says otherwise.

    pytest's default root (``/tmp/pytest-of-<user>``) is shared by every checkout on the machine and
    it deletes all but the newest three session folders when a session starts — so two suites run side
    by side (two worktrees) would delete each other's PostgreSQL data directories mid-run.
    """
    if config.option.basetemp is None:
        checkout = hashlib.blake2b(str(config.rootpath).encode(), digest_size=4).hexdigest()
        base = Path(tempfile.gettempdir()) / f"dbconsole-pytest-{checkout}"
        # pytest empties its root at start: a second session in the same checkout (one test run beside
        # the whole suite) takes a folder of its own instead of deleting the running suite's clusters.
        lock = open(f"{base}.lock", "w")  # noqa: SIM115  (held for the whole session)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            base = Path(f"{base}-{os.getpid()}")
            config.add_cleanup(lambda: shutil.rmtree(base, ignore_errors=True))
        else:
            config.add_cleanup(lock.close)
        config.option.basetemp = str(base)


@pytest.fixture(scope="session")
def cluster_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clusters")
    root.chmod(0o755)
    return root


@pytest.fixture(scope="session")
def history_cluster(cluster_root: Path) -> Iterator[PgCluster]:
    """PostgreSQL 18 holding the test history store (pytest-django creates test_dbconsole in it)."""
    bindir = components.require_pg18()
    cluster = PgCluster(bindir=bindir, datadir=cluster_root / "history", conf={"shared_buffers": "'128MB'"})
    cluster.init(fast=True)
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(history_cluster: PgCluster) -> None:
    settings.DATABASES["default"].update(
        HOST="127.0.0.1", PORT=str(history_cluster.port), USER="postgres",
        PASSWORD=history_cluster.password, NAME="dbconsole",
    )


@pytest.fixture(scope="session")
def pg15_cluster(cluster_root: Path) -> Iterator[PgCluster]:
    bindir = components.require_pg15()
    components.require_hypopg()
    cluster = start_target_cluster(bindir, cluster_root / "pg15")
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def pg18_cluster(cluster_root: Path) -> Iterator[PgCluster]:
    cluster = start_target_cluster(components.require_pg18(), cluster_root / "pg18")
    yield cluster
    cluster.destroy()


@pytest.fixture(params=[15, 18], ids=["pg15", "pg18"])
def pg_major(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def target_cluster(request: pytest.FixtureRequest, pg_major: int) -> PgCluster:
    cluster: PgCluster = request.getfixturevalue(f"pg{pg_major}_cluster")
    return cluster


@pytest.fixture
def target_db(target_cluster: PgCluster) -> Iterator[TargetDb]:
    yield from fresh_database(target_cluster)


@pytest.fixture
def pg15_db(pg15_cluster: PgCluster) -> Iterator[TargetDb]:
    yield from fresh_database(pg15_cluster)


@pytest.fixture
def pg18_db(pg18_cluster: PgCluster) -> Iterator[TargetDb]:
    yield from fresh_database(pg18_cluster)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    components.require_redis()
    server = RedisServer(directory=tmp_path_factory.mktemp("redis"), port=free_port())
    server.start()
    previous = settings.REDIS_URL, settings.CELERY_BROKER_URL
    settings.REDIS_URL = settings.CELERY_BROKER_URL = server.url
    yield server
    settings.REDIS_URL, settings.CELERY_BROKER_URL = previous
    server.stop()


# -- personas -------------------------------------------------------------------------------------

PASSWORD = "correct-horse-battery"


def _persona(username: str, role: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def viewer(db: Any) -> User:
    return _persona("vera-viewer", "viewer")


@pytest.fixture
def reviewer(db: Any) -> User:
    return _persona("rita-reviewer", "reviewer")


@pytest.fixture
def operator(db: Any) -> User:
    return _persona("otto-operator", "operator")


@pytest.fixture
def admin_user(db: Any) -> User:
    return _persona("ada-admin", "admin")


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        return client

    return make


def pytest_report_header(config: pytest.Config) -> str:
    return f"dbconsole tests; CI mode: {components.in_ci()}; pid {os.getpid()}"
