"""SQL of the live pages, in ``sql/<name>.sql`` or, when it differs by version, ``sql/<name>/<min_major>.sql``.

Same rule as the collectors' SQL (pgwatch's): the file with the highest major ≤ the server's wins.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def load_sql(name: str, major: int | None = None) -> str:
    single = SQL_DIR / f"{name}.sql"
    if single.exists():
        return single.read_text()
    if major is None:
        raise LookupError(f"{name} is versioned: pass the server's major")
    found = sorted((int(p.stem), p) for p in (SQL_DIR / name).glob("*.sql") if p.stem.isdigit())
    chosen = [path for min_major, path in found if min_major <= major]
    if not chosen:
        raise LookupError(f"no SQL for {name} on PostgreSQL {major}")
    return chosen[-1].read_text()
