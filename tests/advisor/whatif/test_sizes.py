"""Our btree size estimate against real builds: varied key types, distributions, NULLs, several columns,
INCLUDE and partial indexes, within ±25 % — where HypoPG, which ignores deduplication, is off up to 5x."""

from __future__ import annotations

import pytest

from advisor.whatif import IndexSpec
from advisor.whatif.sizes import IndexSizer
from pgsql.workload.catalog import load_catalog
from tests.support.targets import TargetDb
from tests.support.tpch import guarded, run

ROWS = 60_000
TOLERANCE = 0.25
SCHEMA = [
    # Skewed data as applications have it: a few big accounts, most orders 'done', a tenth not deleted.
    "CREATE TABLE sized (id bigint PRIMARY KEY, account_id int, status text, email text, "
    "created_at timestamptz, deleted_at timestamptz, amount numeric(12, 2), sku varchar(24), "
    "token uuid, note text, flag boolean, small smallint)",
    f"INSERT INTO sized SELECT g, (1000 * power(random(), 3))::int, "
    "(ARRAY['done', 'done', 'done', 'done', 'paid', 'sent', 'new', 'void'])[1 + (random() * 7)::int], "
    "'user' || g || '@example.com', timestamptz '2025-01-01' + random() * interval '365 days', "
    "CASE WHEN random() < 0.9 THEN now() END, round((random() * 1000)::numeric, 2), "
    "'SKU-' || lpad((random() * 2000)::int::text, 6, '0'), md5(g::text)::uuid, repeat(md5(g::text), 4), "
    f"random() < 0.2, (random() * 40)::smallint FROM generate_series(1, {ROWS}) g",
    "VACUUM ANALYZE sized",
]
CASES = [
    ("account_id",), ("status",), ("email",), ("created_at",), ("deleted_at",), ("amount",), ("sku",),
    ("token",), ("note",), ("flag",), ("small",), ("account_id", "created_at"), ("status", "account_id"),
    ("small", "flag"), ("sku", "status"),
]


@pytest.fixture
def sized(pg15_db: TargetDb) -> TargetDb:
    run(pg15_db, SCHEMA)
    return pg15_db


def real_size(db: TargetDb, definition: str) -> tuple[int, int]:
    """(built size, HypoPG's estimate) of an index."""
    with db.connect() as conn:
        hypo = conn.execute("SELECT hypopg_relation_size(indexrelid) FROM hypopg_create_index(%s)",
                            (definition,)).fetchone()
        conn.execute("SELECT hypopg_reset()")
        conn.execute(definition.replace("CREATE INDEX ON", "CREATE INDEX probe ON"))
        built = conn.execute("SELECT pg_relation_size('probe')").fetchone()
        conn.execute("DROP INDEX probe")
    assert hypo is not None and built is not None
    return int(built[0]), int(hypo[0])


def test_it_estimates_built_btree_sizes_within_a_quarter(sized: TargetDb) -> None:
    with guarded(sized) as conn:
        table = next(iter(load_catalog(conn, ["sized"]).tables.values()))
    sizer = IndexSizer(lambda table, where: None, lambda spec: None)
    specs = [IndexSpec(table=table, columns=cols) for cols in CASES]
    specs.append(IndexSpec(table=table, columns=("account_id",), include=("email",)))
    specs.append(IndexSpec(table=table, columns=("account_id",), where="deleted_at IS NULL",
                           expression_columns=("deleted_at",)))
    report = []
    hypopg_worst = 0.0
    for spec in specs:
        built, hypo = real_size(sized, spec.create_sql())
        estimate = sizer.size(spec)
        ratio = estimate.bytes / built
        hypopg_worst = max(hypopg_worst, hypo / built)
        report.append(f"{spec.label()}: built {built}, estimated {estimate.bytes} ({ratio:.2f}), HypoPG {hypo}")
        assert 1 - TOLERANCE <= ratio <= 1 + TOLERANCE, "\n".join(report)
    # The data is skewed enough for deduplication to matter: HypoPG's figure is far off somewhere.
    assert hypopg_worst > 2.0, "\n".join(report)
    assert "deduplicated" in sizer.size(specs[0]).source and "no deduplication" in sizer.size(specs[2]).source
    assert "from null_frac" in sizer.size(specs[-1]).source
