"""``make run``: start the whole product in the foreground on the embedded default.

Order: PostgreSQL 18 (history store + demo database) → Redis → ``manage.py bootstrap`` (migrations, admin
user, demo target) → the demo workload, Celery worker, Celery beat, and gunicorn on 127.0.0.1. Their
output is shown with a name prefix and kept in ``$DBCONSOLE_HOME/logs/``.

Ctrl-C (SIGINT) or SIGTERM stops everything this process started, in reverse order, by pid. Children
run in their own sessions so the terminal's Ctrl-C reaches only us, and each asks the kernel to send it
SIGTERM should we die without cleaning up (PR_SET_PDEATHSIG), so no process outlives a crash either.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ImproperlyConfigured

from dbconsole.embedded import home
from dbconsole.embedded.pgcluster import ClusterError
from dbconsole.embedded.redisserver import RedisError, RedisServer
from dbconsole.embedded.stack import SUPERVISOR_PIDFILE, ensure_history_store, write_pidfile
from dbconsole.env import env_bool, env_int
from dbconsole.queues import WORKER_QUEUES

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """preexec_fn: SIGTERM this child if the supervisor disappears."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    pump: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    def __init__(self) -> None:
        self.home = home.ensure_home()
        self.logs = self.home / "logs"
        self.python = sys.executable
        self.manage = str(home.BASE_DIR / "manage.py")
        self.port = env_int("DBCONSOLE_PORT", 8000, minimum=1, maximum=65535)
        self.redis_port = env_int("DBCONSOLE_REDIS_PORT", home.DEFAULT_REDIS_PORT, minimum=1, maximum=65535)
        self.demo = env_bool("DBCONSOLE_DEMO", default=True)
        self.children: list[Child] = []
        self.redis: RedisServer | None = None
        self.stopping = threading.Event()
        self.print_lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------------

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        write_pidfile()
        started = time.monotonic()
        try:
            self.say("dbconsole", f"state directory {self.home}")
            cluster, _ = ensure_history_store()
            self.say("postgres", f"PostgreSQL 18 on 127.0.0.1:{cluster.port} (history store + demo database)")
            self.redis = RedisServer(directory=self.home / "redis", port=self.redis_port)
            self.redis.start()
            self.say("redis", f"Redis on {self.redis.url}")
            env = self._child_env()
            bootstrap = subprocess.run([self.python, self.manage, "bootstrap"], env=env, check=False)
            if bootstrap.returncode != 0:
                self.say("dbconsole", "bootstrap failed; see the error above")
                return 1
            for name, argv in self._commands():
                self._spawn(name, argv, env)
            self._wait_for_web()
            self.say("dbconsole", f"ready in {time.monotonic() - started:.1f}s: http://127.0.0.1:{self.port}/ "
                     f"(user admin; password in {self.home / 'admin-password'} unless DBCONSOLE_ADMIN_PASSWORD "
                     "was set). Ctrl-C stops everything.")
            while not self.stopping.is_set():
                for child in self.children:
                    if child.process and child.process.poll() is not None and not self.stopping.is_set():
                        self.say("dbconsole", f"{child.name} exited with {child.process.returncode}; stopping")
                        self.stopping.set()
                self.stopping.wait(0.5)
            return 0
        except (ClusterError, RedisError) as exc:
            self.say("dbconsole", f"cannot start: {exc}")
            return 1
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        for child in reversed(self.children):
            self._terminate(child)
        if self.redis is not None:
            self.redis.stop()
        try:
            home.history_cluster().stop()
        except ClusterError as exc:
            self.say("postgres", f"stop failed: {exc}")
        (self.home / SUPERVISOR_PIDFILE).unlink(missing_ok=True)
        self.say("dbconsole", "stopped; nothing left running")

    def _on_signal(self, signum: int, frame: object) -> None:
        if self.stopping.is_set():
            return
        self.say("dbconsole", f"{signal.Signals(signum).name}: stopping")
        self.stopping.set()

    # -- children ----------------------------------------------------------------------------------

    def _commands(self) -> list[tuple[str, list[str]]]:
        celery = [self.python, "-m", "celery", "-A", "dbconsole"]
        commands = [
            ("worker", [*celery, "worker", "--loglevel", "INFO", "--pool", "threads", "--concurrency", "8",
                        "--queues", ",".join(WORKER_QUEUES), "--without-gossip", "--without-mingle",
                        "--hostname", "worker@%h"]),
            ("beat", [*celery, "beat", "--loglevel", "INFO", "--schedule", str(self.home / "celerybeat-schedule"),
                      "--pidfile", ""]),
            ("web", [self.python, "-m", "gunicorn", "dbconsole.wsgi:application",
                     "--bind", f"127.0.0.1:{self.port}", "--worker-class", "gthread", "--workers", "2",
                     "--threads", "4", "--timeout", "60", "--no-control-socket",
                     "--access-logfile", str(self.logs / "access.log")]),
        ]
        if self.demo:
            commands.insert(0, ("demo", [self.python, "-m", "dbconsole.embedded.demo"]))
        return commands

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DBCONSOLE_HOME"] = str(self.home)
        env["DBCONSOLE_REDIS_PORT"] = str(self.redis_port)
        env.setdefault("DJANGO_SETTINGS_MODULE", "dbconsole.settings")
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        process = subprocess.Popen(
            argv, env=env, cwd=str(home.BASE_DIR), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
        )
        child = Child(name=name, argv=argv, process=process)
        assert process.stdout is not None
        child.pump = threading.Thread(target=self._pump, args=(name, process.stdout), daemon=True)
        child.pump.start()
        self.children.append(child)

    def _pump(self, name: str, stream: IO[bytes]) -> None:
        with (self.logs / f"{name}.log").open("ab") as log:
            for raw in iter(stream.readline, b""):
                log.write(raw)
                log.flush()
                self.say(name, raw.decode(errors="replace").rstrip())

    def _terminate(self, child: Child, timeout: float = 15.0) -> None:
        process = child.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.say(child.name, "did not stop in time; killing")
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def _wait_for_web(self, timeout: float = 60.0) -> None:
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/accounts/login/"
        while time.monotonic() < deadline and not self.stopping.is_set():
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)

    def say(self, name: str, line: str) -> None:
        with self.print_lock:
            print(f"{name:>9} | {line}", flush=True)


def main() -> None:
    if os.environ.get("DATABASE_URL"):
        sys.exit("make run starts the embedded default; unset DATABASE_URL (for production use docker compose)")
    try:
        supervisor = Supervisor()
    except ImproperlyConfigured as exc:
        sys.exit(f"dbconsole: {exc}")
    sys.exit(supervisor.run())


if __name__ == "__main__":
    main()

