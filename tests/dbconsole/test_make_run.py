"""`make run` end to end: the supervisor starts everything, serves a live demo where every page works,
and Ctrl-C leaves nothing.

This drives the real supervisor (PostgreSQL 18, the demo's PostgreSQL 15 with HypoPG when installed,
Redis, Celery worker and beat, gunicorn, demo workload) in a temporary state directory on free ports.
One first start checks as much as it can, because a start is what costs: the configured store port
taken, services off root, a quiet terminal, EXPLAIN, sequences, bloat and HypoPG-checked advice.
"""

from __future__ import annotations

import html
import http.cookiejar
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import psycopg
import pytest

from dbconsole.embedded import home as embedded_home
from dbconsole.embedded.demo.server import hypopg_bindir
from dbconsole.embedded.pgcluster import SYSTEM_USER, free_port, port_is_free, recorded_port
from tests.alerts.receiver import Receiver, http_receiver
from tests.dbconsole.stack_checks import add_webhook, check_api, check_headline, check_lock_chain_alert
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


def start_stack(home: Path, ports: dict[str, int], *, hang_up_after: str | None = None) -> RunningStack:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBCONSOLE_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DBCONSOLE_HOME=str(home), DBCONSOLE_PORT=str(ports["web"]), DBCONSOLE_PG_PORT=str(ports["pg"]),
        DBCONSOLE_DEMO_PG_PORT=str(ports["demo_pg"]), DBCONSOLE_REDIS_PORT=str(ports["redis"]),
        DBCONSOLE_ADMIN_PASSWORD="", PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "dbconsole.embedded.run"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    stack = RunningStack(process=process, port=ports["web"])
    threading.Thread(target=_collect, args=(process, stack.output, hang_up_after), daemon=True).start()
    return stack


def _collect(process: subprocess.Popen[str], output: list[str], hang_up_after: str | None) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line.rstrip())
        if hang_up_after and re.search(hang_up_after, line):
            process.stdout.close()  # the terminal goes away: every later write of the supervisor fails
            return


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
    ports = {"web": free_port(), "pg": free_port(), "demo_pg": free_port(), "redis": free_port()}
    yield home, ports
    for line in leftovers(home, ports):  # never leave a server behind, even when the test failed
        pid = int(line.split(":")[0]) if line[0].isdigit() else None
        if pid:
            os.kill(pid, signal.SIGKILL)


def history_store(home: Path) -> psycopg.Connection[Any]:
    """A superuser connection to the history store, found the way every dbconsole process finds it."""
    port = recorded_port(home / "pgdata")
    assert port is not None
    return psycopg.connect(host="127.0.0.1", port=port, dbname="dbconsole", user="postgres",
                           password=(home / "pgdata.password").read_text().strip(), autocommit=True)


def demo_database(home: Path) -> psycopg.Connection[Any]:
    own = sorted(home.glob("demo-pg*/PG_VERSION"))
    datadir = own[0].parent if own else home / "pgdata"
    port = recorded_port(datadir)
    assert port is not None
    return psycopg.connect(host="127.0.0.1", port=port, dbname="demo", user="postgres",
                           password=(home / f"{datadir.name}.password").read_text().strip(), autocommit=True)


def eventually(probe: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(2)
    raise AssertionError(f"{what}: not within {timeout:.0f}s")


def service_processes(home: Path, redis_port: int) -> dict[int, tuple[str, int]]:
    """Every process of this stack but the supervisor: pid → (command line, real uid)."""
    found = {}
    for proc in psutil.process_iter(["pid", "cmdline", "environ", "uids"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            environ = proc.info["environ"] or {}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        # redis-server writes its title over its environment: known by its address instead.
        ours = environ.get("DBCONSOLE_HOME") == str(home) or f"redis-server 127.0.0.1:{redis_port}" in cmdline
        if ours and "dbconsole.embedded.run" not in cmdline:
            found[proc.info["pid"]] = (cmdline, proc.info["uids"].real)
    return found


def explain_a_demo_statement(opener: urllib.request.OpenerDirector, port: int, home: Path) -> str:
    """The query page's EXPLAIN button for the demo's "my orders" statement, posted as an operator would."""
    def orders_statement() -> int | None:
        with history_store(home) as conn:
            row = conn.execute(
                "SELECT s.seq FROM monitoring_statement AS s JOIN monitoring_querytext AS q ON q.id = s.text_id "
                "JOIN monitoring_target AS t ON t.id = s.target_id "
                "WHERE t.name = 'demo' AND q.text LIKE '%FROM orders WHERE user_id%' LIMIT 1"
            ).fetchone()
        return row[0] if row else None

    seq = eventually(orders_statement, 120, "the demo's orders statement in the history")
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/t/demo/explain/?statement={seq}").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    text = re.search(r'<textarea[^>]*name="sql"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert token is not None and text is not None, page[-2000:]
    sql = html.unescape(text.group(1)).strip()
    assert "FROM orders WHERE user_id" in sql
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "sql": sql, "normalized": "on"}).encode()
    request = urllib.request.Request(f"{base}/t/demo/explain/run/", data=data, headers={"Referer": f"{base}/"})
    return str(opener.open(request).read().decode())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as r:
        yield r


def test_it_starts_everything_serves_a_live_demo_and_stops_cleanly(stack_home: tuple[Path, dict[str, int]],
                                                                   receiver: Receiver) -> None:
    home, ports = stack_home
    # Something holds the configured store port at the first start: the store must go elsewhere, and
    # bootstrap, the workers and the web server must all follow it there.
    blocker = socket.create_server(("127.0.0.1", ports["pg"]))
    stack = start_stack(home, ports)
    try:
        password_line = stack.wait_for(r"admin password: \S+", timeout=240)
        ready = stack.wait_for(r"ready in [\d.]+s", timeout=240)
        blocker.close()
        password = password_line.split("admin password: ")[1].split()[0]
        assert (home / "admin-password").read_text().strip() == password
        assert oct((home / "admin-password").stat().st_mode & 0o777) == "0o600"

        stack.wait_for(rf"port {ports['pg']} \(DBCONSOLE_PG_PORT\) is taken", timeout=1)
        store_port = recorded_port(home / "pgdata")
        assert store_port and store_port != ports["pg"]
        ports["store"] = store_port  # leftovers() checks it too
        stack.wait_for(rf"PostgreSQL 18 on 127.0.0.1:{store_port} \(history store\)", timeout=1)
        bindir = hypopg_bindir()
        if bindir is not None:  # the demo gets its own cluster, with HypoPG
            stack.wait_for(rf"demo database on PostgreSQL {bindir.parent.name} with HypoPG, "
                           rf"127.0.0.1:{ports['demo_pg']}", timeout=1)

        # Collected while bootstrap ran, before any worker: the planted bloat (estimated, now that
        # pg_stats is readable, and measured) and the 93 % sequence, readable by the monitoring role.
        with history_store(home) as conn:
            inventory = conn.execute(
                "SELECT r.seq FROM monitoring_relation AS r JOIN monitoring_target AS t ON t.id = r.target_id "
                "WHERE t.name = 'demo' AND r.name = 'inventory'").fetchone()
            assert inventory is not None
            first_bloat = conn.execute(
                "SELECT b.seqs, b.est_bloat_bytes, b.exact_seqs, b.exact_bloat_bytes FROM monitoring_bloat_raw AS b "
                "JOIN monitoring_target AS t ON t.id = b.target_id WHERE t.name = 'demo' "
                "ORDER BY b.captured_at LIMIT 1").fetchone()
            sequences = conn.execute(
                "SELECT s.sequences FROM monitoring_sequencesnapshot AS s JOIN monitoring_target AS t "
                "ON t.id = s.target_id WHERE t.name = 'demo' ORDER BY s.captured_at LIMIT 1").fetchone()
        assert first_bloat is not None, "no bloat collection at first start"
        seqs, est, exact_seqs, exact = first_bloat
        assert est[seqs.index(inventory[0])] > 1_000_000
        assert exact[exact_seqs.index(inventory[0])] > 1_000_000
        assert sequences is not None and all(s["readable"] for s in sequences[0])
        tickets = next(s for s in sequences[0] if s["name"] == "tickets_id_seq")
        assert tickets["percent_used"] > 93

        # The monitoring role has what the README asks for, and still cannot write.
        with demo_database(home) as conn:
            row = conn.execute(
                "SELECT r.rolsuper, pg_has_role('dbconsole_monitor', 'pg_monitor', 'USAGE'), "
                "bool_or(has_table_privilege('dbconsole_monitor', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')) "
                "FROM pg_roles AS r, pg_class AS c "
                "WHERE r.rolname = 'dbconsole_monitor' AND c.relnamespace = 'public'::regnamespace "
                "AND c.relkind = 'r' GROUP BY r.rolsuper").fetchone()
        assert row == (False, True, False)

        # Started as root, nothing but the supervisor runs as root (no Celery superuser warning either).
        expected_uid = pwd.getpwnam(SYSTEM_USER).pw_uid if os.geteuid() == 0 else os.getuid()
        services = service_processes(home, ports["redis"])
        commands = " ".join(cmdline for cmdline, _ in services.values())
        assert commands.count("celery -A dbconsole") == 2 and "gunicorn" in commands and "redis-server" in commands
        assert {uid for _, uid in services.values()} == {expected_uid}, services
        for name in embedded_home.SERVICE_SECRETS:
            assert oct((home / name).stat().st_mode & 0o777) == "0o600", name
            assert (home / name).stat().st_uid == expected_uid, name

        opener = login(ports["web"], password)
        add_webhook(home, ports, receiver)
        overview = opener.open(f"http://127.0.0.1:{ports['web']}/t/demo/").read().decode()
        assert "demo" in overview
        deadline = time.monotonic() + 60
        connections = 0
        while time.monotonic() < deadline and connections < 3:  # the demo workload holds several sessions
            now = opener.open(f"http://127.0.0.1:{ports['web']}/t/demo/now/").read().decode()
            found = re.search(r'data-metric="connections">(\d+) / (100|200)', now)
            connections = int(found.group(1)) if found else 0
            time.sleep(1)
        assert connections >= 3, now

        bearer = check_api(opener, home, ports)

        plan = explain_a_demo_statement(opener, ports["web"], home)
        assert "permission denied" not in plan and 'data-node="' in plan, plan[-3000:]

        # What good looks like: collection, then the advisor's first run, propose the demo's missing
        # index on their own (statements every 30 s on the demo target, the advisor as soon as there
        # is workload) — within two minutes of a first start; checked with HypoPG where it is installed.
        deadline = time.monotonic() + 150
        advice = ""
        while time.monotonic() < deadline and 'data-kind="missing_index"' not in advice:
            time.sleep(5)
            advice = opener.open(f"http://127.0.0.1:{ports['web']}/t/demo/advisor/").read().decode()
        assert 'data-kind="missing_index"' in advice, "\n".join(stack.output[-40:])
        if bindir is not None:
            assert "checked with HypoPG" in advice

        check_lock_chain_alert(opener, ports["web"], receiver, bearer)
        check_headline(opener, ports["web"])

        # The terminal kept to warnings and errors, so the ready line stayed in sight; the logs have it all.
        after_ready = stack.output[stack.output.index(ready) + 1:]
        chatter = [line for line in after_ready if re.match(r"\s*(worker|beat|web|demo) \|.* (INFO|DEBUG) ", line)]
        assert not chatter, chatter[:5]
        worker_log = (home / "logs" / "worker.log").read_text()
        assert "succeeded" in worker_log and "superuser privileges" not in worker_log
        assert "gunicorn.access" in (home / "logs" / "web.log").read_text()
        assert oct((home / "logs").stat().st_mode & 0o777) == "0o700"
    finally:
        blocker.close()
        code = stop_stack(stack)
    assert code == 0, "\n".join(stack.output[-40:])
    assert stack.output[-1].endswith("stopped; nothing left running")
    time.sleep(1)
    assert leftovers(home, ports) == []

    # A second start keeps the history: same admin, same demo target, no new password printed — and
    # the store on the port it was created on, though the configured one is free now.
    second = start_stack(home, ports, hang_up_after=r"ready in [\d.]+s")
    try:
        second.wait_for(r"ready in [\d.]+s", timeout=120)
        second.wait_for(rf"PostgreSQL 18 on 127.0.0.1:{ports['store']} \(history store\)", timeout=1)
        assert not any("admin password:" in line for line in second.output)
        assert not any("first collection" in line for line in second.output)
        opener = login(ports["web"], password)
        fleet = opener.open(f"http://127.0.0.1:{ports['web']}/targets/").read().decode()
        assert "demo" in fleet
    finally:
        # The terminal closed after the ready line (its pipe is gone) and SIGHUP arrives: everything
        # still stops in order, though the supervisor cannot say so.
        second.process.send_signal(signal.SIGHUP)
        assert second.process.wait(timeout=90) == 0
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
