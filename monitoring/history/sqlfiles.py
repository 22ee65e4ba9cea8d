"""SQL of the history store, kept in ``history/sql/<family>/<name>.sql`` like the collectors' SQL."""

from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "sql"


@cache
def load(name: str) -> str:
    """``load("statements/rollup_hour")``"""
    return (ROOT / f"{name}.sql").read_text()
