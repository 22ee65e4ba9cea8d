from __future__ import annotations

import pytest

from monitoring.collectors.runner import run
from monitoring.history.selectors.relations import indexes, tables
from tests.support.targets import MONITOR_ROLE, TargetDb

pytestmark = pytest.mark.django_db

# The estimate works from averages (pg_stats widths, reltuples); on a plain table it should land
# within 10% of the table's size of what pgstattuple measures by reading every page.
TOLERANCE = 0.10


def exact_table_bloat(db: TargetDb, table: str) -> tuple[int, int]:
    """(size, bloat) from the exact pgstattuple(): bytes beyond what the live rows need."""
    with db.connect() as conn:
        row = conn.execute(f"SELECT table_len, tuple_count, tuple_len FROM pgstattuple('{table}')").fetchone()
    assert row is not None
    size, tuples, tuple_len = row
    usable = 8192 - 24
    needed_pages = -(-(tuple_len + 4 * tuples) // usable)
    return size, size - needed_pages * 8192


def test_it_estimates_the_bloat_of_a_half_deleted_table_close_to_pgstattuple(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE swollen (id int PRIMARY KEY, payload text, n int)")
        conn.execute("INSERT INTO swollen SELECT g, md5(g::text) || md5((g * 7)::text), g % 100 "
                     "FROM generate_series(1, 60000) g")
        conn.execute("DELETE FROM swollen WHERE id % 10 < 7")
        conn.execute("VACUUM swollen")
        conn.execute("ANALYZE swollen")
        conn.execute(f"GRANT SELECT ON swollen TO {MONITOR_ROLE}")
    target = target_db.make_target()
    assert run(target, "relations").ok
    result = run(target, "bloat")
    assert result.status == "ok", result.line()

    size, exact = exact_table_bloat(target_db, "swollen")
    row = next(t for t in tables(target.pk) if t.relation.name == "swollen")
    assert exact > 0.6 * size   # the table really is bloated
    assert row.est_bloat_bytes is not None
    assert abs(row.est_bloat_bytes - exact) <= TOLERANCE * size
    assert row.exact_bloat_bytes is not None       # measured by the collector with pgstattuple_approx
    assert abs(row.exact_bloat_bytes - exact) <= TOLERANCE * size

    pkey = next(i for i in indexes(target.pk) if i.relation.name == "swollen_pkey")
    assert pkey.est_bloat_bytes is not None and pkey.exact_bloat_bytes is not None
    assert abs(pkey.est_bloat_bytes - pkey.exact_bloat_bytes) <= TOLERANCE * pkey.bytes


def test_it_says_what_is_missing_when_it_cannot_see_statistics(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE hidden (id int PRIMARY KEY, v text)")
        conn.execute("INSERT INTO hidden SELECT g, 'x' FROM generate_series(1, 5000) g")
        conn.execute("ANALYZE hidden")
        conn.execute("DROP EXTENSION pgstattuple")
    target = target_db.make_target()
    assert run(target, "relations").ok
    result = run(target, "bloat")

    assert result.status == "partial"
    assert "no visible statistics for" in result.reason and "pgstattuple is not installed" in result.reason
    assert "GRANT SELECT" in result.hint and "CREATE EXTENSION pgstattuple" in result.hint
    assert "their bloat is not estimated: public.hidden" in result.reason and "ANALYZE public.hidden;" in result.hint
    row = next(t for t in tables(target.pk) if t.relation.name == "hidden")
    assert row.est_bloat_bytes is None and row.exact_bloat_bytes is None
