"""What ``make run``'s processes print: all of it into one capped log file per process, and only what
needs a human — warnings and errors — onto the terminal, so the ready line stays in sight.

Children log at ``DBCONSOLE_LOG_LEVEL`` (INFO) in our format (``time LEVEL logger message``; gunicorn's
``[time] [pid] [LEVEL] message`` and Celery's ``[time: LEVEL/process]`` are recognised too). A line
without a level — a traceback, a banner, a print — belongs to the record before it; a bare traceback
counts as an error and a Python warning as a warning, so a crash is never hidden.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from logging.handlers import RotatingFileHandler
from pathlib import Path

LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING, "ERROR": logging.ERROR,
          "CRITICAL": logging.CRITICAL}
MAX_BYTES = 10 * 1024 * 1024   # per file; with BACKUPS at most 40 MB per process
BACKUPS = 3
TAIL_LINES = 20

# The level right after a prefix of timestamp, brackets and pid, e.g. "2026-12-03 13:18:08,123 INFO …",
# "[2026-12-03 13:18:08 +0000] [4242] [INFO] …", "[2026-12-03 13:18:08,123: INFO/MainProcess] …".
_LEVEL = re.compile(r"^[\d\[\]\-:,.+ T]*?\[?(DEBUG|INFO|WARNING|ERROR|CRITICAL)\]?(?=[\s/:]|$)")
_PY_WARNING = re.compile(r"^\S+:\d+: \w*Warning: ")


class LineLevels:
    """The level of each line of one process's output, in order."""

    def __init__(self, start: int = logging.INFO) -> None:
        self.level = start

    def level_of(self, line: str) -> int:
        found = _LEVEL.match(line)
        if found:
            self.level = LEVELS[found.group(1)]
        elif line.startswith("Traceback (most recent call last)"):
            self.level = logging.ERROR
        elif _PY_WARNING.match(line):
            self.level = logging.WARNING
        return self.level


class ProcessLog:
    """One process's log file (rotated at ``MAX_BYTES``), its recent lines and the terminal filter."""

    def __init__(self, path: Path, terminal_level: int, *, max_bytes: int = MAX_BYTES) -> None:
        self.path = path
        self.terminal_level = terminal_level
        self.levels = LineLevels()
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=BACKUPS, encoding="utf-8")
        self.handler.setFormatter(logging.Formatter("%(message)s"))

    def write(self, line: str) -> bool:
        """Keep ``line``; returns whether it belongs on the terminal."""
        self.tail.append(line)
        self.handler.emit(logging.makeLogRecord({"msg": line}))
        return self.levels.level_of(line) >= self.terminal_level

    def close(self) -> None:
        self.handler.close()
