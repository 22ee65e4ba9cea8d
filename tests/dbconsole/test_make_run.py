"""`make run` end to end: the supervisor starts everything, serves a live demo, and Ctrl-C leaves nothing.

This drives the real supervisor (PostgreSQL 18, Redis, Celery worker and beat, gunicorn, demo workload)
in a temporary state directory on free ports.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from dbconsole.embedded.pgcluster import free_port, port_is_free
from tests.support import components

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    port: int
    output: list[str] = field(default_factory=list)

    def wait_for(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.output):
                if re.search(pattern, line):
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"never saw {pattern!r}; output:\n" + "\n".join(self.output[-60:]))


def start_stack(home: Path, ports: dict[str, int]) -> RunningStack:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBCONSOLE_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DBCONSOLE_HOME=str(home), DBCONSOLE_PORT=str(ports["web"]), DBCONSOLE_PG_PORT=str(ports["pg"]),
        DBCONSOLE_REDIS_PORT=str(ports["redis"]), DBCONSOLE_ADMIN_PASSWORD="", PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "dbconsole.embedded.run"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    stack = RunningStack(process=process, port=ports["web"])
    threading.Thread(target=_collect, args=(process, stack.output), daemon=True).start()
    return stack


def _collect(process: subprocess.Popen[str], output: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line.rstrip())


def stop_stack(stack: RunningStack) -> int:
    stack.process.send_signal(signal.SIGINT)
    return stack.process.wait(timeout=90)


def leftovers(home: Path, ports: dict[str, int]) -> list[str]:
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "environ"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            environ = proc.info["environ"] or {}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if str(home) in cmdline or environ.get("DBCONSOLE_HOME") == str(home):
            found.append(f"{proc.info['pid']}: {cmdline}")
    found += [f"port {p} still bound" for p in ports.values() if not port_is_free(p)]
    return found


def login(port: int, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    data = urllib.parse.urlencode({"username": "admin", "password": password,
                                   "csrfmiddlewaretoken": token.group(1)}).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/"})
    response = opener.open(request)
    assert "/accounts/login/" not in response.geturl(), "login failed"
    return opener


@pytest.fixture
def stack_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, int]]]:
    components.require_pg18()
    components.require_redis()
    home = tmp_path_factory.mktemp("make-run") / "state"
    ports = {"web": free_port(), "pg": free_port(), "redis": free_port()}
    yield home, ports
    for line in leftovers(home, ports):  # never leave a server behind, even when the test failed
        pid = int(line.split(":")[0]) if line[0].isdigit() else None
        if pid:
            os.kill(pid, signal.SIGKILL)


def test_it_starts_everything_serves_a_live_demo_and_stops_cleanly(stack_home: tuple[Path, dict[str, int]]) -> None:
    home, ports = stack_home
    stack = start_stack(home, ports)
    try:
        password_line = stack.wait_for(r"admin password: \S+", timeout=240)
        stack.wait_for(r"ready in [\d.]+s", timeout=240)
        password = password_line.split("admin password: ")[1].split()[0]
        assert (home / "admin-password").read_text().strip() == password
        assert oct((home / "admin-password").stat().st_mode & 0o777) == "0o600"

        opener = login(ports["web"], password)
        overview = opener.open(f"http://127.0.0.1:{ports['web']}/t/demo/").read().decode()
        assert "demo" in overview
        deadline = time.monotonic() + 60
        connections = 0
        while time.monotonic() < deadline and connections < 3:  # the demo workload holds several sessions
            now = opener.open(f"http://127.0.0.1:{ports['web']}/t/demo/now/").read().decode()
            found = re.search(r'data-metric="connections">(\d+) / 200', now)
            connections = int(found.group(1)) if found else 0
            time.sleep(1)
        assert connections >= 3, now

        # What good looks like: collection, then the advisor's first run, propose the demo's missing
        # index on their own (statements every 30 s on the demo target, the advisor as soon as there
        # is workload) — within two minutes of a first start.
        deadline = time.monotonic() + 150
        advice = ""
        while time.monotonic() < deadline and 'data-kind="missing_index"' not in advice:
            time.sleep(5)
            advice = opener.open(f"http://127.0.0.1:{ports['web']}/t/demo/advisor/").read().decode()
        assert 'data-kind="missing_index"' in advice, "\n".join(stack.output[-40:])
    finally:
        code = stop_stack(stack)
    assert code == 0, "\n".join(stack.output[-40:])
    assert stack.output[-1].endswith("stopped; nothing left running")
    time.sleep(1)
    assert leftovers(home, ports) == []

    # A second start keeps the history: same admin, same demo target, no new password printed.
    second = start_stack(home, ports)
    try:
        second.wait_for(r"ready in [\d.]+s", timeout=120)
        assert not any("admin password:" in line for line in second.output)
        opener = login(ports["web"], password)
        fleet = opener.open(f"http://127.0.0.1:{ports['web']}/targets/").read().decode()
        assert "demo" in fleet
    finally:
        assert stop_stack(second) == 0
    time.sleep(1)
    assert leftovers(home, ports) == []


def test_it_runs_a_manage_command_without_make_run_and_stops_the_store_after(
    stack_home: tuple[Path, dict[str, int]],
) -> None:
    home, ports = stack_home
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBCONSOLE_", "DATABASE_URL"))}
    env.update(DBCONSOLE_HOME=str(home), DBCONSOLE_PG_PORT=str(ports["pg"]))
    for argv in (["migrate", "-v", "0"], ["targets", "list"]):
        result = subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, env=env, text=True,
                                capture_output=True, timeout=240, check=False)
        assert result.returncode == 0, result.stderr
    assert "no targets yet" in result.stdout
    assert leftovers(home, ports) == []
