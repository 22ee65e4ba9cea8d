"""The one way a live page reads a target: a guarded, read-only connection with a short timeout."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg

from monitoring.models import Target
from monitoring.targets.connect import Guard, connect

# A live page answers within a few seconds or says "timed out"; it never waits behind DDL.
LIVE_STATEMENT_TIMEOUT_MS = 3000
LIVE_LOCK_TIMEOUT_MS = 500


@contextlib.contextmanager
def live_connection(target: Target) -> Iterator[tuple[psycopg.Connection[Any], int]]:
    """Yields the connection and the server's major version. Errors surface as ``TargetError``."""
    guard = Guard.default(statement_timeout_ms=LIVE_STATEMENT_TIMEOUT_MS, lock_timeout_ms=LIVE_LOCK_TIMEOUT_MS)
    with connect(target, guard) as conn:
        yield conn, conn.info.server_version // 10000
