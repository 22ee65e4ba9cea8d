from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from dbconsole.embedded.pgcluster import free_port
from dbconsole.embedded.redisserver import RedisServer
from dbconsole.models import AuditEvent
from monitoring.models import Target
from tests.support.targets import MONITOR_PASSWORD, TargetDb

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("targets", *args, stdout=out)
    return out.getvalue()


def test_it_adds_checks_lists_and_removes_a_target(target_db: TargetDb) -> None:
    out = run("add", "shop", target_db.dsn())
    assert "added shop" in out
    target = Target.objects.get(name="shop")
    assert target.server_major == target_db.major
    assert MONITOR_PASSWORD not in target.password_encrypted
    assert target.get_password() == MONITOR_PASSWORD

    listing = run("list")
    assert "shop" in listing and f"PG {target_db.major}" in listing
    assert MONITOR_PASSWORD not in listing

    report = run("check", "shop")
    assert f"connected to PostgreSQL {target_db.major}" in report
    assert "has pg_monitor" in report
    assert "pg_stat_statements" in report and "statements tracked" in report
    if target_db.major == 15:
        assert "ok    hypopg" in report
    else:
        assert "hypopg: not available" in report and "postgresql-18-hypopg" in report

    run("remove", "shop")
    assert not Target.objects.filter(name="shop").exists()
    assert list(AuditEvent.objects.order_by("id").values_list("action", "target_name")) == [
        ("target.add", "shop"), ("target.remove", "shop"),
    ]


def test_it_refuses_a_wrong_password_and_saves_nothing(target_db: TargetDb) -> None:
    with pytest.raises(CommandError) as excinfo:
        run("add", "shop", target_db.dsn(password="not-the-password"))
    message = str(excinfo.value)
    assert message.startswith("auth_failed: password authentication failed")
    assert "not-the-password" not in message
    assert "nothing was saved" in message
    assert not Target.objects.exists()


def test_it_reports_an_unreachable_host_in_one_line() -> None:
    with pytest.raises(CommandError) as excinfo:
        run("add", "gone", f"postgresql://u:secret-pw@127.0.0.1:{free_port()}/db")
    message = str(excinfo.value)
    assert message.startswith("unreachable: cannot connect to 127.0.0.1:")
    assert "\n" not in message and "secret-pw" not in message
    assert not Target.objects.exists()


def test_it_recognises_a_silent_server_that_is_not_postgresql(redis_server: RedisServer, settings: Any) -> None:
    settings.TARGET_CONNECT_TIMEOUT_S = 1
    with pytest.raises(CommandError) as excinfo:
        run("add", "redis", f"postgresql://u:pw@127.0.0.1:{redis_server.port}/db?sslmode=disable")
    assert str(excinfo.value).startswith("not_postgres:")


def test_it_recognises_a_talkative_server_that_is_not_postgresql(http_server_port: int) -> None:
    with pytest.raises(CommandError) as excinfo:
        run("add", "web", f"postgresql://u:pw@127.0.0.1:{http_server_port}/db?sslmode=disable")
    assert str(excinfo.value).startswith("not_postgres:")


def test_it_calls_a_server_that_hangs_up_before_answering_unreachable_not_a_stranger(hang_up_port: int) -> None:
    """What a PostgreSQL being stopped or restarted does to a new connection: not "is this PostgreSQL?"."""
    with pytest.raises(CommandError) as excinfo:
        run("add", "stopping", f"postgresql://u:pw@127.0.0.1:{hang_up_port}/db?sslmode=disable")
    message = str(excinfo.value)
    assert message.startswith("unreachable:") and "closed the connection before answering" in message, message
    assert "stopping, restarting or crashing" in message


@pytest.fixture
def http_server_port() -> Iterator[int]:
    """Answers anything with an HTTP error and hangs up, like a web server on the wrong port."""
    yield from _server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def hang_up_port() -> Iterator[int]:
    """Reads the startup packet and closes without a word, like a PostgreSQL shutting down."""
    yield from _server(b"")


def _server(answer: bytes) -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(4096)
                if answer:
                    conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    listener.close()


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        ("", "empty connection string"),
        ("postgresql://:5432/db", "must name a TCP host"),
        ("host=db1 port=abc user=x", "port 'abc' is not a number"),
        ("host=db1 user password=hunter2", "not a valid connection string"),
        ("postgresql://u:hunter2@db1:5432/db?sslmode=sometimes", "sslmode 'sometimes' is not one of"),
        ("postgresql://db1/db", "must name a user"),
    ],
)
def test_it_explains_a_bad_dsn(dsn: str, expected: str) -> None:
    with pytest.raises(CommandError) as excinfo:
        run("add", "bad", dsn)
    assert expected in str(excinfo.value)
    assert "hunter2" not in str(excinfo.value)


def test_it_rejects_a_bad_name_and_a_duplicate(target_db: TargetDb) -> None:
    with pytest.raises(CommandError, match="must be 1-63 characters"):
        run("add", "Bad Name!", target_db.dsn())
    run("add", "shop", target_db.dsn())
    with pytest.raises(CommandError, match="already exists"):
        run("add", "shop", target_db.dsn())


def test_it_discovers_every_connectable_database(target_db: TargetDb) -> None:
    out = run("add", "srv", target_db.dsn(), "--discover")
    names = set(Target.objects.values_list("name", flat=True))
    assert f"srv-{target_db.dbname.replace('_', '-')}" in names
    assert "srv-postgres" in names
    assert "template" not in out


def test_it_names_what_a_role_without_pg_monitor_cannot_see(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE ROLE plain_user LOGIN PASSWORD 'plain-pass'")
    try:
        run("add", "plain", target_db.dsn(user="plain_user", password="plain-pass"))
        report = run("check", "plain")
        assert "lacks pg_monitor" in report and "GRANT pg_monitor TO plain_user;" in report
    finally:
        with target_db.connect() as conn:
            conn.execute("DROP ROLE plain_user")
