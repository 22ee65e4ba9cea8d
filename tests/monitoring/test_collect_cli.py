from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from monitoring.models import CollectorStatus
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^collector=(\w+) rows=(\d+) ms=(\d+) status=(.*)$")


def collect(*args: str) -> tuple[list[str], int]:
    out = StringIO()
    try:
        call_command("collect", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return out.getvalue().splitlines(), code


def test_it_runs_every_collector_once_and_prints_one_line_each(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE cli_demo (id serial PRIMARY KEY, v text)")
        conn.execute("CREATE INDEX cli_demo_v ON cli_demo (v)")
        conn.execute("INSERT INTO cli_demo (v) SELECT md5(g::text) FROM generate_series(1, 500) g")
        conn.execute("ANALYZE cli_demo")
    target = target_db.make_target()

    lines, code = collect("--target", target.name, "--once")

    parsed = {m.group(1): m for m in map(LINE.match, lines) if m}
    assert len(parsed) == len(lines) == 9, lines
    assert set(parsed) == {"settings", "database", "activity", "locks", "statements", "relations", "bloat",
                           "replication", "sequences"}
    for name, match in parsed.items():
        assert match.group(4).startswith("ok"), f"{name}: {match.group(0)}"
    assert int(parsed["settings"].group(2)) > 100          # every pg_settings row on the first run
    assert int(parsed["relations"].group(2)) >= 3          # the table, its primary key, its index
    assert int(parsed["sequences"].group(2)) == 1
    assert code == 0
    assert CollectorStatus.objects.filter(target=target, status__in=["ok", "partial"]).count() == 9


def test_it_runs_one_collector_and_reports_an_error_with_its_reason(target_db: TargetDb) -> None:
    target = target_db.make_target()
    target.set_password("not-the-password")
    target.save()

    lines, code = collect("--target", target.name, "--collector", "database", "--once")

    assert len(lines) == 1
    match = LINE.match(lines[0])
    assert match and match.group(1) == "database" and match.group(2) == "0"
    assert match.group(4).startswith("error: auth_failed: password authentication failed")
    assert code == 1
