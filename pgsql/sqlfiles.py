"""The one loader of SQL kept in ``.sql`` files.

A folder of SQL holds either plain files (``<name>.sql``) or, when the text differs by server version,
a folder per query with one file per lowest supported major (``<name>/<min_major>.sql``). As pgwatch
does, the file with the highest major ≤ the server's wins, so a renamed column (``blk_read_time`` →
``shared_blk_read_time``) lives in its own file and never in a string template.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


class NoSqlForVersion(LookupError):
    """No file of a versioned query supports the server's major (it is older than the oldest key)."""


class SqlDir:
    """SQL files below one folder; ``SqlDir(__file__)`` means the ``sql/`` folder beside a module."""

    def __init__(self, anchor: str | Path, folder: str = "sql") -> None:
        base = Path(anchor).resolve()
        self.root = (base.parent if base.is_file() or base.suffix == ".py" else base) / folder

    def load(self, name: str, major: int | None = None) -> str:
        """The text of ``name``: a plain file when one exists, else the version picked for ``major``."""
        return _load(self.root, name, major)

    def versions(self, name: str) -> tuple[tuple[int, Path], ...]:
        """Every ``(min_major, path)`` of a versioned query, oldest first."""
        return _versions(self.root, name)


@cache
def _versions(root: Path, name: str) -> tuple[tuple[int, Path], ...]:
    folder = root / name
    found = sorted((int(p.stem), p) for p in folder.glob("*.sql") if p.stem.isdigit())
    if not found:
        raise NoSqlForVersion(f"no SQL files in {folder}")
    return tuple(found)


@cache
def _load(root: Path, name: str, major: int | None) -> str:
    single = root / f"{name}.sql"
    if single.is_file():
        return single.read_text(encoding="utf-8")
    if major is None:
        raise LookupError(f"{name} is versioned: pass the server's major")
    chosen = [path for min_major, path in _versions(root, name) if min_major <= major]
    if not chosen:
        oldest = _versions(root, name)[0][0]
        raise NoSqlForVersion(f"{name} needs PostgreSQL {oldest} or newer (server: {major})")
    return chosen[-1].read_text(encoding="utf-8")
