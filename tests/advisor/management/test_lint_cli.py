"""manage.py lint-migration: text and JSON output, stdin, and exit codes a CI job can rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[3]
BAD = ROOT / "tests/advisor/corpus/bad"
SAFE = ROOT / "tests/advisor/corpus/safe"


def lint(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dbconsole.settings"}
    return subprocess.run([sys.executable, "manage.py", "lint-migration", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120, check=False)


def test_it_prints_locks_and_findings_and_fails_on_critical() -> None:
    result = lint(str(BAD / "create_index_not_concurrent.sql"))
    assert result.returncode == 2, result.stderr
    assert "create_index_not_concurrent.sql:4: CREATE INDEX orders_customer_id_idx" in result.stdout
    assert "lock  SHARE on orders (CREATE INDEX) — blocks writes (INSERT/UPDATE/DELETE); reads continue" \
        in result.stdout
    assert "CRITICAL create-index-not-concurrent" in result.stdout
    assert "instead: CREATE INDEX CONCURRENTLY IF NOT EXISTS" in result.stdout
    assert "findings at or above critical" in result.stderr


def test_it_fails_on_warnings_only_when_asked() -> None:
    path = str(BAD / "drop_column.sql")
    assert lint(path).returncode == 0
    assert lint(path, "--fail-on", "warning").returncode == 2


def test_it_passes_a_safe_migration() -> None:
    result = lint(str(SAFE / "add_foreign_key_in_two_steps.sql"), "--fail-on", "warning")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 critical, 0 warning" in result.stdout


def test_it_reads_stdin_and_prints_json() -> None:
    result = lint("-", "--format", "json", stdin="BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;\n")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["worst"] == "critical"
    (build,) = [s for s in report["statements"] if s["kind"] == "Index"]
    assert build["line"] == 2 and build["in_transaction"] is True
    assert [f["rule"] for f in build["findings"]] == ["concurrently-in-transaction"]


def test_it_honours_in_transaction() -> None:
    sql = "VACUUM t;\n"
    assert lint("-", stdin=sql).returncode == 0
    assert lint("-", "--in-transaction", stdin=sql).returncode == 2


def test_it_reports_a_missing_file_as_an_error() -> None:
    result = lint("no/such/file.sql")
    assert result.returncode == 1 and "cannot read no/such/file.sql" in result.stderr
