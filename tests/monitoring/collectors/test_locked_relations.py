"""One lock never blinds a collector: with a table under ACCESS EXCLUSIVE (what the root of a lock chain
or a migration holds), the relations and bloat collections still succeed for every relation, skip only
what the lock hides, and say which relation that was."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from monitoring.collectors.runner import run
from monitoring.history.selectors.relations import indexes, tables
from monitoring.models import Relation
from monitoring.pgstats.relations import read_relations
from tests.support.targets import MONITOR_ROLE, TargetDb

pytestmark = pytest.mark.django_db


def plant(db: TargetDb) -> None:
    with db.connect() as conn:
        conn.execute('CREATE TABLE "Ledger" (id int PRIMARY KEY, account text, amount numeric, CHECK (amount <> 0))')
        conn.execute('CREATE INDEX ledger_account_lower ON "Ledger" (lower(account)) WHERE amount > 0')
        conn.execute("""INSERT INTO "Ledger" SELECT g, 'acct-' || (g % 500), g FROM generate_series(1, 40000) g""")
        conn.execute("CREATE TABLE customers (id int PRIMARY KEY, email text)")
        conn.execute("CREATE INDEX customers_email ON customers (email)")
        conn.execute("INSERT INTO customers SELECT g, 'c' || g || '@example.org' FROM generate_series(1, 2000) g")
        conn.execute("ANALYZE")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {MONITOR_ROLE}")


@contextlib.contextmanager
def access_exclusive(db: TargetDb, table: str) -> Iterator[psycopg.Connection[Any]]:
    """Another session holds ACCESS EXCLUSIVE on ``table`` in an open transaction."""
    holder = psycopg.connect(db.cluster.conninfo(db.dbname), application_name="migration")
    holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    try:
        yield holder
    finally:
        holder.rollback()
        holder.close()


def test_it_collects_every_relation_and_names_the_locked_one(target_db: TargetDb) -> None:
    plant(target_db)
    target = target_db.make_target()
    assert run(target, "relations").status == "ok"        # definitions known before the lock
    with access_exclusive(target_db, '"Ledger"'):
        result = run(target, "relations")
        # A size function (pg_relation_size) or a deparser (pg_get_indexdef) would wait here until
        # lock_timeout and fail the whole collection; the reader takes no relation lock instead.
        assert result.status == "partial", result.line()
        assert "index definitions of 1 locked table(s) not read: public.Ledger" in result.reason
        assert result.rows >= 4

    by_name = {t.relation.name: t for t in tables(target.pk)}
    assert by_name["Ledger"].values["heap_bytes"] > 1_000_000       # sized from the catalog although it was locked
    assert by_name["customers"].values["heap_bytes"] > 0
    stored = {r.name: r for r in Relation.objects.filter(target=target, dropped_at__isnull=True)}
    # The definition read before the lock is kept, not blanked by the run that could not read it.
    assert stored["ledger_account_lower"].definition.startswith("CREATE INDEX ledger_account_lower")
    assert stored["ledger_account_lower"].predicate == "amount > 0::numeric"
    assert stored["ledger_account_lower"].key_columns == ["lower(account)"]
    assert stored["customers_email"].key_columns == ["email"]
    assert {i.relation.name for i in indexes(target.pk)} >= {"Ledger_pkey", "ledger_account_lower", "customers_email"}

    assert run(target, "relations").status == "ok"        # the lock is gone: whole again


def test_it_reads_definitions_of_unlocked_indexes_while_one_table_is_locked(target_db: TargetDb) -> None:
    plant(target_db)
    with access_exclusive(target_db, '"Ledger"'), psycopg.connect(
            target_db.dsn(), autocommit=True, options="-c lock_timeout=200") as conn:
        snapshot = read_relations(conn, target_db.major)
    found = {i.name: i for i in snapshot.indexes}
    assert found["customers_email"].definition == "CREATE INDEX customers_email ON public.customers USING btree (email)"
    assert found["ledger_account_lower"].definition is None and found["Ledger_pkey"].key_columns is None
    assert snapshot.unread == ("public.Ledger",) and not snapshot.definitions_failed


def test_it_is_new_indexes_on_a_locked_table_that_wait_for_their_definition(target_db: TargetDb) -> None:
    """An index first seen while its table is locked is stored without a definition, then completed."""
    plant(target_db)
    target = target_db.make_target()
    with access_exclusive(target_db, '"Ledger"'):
        assert run(target, "relations").status == "partial"
    first = Relation.objects.get(target=target, name="ledger_account_lower")
    assert first.definition == "" and first.key_columns == []
    assert run(target, "relations").status == "ok"
    first.refresh_from_db()
    assert first.definition.startswith("CREATE INDEX") and first.key_columns == ["lower(account)"]


def test_it_measures_bloat_of_every_other_relation_and_names_the_locked_one(target_db: TargetDb) -> None:
    plant(target_db)
    target = target_db.make_target()
    assert run(target, "relations").ok
    with access_exclusive(target_db, '"Ledger"'):
        result = run(target, "bloat")
    assert result.status == "partial", result.line()
    assert "exact bloat skipped for 1 relation(s) (locked or timed out): public.Ledger" in result.reason
    by_name = {t.relation.name: t for t in tables(target.pk)}
    assert by_name["customers"].exact_bloat_bytes is not None           # measured
    assert by_name["Ledger"].exact_bloat_bytes is None                  # skipped, not waited for
    assert by_name["Ledger"].est_bloat_bytes is not None                # estimated from the catalog anyway
