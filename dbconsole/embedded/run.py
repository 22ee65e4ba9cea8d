"""``make run``: start the whole product in the foreground on the embedded default.

Order: PostgreSQL 18 (history store) → the demo's PostgreSQL with HypoPG when installed (else the demo
database lives in the 18) → Redis → ``manage.py bootstrap`` (migrations, admin user, demo target, its
first collection) → the demo workload, Celery worker, Celery beat, and gunicorn on 127.0.0.1.

Each process's output goes whole into ``$DBCONSOLE_HOME/logs/<name>.log`` (capped and rotated); the
terminal shows its warnings and errors only (``DBCONSOLE_TERMINAL_LOG_LEVEL``), with a name prefix, so
the ready line stays in sight. Started as root, every one of these processes runs as the unprivileged
system user ``dbconsole``, as PostgreSQL does (``account.py``).

Ctrl-C (SIGINT), SIGTERM or SIGHUP (the terminal closed) stops everything this process started, in
reverse order, by pid; a terminal that is gone never stops the supervisor half-way. Children
run in their own sessions so the terminal's Ctrl-C reaches only us, and each asks the kernel to send it
SIGTERM should we die without cleaning up (PR_SET_PDEATHSIG), so no process outlives a crash either.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ImproperlyConfigured

from dbconsole.embedded import home
from dbconsole.embedded.account import AccountError, ServiceAccount, prepare, service_account
from dbconsole.embedded.demo.server import ensure_demo_server
from dbconsole.embedded.logs import LEVELS, ProcessLog
from dbconsole.embedded.pgcluster import ClusterError, PgCluster
from dbconsole.embedded.redisserver import RedisError, RedisServer
from dbconsole.embedded.stack import SUPERVISOR_PIDFILE, ensure_history_store, write_pidfile
from dbconsole.env import env_bool, env_choice, env_int
from dbconsole.queues import WORKER_QUEUES

PR_SET_PDEATHSIG = 1
# gunicorn's access lines carry a level like every other line, so the terminal filter can tell them apart.
ACCESS_LOG_FORMAT = 'INFO gunicorn.access %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls: ESC, CSI and friends


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
    log: ProcessLog | None = field(default=None, repr=False)


class Supervisor:
    def __init__(self) -> None:
        self.home = home.ensure_home()
        self.logs = self.home / "logs"
        self.python = sys.executable
        self.manage = str(home.BASE_DIR / "manage.py")
        self.port = env_int("DBCONSOLE_PORT", 8000, minimum=1, maximum=65535)
        self.redis_port = env_int("DBCONSOLE_REDIS_PORT", home.DEFAULT_REDIS_PORT, minimum=1, maximum=65535)
        self.demo = env_bool("DBCONSOLE_DEMO", default=True)
        self.log_level = env_choice("DBCONSOLE_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
        self.terminal_level = LEVELS[env_choice("DBCONSOLE_TERMINAL_LOG_LEVEL", "WARNING", tuple(LEVELS))]
        self.children: list[Child] = []
        self.redis: RedisServer | None = None
        self.demo_cluster: PgCluster | None = None
        self.account: ServiceAccount | None = None
        self.stopping = threading.Event()
        # Reentrant: a signal handler runs on the main thread, perhaps while it is printing.
        self.print_lock = threading.RLock()
        self.terminal_gone = False

    # -- lifecycle ---------------------------------------------------------------------------------

    def run(self) -> int:
        # SIGHUP: the terminal closed. Stop everything as on Ctrl-C rather than die and orphan the servers.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        write_pidfile()
        started = time.monotonic()
        try:
            self.say("dbconsole", f"state directory {self.home}")
            cluster, _ = ensure_history_store()
            self.say("postgres", f"PostgreSQL 18 on 127.0.0.1:{cluster.port} (history store)"
                     + _kept("DBCONSOLE_PG_PORT", home.pg_port(), cluster.port))
            if self.demo:
                server, _ = ensure_demo_server()
                self.demo_cluster = server.cluster if server.own_cluster else None
                self.say("postgres", f"demo database on {server.describe()}, 127.0.0.1:{server.cluster.port}"
                         + (_kept("DBCONSOLE_DEMO_PG_PORT", home.demo_pg_port(), server.cluster.port)
                            if server.own_cluster else ""))
            self.account = service_account()
            self.redis = RedisServer(directory=self.home / "redis", port=self.redis_port,
                                     popen_kwargs=self.account.popen_kwargs() if self.account else {})
            self.redis.start()
            self.say("redis", f"Redis on {self.redis.url}")
            env = self._child_env()
            bootstrap = subprocess.run([self.python, self.manage, "bootstrap"], env=env, check=False)
            if bootstrap.returncode != 0:
                self.say("dbconsole", "bootstrap failed; see the error above")
                return 1
            for opened in prepare(self.account):
                self.say("dbconsole", f"{opened}: added the search bit (o+x) so the services' system user can "
                         "reach the checkout and the Python interpreter")
            service_env = self.account.environ(env) if self.account else env
            for name, argv in self._commands():
                self._spawn(name, argv, service_env)
            self._wait_for_web()
            runs_as = f"; services run as {self.account.name}" if self.account else ""
            self.say("dbconsole", f"ready in {time.monotonic() - started:.1f}s: http://127.0.0.1:{self.port}/ "
                     f"(user admin; password in {self.home / 'admin-password'} unless DBCONSOLE_ADMIN_PASSWORD "
                     f"was set). Full logs in {self.logs}{runs_as}. Ctrl-C stops everything.")
            while not self.stopping.is_set():
                for child in self.children:
                    if child.process and child.process.poll() is not None and not self.stopping.is_set():
                        self._report_exit(child)
                        self.stopping.set()
                self.stopping.wait(0.5)
            return 0
        except (ClusterError, RedisError, AccountError) as exc:
            self.say("dbconsole", f"cannot start: {exc}")
            return 1
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        for child in reversed(self.children):
            self._terminate(child)
        if self.redis is not None:
            self.redis.stop()
        for cluster in (self.demo_cluster, home.history_cluster()):
            try:
                if cluster is not None:
                    cluster.stop()
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
        level = self.log_level
        commands = [
            ("worker", [*celery, "worker", "--loglevel", level, "--pool", "threads", "--concurrency", "8",
                        "--queues", ",".join(WORKER_QUEUES), "--without-gossip", "--without-mingle",
                        "--hostname", "worker@%h"]),
            ("beat", [*celery, "beat", "--loglevel", level, "--schedule", str(home.beat_schedule()),
                      "--pidfile", ""]),
            ("web", [self.python, "-m", "gunicorn", "dbconsole.wsgi:application",
                     "--bind", f"127.0.0.1:{self.port}", "--worker-class", "gthread", "--workers", "2",
                     "--threads", "4", "--timeout", "60", "--no-control-socket", "--log-level", level.lower(),
                     "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT]),
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
        # preexec_fn runs after the switch to the service account, so PDEATHSIG survives it.
        process = subprocess.Popen(
            argv, env=env, cwd=str(home.BASE_DIR), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
            **(self.account.popen_kwargs() if self.account else {}),
        )
        child = Child(name=name, argv=argv, process=process,
                      log=ProcessLog(self.logs / f"{name}.log", self.terminal_level))
        assert process.stdout is not None
        child.pump = threading.Thread(target=self._pump, args=(child, process.stdout), daemon=True)
        child.pump.start()
        self.children.append(child)

    def _pump(self, child: Child, stream: IO[bytes]) -> None:
        assert child.log is not None
        for raw in iter(stream.readline, b""):
            line = raw.decode(errors="replace").rstrip()
            if child.log.write(line):
                self.say(child.name, line)
        child.log.close()

    def _report_exit(self, child: Child) -> None:
        """An unexpected exit: say so with the process's last lines, which the terminal may not have shown."""
        assert child.process is not None and child.log is not None
        if child.pump is not None:
            child.pump.join(timeout=2)
        self.say("dbconsole", f"{child.name} exited with {child.process.returncode}; stopping. Its last lines "
                 f"(all of them in {child.log.path}):")
        for line in child.log.tail:
            self.say(child.name, line)

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
        # Lines may quote a monitored database's names: no control character reaches the terminal.
        line = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", line)
        with self.print_lock:
            if self.terminal_gone:
                return
            try:
                print(f"{name:>9} | {line}", flush=True)
            except (OSError, ValueError, RuntimeError):
                # The terminal (or whoever read our output) is gone: keep running and keep draining the
                # children's output into their logs; a supervisor that dies here would orphan the servers.
                self.terminal_gone = True


def _kept(variable: str, configured: int, actual: int) -> str:
    """Why a cluster is not on the configured port: it keeps the port it was created on."""
    if configured == actual:
        return ""
    return f"; it keeps the port it was created on ({variable}={configured} applies to a new cluster only)"


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

