"""A small shop with planted problems for the advisor's rule tests, and a clean one with none.

Each problem is as small as it can be while still past the rules' documented thresholds, so the
tests stay fast and prove the product's defaults (nothing is tuned for the test):

* ``orders.customer_id`` — 60,000 orders looked up by customer, no index: a missing index behind a
  slow query;
* ``order_lines.order_id`` — joined from orders on every order page, no index: a join needing one;
* ``payments.order_id`` — a foreign key to orders with no supporting index and no query using it;
* ``products_sku_dup`` — an exact duplicate of ``products_sku_idx``;
* ``customers_last_login_idx`` — never used by any query;
* ``events_log`` — 150,000 rows, 80 % deleted and vacuumed: a bloated table and a bloated index;
* ``stock`` — autovacuum disabled, every row updated twice: dead tuples nobody removes;
* ``tickets_id_seq`` — an int4 serial at 93 % of its range;
* ``payments_amount_positive`` — a CHECK constraint added NOT VALID;
* ``customers_email_key_broken`` — a unique index whose concurrent build failed: invalid.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from advisor.models import Recommendation
from advisor.review.run import RunOutcome, run_advisor
from dbconsole.models import AuditEvent
from monitoring.collectors import load_all
from monitoring.collectors.runner import run as run_collector
from monitoring.models import Target
from tests.advisor.history_clock import age_history
from tests.support.targets import MONITOR_ROLE, TargetDb, fresh_database

COLLECTORS = ("settings", "database", "activity", "statements", "relations", "bloat", "sequences")

SCHEMA = """
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    last_login timestamptz
);
CREATE INDEX customers_last_login_idx ON customers (last_login);
CREATE TABLE products (id serial PRIMARY KEY, sku text NOT NULL, title text NOT NULL);
CREATE INDEX products_sku_idx ON products (sku);
CREATE INDEX products_sku_dup ON products (sku);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status text NOT NULL,
    total_cents int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE order_lines (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL,
    product_id int NOT NULL,
    qty int NOT NULL
);
CREATE TABLE payments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id),
    amount_cents int NOT NULL
);
ALTER TABLE payments ADD CONSTRAINT payments_amount_positive CHECK (amount_cents > 0) NOT VALID;
CREATE TABLE events_log (id bigint PRIMARY KEY, kind text NOT NULL, payload text NOT NULL);
CREATE TABLE stock (product_id int PRIMARY KEY, qty int NOT NULL) WITH (autovacuum_enabled = false);
CREATE TABLE tickets (id serial PRIMARY KEY, subject text NOT NULL);

INSERT INTO customers (email, name, last_login)
    SELECT 'c' || g || '@example.com', 'Customer ' || g, now() - g * interval '1 minute'
    FROM generate_series(1, 6000) g;
INSERT INTO products (sku, title) SELECT 'SKU-' || g, 'Product ' || g FROM generate_series(1, 2000) g;
INSERT INTO orders (customer_id, status, total_cents)
    SELECT 1 + (g * 7919) % 6000, (ARRAY['new', 'paid', 'shipped'])[1 + g % 3], 100 + g % 9000
    FROM generate_series(1, 60000) g;
INSERT INTO order_lines (order_id, product_id, qty)
    SELECT 1 + g % 60000, 1 + g % 2000, 1 + g % 4 FROM generate_series(1, 120000) g;
INSERT INTO payments (order_id, amount_cents) SELECT g, 100 + g % 500 FROM generate_series(1, 20000) g;
INSERT INTO events_log SELECT g, 'kind' || g % 10, repeat('x', 40) FROM generate_series(1, 150000) g;
INSERT INTO stock SELECT g, 100 FROM generate_series(1, 20000) g;
INSERT INTO tickets (subject) SELECT 'ticket ' || g FROM generate_series(1, 10) g;
SELECT setval('tickets_id_seq', 2000000000);
"""

# Run after the first collection, so the bloat and the dead tuples are in the window; one by one
# (VACUUM cannot run in the implicit transaction of a multi-statement string).
CHANGES = (
    "DELETE FROM events_log WHERE id % 5 <> 0",
    # The DELETE's dead-tuple count must reach the statistics before VACUUM reports what it left, or
    # it lands after (stats are flushed at most once a second) and the table looks never vacuumed.
    "SELECT pg_stat_force_next_flush()",
    "VACUUM events_log",
    "UPDATE stock SET qty = qty - 1",
    "UPDATE stock SET qty = qty + 1",
    "ANALYZE",
)

CLEAN_SCHEMA = """
CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE,
                       plan text NOT NULL);
CREATE TABLE invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    amount_cents int NOT NULL CHECK (amount_cents >= 0)
);
CREATE INDEX invoices_account_id_idx ON invoices (account_id);
INSERT INTO accounts (email, plan) SELECT 'a' || g || '@example.com', 'basic' FROM generate_series(1, 3000) g;
INSERT INTO invoices (account_id, amount_cents) SELECT 1 + g % 3000, g % 1000 FROM generate_series(1, 20000) g;
ANALYZE;
"""


def collect(target: Target, names: tuple[str, ...] = COLLECTORS) -> None:
    """Really collect from the target into the history store, as the scheduled collectors do."""
    load_all()
    for name in names:
        result = run_collector(target, name)
        assert result.ok, result.line()


def shop_workload(conn: psycopg.Connection[Any], rounds: int = 40) -> None:
    """The application's traffic: what makes the missing indexes missing and the used index used."""
    for i in range(rounds):
        conn.execute("SELECT id, status, total_cents FROM orders WHERE customer_id = %s", (1 + i * 37 % 6000,))
        conn.execute("SELECT o.id, l.product_id, l.qty FROM orders o JOIN order_lines l ON l.order_id = o.id "
                     "WHERE o.id = %s", (1 + i * 101 % 60000,))
        conn.execute("SELECT id, title FROM products WHERE sku = %s", (f"SKU-{1 + i % 2000}",))
    conn.execute("INSERT INTO tickets (subject) VALUES ('printer on fire')")


def spill_to_disk(conn: psycopg.Connection[Any], times: int = 12) -> None:
    """Sorts too big for a tiny work_mem: temp files the database statistics count. They read no table,
    so no index could help them (the index advice must not change)."""
    with conn.transaction():
        conn.execute("SET LOCAL work_mem = '64kB'")
        for _ in range(times):
            conn.execute("SELECT count(*) FROM (SELECT g FROM generate_series(1, 200000) AS g ORDER BY random()) AS s")


def force_checkpoints(conn: psycopg.Connection[Any], times: int = 4) -> None:
    for _ in range(times):
        conn.execute("CHECKPOINT")


def leave_invalid_index(conn: psycopg.Connection[Any]) -> None:
    """A unique index whose concurrent build met a duplicate; the duplicate was cleaned up later, the
    INVALID leftover stayed (so its drop can be rolled back by building it again)."""
    conn.execute("INSERT INTO customers (email, name) VALUES ('c1@example.com', 'Twin')")
    with contextlib.suppress(psycopg.errors.UniqueViolation):
        conn.execute("CREATE UNIQUE INDEX CONCURRENTLY customers_email_key_broken ON customers (email)")
    conn.execute("DELETE FROM customers WHERE name = 'Twin'")


def grant_reads(conn: psycopg.Connection[Any]) -> None:
    """What the README asks of a monitoring role the advisor uses, limited to this database: EXPLAIN needs
    SELECT on the tables (HypoPG what-if), reading a sequence's last value needs SELECT on it."""
    conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {MONITOR_ROLE}")
    conn.execute(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {MONITOR_ROLE}")


def plant_shop(db: TargetDb) -> None:
    with db.connect() as conn:
        conn.execute(SCHEMA)
        conn.execute("ANALYZE")
        leave_invalid_index(conn)
        grant_reads(conn)


@dataclass
class Planted:
    """The shop on one target, its history collected, and the advisor's first run on it."""

    db: TargetDb
    target: Target
    outcome: RunOutcome

    def recs(self, kind: str) -> list[Recommendation]:
        return [r for r in self.outcome.recommendations if r.kind == kind]

    def one(self, kind: str, object_key: str) -> Recommendation:
        found = [r for r in self.recs(kind) if r.object_key == object_key]
        assert len(found) == 1, (kind, object_key, [r.object_key for r in self.recs(kind)])
        return found[0]

    def starting(self, kind: str, prefix: str) -> Recommendation:
        found = [r for r in self.recs(kind) if r.object_key.startswith(prefix)]
        assert len(found) == 1, (kind, prefix, [r.object_key for r in self.recs(kind)])
        return found[0]


def forget(target: Target) -> None:
    """Remove what a module-scoped fixture committed, so later tests start from an empty store."""
    AuditEvent.objects.filter(target_name=target.name).delete()
    target.delete()


def planted_shop(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[Planted]:
    """Body of a module-scoped fixture parametrised by major: plant, collect, work, collect, advise.

    The history is moved back in time so the advisor sees what it would after weeks of monitoring:
    the first collection 16 days ago (indexes observed long enough to be called unused), the second
    a day before the workload (a day of checkpoints), the last one after it, two hours ago."""
    cluster = request.getfixturevalue(f"pg{request.param}_cluster")
    with django_db_blocker.unblock():
        for db in fresh_database(cluster, prefix="adv"):
            plant_shop(db)
            target = db.make_target()
            collect(target)
            age_history(target, dt.timedelta(days=15))
            collect(target)
            age_history(target, dt.timedelta(days=1, hours=1))
            with db.connect() as conn:
                for statement in CHANGES:
                    conn.execute(statement)
                shop_workload(conn)
                spill_to_disk(conn)
                force_checkpoints(conn)
            collect(target)
            age_history(target, dt.timedelta(hours=2))   # and two hours later, the hourly rollups ran
            outcome = run_advisor(target, trigger="cli")
            yield Planted(db=db, target=target, outcome=outcome)
            forget(target)
