"""make run's terminal shows warnings and errors of its processes; their log files keep everything."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from dbconsole.embedded.logs import BACKUPS, LineLevels, ProcessLog

# Lines as the processes print them (copied from a make run).
OURS_INFO = "2026-12-03 13:32:12,582 INFO celery.app.trace Task monitoring.dispatch[5673d412] succeeded in 0.02s: 2"
OURS_ERROR = "2026-12-03 13:32:12,600 ERROR celery.app.trace Task monitoring.collect[1] raised unexpected: KeyError"
GUNICORN_INFO = "[2026-12-03 13:30:45 +0000] [8828] [INFO] Listening at: http://127.0.0.1:18801 (8828)"
GUNICORN_WARNING = "[2026-12-03 13:31:45 +0000] [8828] [WARNING] Worker with pid 8840 was terminated due to signal 9"
CELERY_NATIVE = "[2026-12-03 13:30:47,374: WARNING/MainProcess] consumer: Connection to broker lost."
ACCESS = 'INFO gunicorn.access 127.0.0.1 "GET /accounts/login/ HTTP/1.1" 200 1302 1415ms'


@pytest.mark.parametrize(("line", "level"), [
    (OURS_INFO, logging.INFO), (OURS_ERROR, logging.ERROR), (GUNICORN_INFO, logging.INFO),
    (GUNICORN_WARNING, logging.WARNING), (CELERY_NATIVE, logging.WARNING), (ACCESS, logging.INFO),
])
def test_it_reads_the_level_of_each_log_format(line: str, level: int) -> None:
    assert LineLevels().level_of(line) == level


def test_it_gives_lines_without_a_level_the_level_of_the_record_they_continue() -> None:
    levels = LineLevels()
    assert levels.level_of(" -------------- worker@vm v5.7.0 (collider)") == logging.INFO  # banner
    assert levels.level_of(OURS_ERROR) == logging.ERROR
    assert levels.level_of('  File "/work/monitoring/tasks.py", line 42, in collect') == logging.ERROR
    assert levels.level_of("KeyError: 'INFO'") == logging.ERROR
    assert levels.level_of(OURS_INFO) == logging.INFO
    assert levels.level_of("    . broker -> redis://:**@127.0.0.1:18804/0") == logging.INFO


def test_it_never_hides_a_crash_or_a_python_warning() -> None:
    levels = LineLevels()
    assert levels.level_of(OURS_INFO) == logging.INFO
    assert levels.level_of("Traceback (most recent call last):") == logging.ERROR
    assert levels.level_of('  File "<frozen runpy>", line 198, in _run_module_as_main') == logging.ERROR
    assert levels.level_of(OURS_INFO) == logging.INFO
    warning = "/work/.venv/lib/python3.11/site-packages/celery/platforms.py:841: SecurityWarning: You're running"
    assert levels.level_of(warning) == logging.WARNING


def test_it_keeps_everything_in_the_file_and_passes_only_warnings_on(tmp_path: Path) -> None:
    log = ProcessLog(tmp_path / "worker.log", logging.WARNING)
    shown = [line for line in (OURS_INFO, "100% done", GUNICORN_WARNING, ACCESS) if log.write(line)]
    log.close()
    assert shown == [GUNICORN_WARNING]
    assert (tmp_path / "worker.log").read_text().splitlines() == [OURS_INFO, "100% done", GUNICORN_WARNING, ACCESS]
    assert list(log.tail)[-1] == ACCESS


def test_it_caps_the_file_by_rotating_it(tmp_path: Path) -> None:
    log = ProcessLog(tmp_path / "web.log", logging.WARNING, max_bytes=4096)
    for _ in range(1000):
        log.write(ACCESS)
    log.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["web.log", *(f"web.log.{n}" for n in range(1, BACKUPS + 1))]
    assert all(p.stat().st_size <= 4096 for p in tmp_path.iterdir())
