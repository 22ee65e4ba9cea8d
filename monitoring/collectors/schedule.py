"""What is due, and who may run it: the dispatcher's bookkeeping and the per-target+collector lock.

Both live in Redis, which the workers need anyway as their broker:

* ``dbconsole:due:<target>:<collector>`` — set with ``NX`` and a TTL of (almost) the interval when
  the dispatcher enqueues a run; while it exists the pair is not due. A dispatcher restart or a
  second dispatcher cannot double the schedule.
* ``dbconsole:lock:<target>:<collector>`` — taken by the worker for the duration of a run (``NX`` with
  a token, released by compare-and-delete). A run that overlaps a slow previous one is skipped instead
  of piling up; the TTL frees a lock whose worker was killed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings

from monitoring.collectors import load_all
from monitoring.collectors.base import REGISTRY

PREFIX = "dbconsole"
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def client() -> redis.Redis:
    return _client(settings.REDIS_URL)


@dataclass(frozen=True)
class Due:
    target_id: int
    collector: str
    interval: int
    queue: str

    @property
    def expires(self) -> float:
        """A run still queued when the next one is due is dropped: it would only pile up."""
        return max(1.0, self.interval * 0.9)


def intervals(target_intervals: dict[str, object]) -> Iterator[tuple[str, int, str]]:
    """(collector, interval seconds, queue) for every collector, with the target's overrides."""
    load_all()
    for name, cls in sorted(REGISTRY.items()):
        value = target_intervals.get(name)
        interval = int(value) if isinstance(value, int | float) and value > 0 else cls.default_interval
        yield name, interval, cls.queue


def prerequisites(name: str) -> tuple[str, ...]:
    """The collectors that must have succeeded once on a target before ``name`` may run there."""
    load_all()
    return REGISTRY[name].after


def ready(candidates: list[Due], succeeded: set[tuple[int, str]]) -> list[Due]:
    """The candidates whose prerequisites have each succeeded once on their target.

    One held back is not claimed, so it becomes due at the first tick after its prerequisite's success.
    """
    return [due for due in candidates
            if all((due.target_id, before) in succeeded for before in prerequisites(due.collector))]


def claim_due(candidates: list[Due]) -> list[Due]:
    """The candidates whose previous dispatch has expired, claiming them in one round trip.

    The TTL is shortened by half a dispatcher tick, so a 10 s collector dispatched on a 5 s tick runs
    every 10 s rather than every 15 s when the ticks drift.
    """
    margin_ms = int(settings.COLLECT_DISPATCH_EVERY_S * 500)
    pipe = client().pipeline(transaction=False)
    for due in candidates:
        ttl_ms = max(500, due.interval * 1000 - margin_ms)
        pipe.set(f"{PREFIX}:due:{due.target_id}:{due.collector}", "1", nx=True, px=ttl_ms)
    return [due for due, claimed in zip(candidates, pipe.execute(), strict=True) if claimed]


def lock_ttl(interval: int) -> int:
    """Seconds a run may hold its lock: long enough for any legitimate run, short enough that a killed
    worker does not stop collection for long."""
    return max(60, min(2 * interval, 900))


@contextmanager
def run_lock(target_id: int, collector: str, interval: int) -> Iterator[bool]:
    """Yields True when this worker holds the lock for (target, collector), False when another does."""
    key = f"{PREFIX}:lock:{target_id}:{collector}"
    token = secrets.token_hex(8)
    redis_client = client()
    held = bool(redis_client.set(key, token, nx=True, ex=lock_ttl(interval)))
    try:
        yield held
    finally:
        if held:
            redis_client.eval(_RELEASE, 1, key, token)
