"""The star schema's data, generated in SQL with a fixed seed, on a PostgreSQL 15 cluster we keep.

Dates span 1995 to 2014 (sales fall in 1998 to 2003); popular items and customers sell more (``random()^k``).
``--scale 1`` holds 3 M store sales, 1.5 M catalog and 750 k web sales with a tenth as many returns each,
and 2 M inventory rows — about 0.9 GB.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.common import STATE_DIR, say
from dbconsole.embedded.pgcluster import DEBIAN_PG15_BINDIR, PgCluster

HERE = Path(__file__).resolve().parent
DBNAME = "star"
SETTINGS = {
    "shared_buffers": "'512MB'",
    "work_mem": "'64MB'",
    "max_parallel_workers_per_gather": "0",
    "max_wal_size": "'4GB'",
    "autovacuum": "off",
}
ROWS = {"store_sales": 3_000_000, "catalog_sales": 1_500_000, "web_sales": 750_000, "inventory": 2_000_000,
        "customer": 100_000, "customer_address": 50_000, "item": 20_000}
FIRST_DAY = 2449719  # d_date_sk of 1995-01-01; 1998-01-01 is + 1096
SALES_DAYS = 2191

DATA = """
SELECT setseed(0.23);
INSERT INTO date_dim SELECT {first_day} + g, d, extract(year FROM d)::int, extract(month FROM d)::int,
    extract(day FROM d)::int, extract(quarter FROM d)::int, extract(dow FROM d)::int, 1 + g / 7,
    CASE WHEN extract(doy FROM d)::int IN (1, 185, 359) THEN 'Y' ELSE 'N' END
FROM generate_series(0, 7304) AS g, LATERAL (SELECT date '1995-01-01' + g AS d) AS x;
INSERT INTO time_dim SELECT g, g / 60, g % 60,
    (ARRAY['first', 'second', 'third'])[1 + g / 480], CASE WHEN g / 60 IN (7, 12, 19) THEN 'meal' END
FROM generate_series(0, 1439) AS g;
INSERT INTO item SELECT g, 'ITEM' || lpad(g::text, 10, '0'),
    (ARRAY['Books', 'Electronics', 'Home', 'Jewelry', 'Men', 'Music', 'Shoes', 'Sports', 'Women',
           'Children'])[1 + g % 10],
    'class' || (g % 97), 'brand #' || (g % 311), 1 + g % 1000,
    (ARRAY['red', 'blue', 'green', 'black', 'white', 'pink', 'olive', 'navy'])[1 + g % 8],
    (ARRAY['small', 'medium', 'large', 'extra large', 'petite'])[1 + g % 5], round((1 + random() * 99)::numeric, 2),
    'product ' || g
FROM generate_series(1, {item}) AS g;
INSERT INTO customer_address SELECT g,
    (ARRAY['TX', 'CA', 'NY', 'GA', 'IL', 'OH', 'WA', 'FL', 'MI', 'NC', 'KY', 'VA'])
        [1 + floor(12 * power(random(), 2))::int],
    'city ' || (g % 700), 'county ' || (g % 300), lpad((g % 99999)::text, 5, '0'), 'United States',
    (ARRAY[-5, -6, -7, -8])[1 + g % 4]
FROM generate_series(1, {customer_address}) AS g;
INSERT INTO customer_demographics SELECT g, (ARRAY['M', 'F'])[1 + g % 2], (ARRAY['M', 'S', 'D', 'W', 'U'])[1 + g % 5],
    (ARRAY['Primary', 'Secondary', 'College', '2 yr Degree', '4 yr Degree', 'Advanced Degree'])[1 + g % 6],
    (ARRAY['Low Risk', 'Good', 'High Risk', 'Unknown'])[1 + g % 4], g % 7
FROM generate_series(1, 20000) AS g;
INSERT INTO income_band SELECT g, (g - 1) * 10000, g * 10000 FROM generate_series(1, 20) AS g;
INSERT INTO household_demographics SELECT g, 1 + g % 20,
    (ARRAY['0-500', '501-1000', '1001-5000', '5001-10000', '>10000', 'Unknown'])[1 + g % 6], g % 10, g % 5
FROM generate_series(1, 7200) AS g;
INSERT INTO customer SELECT g, 'CUST' || lpad(g::text, 10, '0'), 1 + floor({customer_address} * random())::int,
    1 + g % 20000, 1 + g % 7200, 1930 + g % 70, (ARRAY['Y', 'N'])[1 + g % 2], 'name' || (g % 5000),
    'c' || g || '@example.com'
FROM generate_series(1, {customer}) AS g;
INSERT INTO store SELECT g, 'STORE' || g, 'store ' || g, (ARRAY['TN', 'GA', 'AL', 'SD', 'TX'])[1 + g % 5],
    'city ' || (g % 30), 1 + g % 10, 5000000 + g * 1000
FROM generate_series(1, 100) AS g;
INSERT INTO promotion SELECT g, (ARRAY['Y', 'N'])[1 + g % 2], (ARRAY['Y', 'N'])[1 + (g / 2) % 2], 1000 + g,
    'purpose ' || (g % 7)
FROM generate_series(1, 500) AS g;
INSERT INTO warehouse SELECT g, 'warehouse ' || g, (ARRAY['TN', 'GA', 'SD', 'TX'])[1 + g % 4], 50000 + g * 1000
FROM generate_series(1, 20) AS g;
INSERT INTO web_site SELECT g, 'site_' || g, (ARRAY['Unknown', 'large', 'medium'])[1 + g % 3]
FROM generate_series(1, 30) AS g;
INSERT INTO web_page SELECT g, (ARRAY['welcome', 'order', 'feedback', 'general', 'protected', 'ad'])[1 + g % 6],
    1000 + g % 7000 FROM generate_series(1, 2000) AS g;
INSERT INTO call_center SELECT g, 'center ' || g, (ARRAY['small', 'medium', 'large'])[1 + g % 3], 100 * g
FROM generate_series(1, 30) AS g;
INSERT INTO catalog_page SELECT g, 'DEPARTMENT', g % 100 FROM generate_series(1, 10000) AS g;
INSERT INTO ship_mode SELECT g, (ARRAY['EXPRESS', 'NEXT DAY', 'OVERNIGHT', 'REGULAR', 'TWO DAY'])[1 + g % 5],
    'carrier ' || g FROM generate_series(1, 20) AS g;
INSERT INTO reason SELECT g, 'reason ' || g FROM generate_series(1, 50) AS g;
INSERT INTO store_sales SELECT {first_day} + 1096 + floor({sales_days} * random())::int, floor(1440 * random())::int,
    1 + floor({item} * power(random(), 2))::int, 1 + floor({customer} * power(random(), 2))::int,
    1 + floor(20000 * random())::int, 1 + floor(7200 * random())::int,
    1 + floor({customer_address} * random())::int, 1 + floor(100 * random())::int, 1 + floor(500 * random())::int,
    g / 4, 1 + floor(100 * random())::int, round((random() * 200)::numeric, 2), round((random() * 2000)::numeric, 2),
    round(((random() - 0.3) * 500)::numeric, 2)
FROM generate_series(1, {store_sales}) AS g;
INSERT INTO store_returns SELECT ss_sold_date_sk + floor(60 * random())::int, ss_item_sk, ss_customer_sk, ss_store_sk,
    1 + floor(50 * random())::int, ss_ticket_number, 1 + ss_quantity / 4, round(ss_ext_sales_price / 3, 2)
FROM store_sales WHERE random() < 0.1;
INSERT INTO catalog_sales SELECT s, s + floor(90 * random())::int,
    1 + floor({item} * power(random(), 2))::int, 1 + floor({customer} * power(random(), 2))::int,
    1 + floor(20000 * random())::int, 1 + floor(30 * random())::int, 1 + floor(10000 * random())::int,
    1 + floor(20 * random())::int, 1 + floor(20 * random())::int, 1 + floor(500 * random())::int, g / 3,
    1 + floor(100 * random())::int, round((random() * 200)::numeric, 2), round((random() * 2000)::numeric, 2),
    round(((random() - 0.3) * 500)::numeric, 2)
FROM generate_series(1, {catalog_sales}) AS g,
    LATERAL (SELECT {first_day} + 1096 + floor({sales_days} * random())::int + g * 0 AS s) AS x;
INSERT INTO catalog_returns SELECT cs_sold_date_sk + floor(60 * random())::int, cs_item_sk, cs_bill_customer_sk,
    cs_call_center_sk, 1 + floor(50 * random())::int, cs_order_number, 1 + cs_quantity / 4,
    round(cs_ext_sales_price / 3, 2)
FROM catalog_sales WHERE random() < 0.1;
INSERT INTO web_sales SELECT s, floor(1440 * random())::int, s + floor(30 * random())::int,
    1 + floor({item} * power(random(), 2))::int, 1 + floor({customer} * power(random(), 2))::int,
    1 + floor(7200 * random())::int, 1 + floor(2000 * random())::int, 1 + floor(30 * random())::int,
    1 + floor(20 * random())::int, 1 + floor(20 * random())::int, 1 + floor(500 * random())::int, g / 2,
    1 + floor(100 * random())::int, round((random() * 200)::numeric, 2), round((random() * 2000)::numeric, 2),
    round(((random() - 0.3) * 500)::numeric, 2)
FROM generate_series(1, {web_sales}) AS g,
    LATERAL (SELECT {first_day} + 1096 + floor({sales_days} * random())::int + g * 0 AS s) AS x;
INSERT INTO web_returns SELECT ws_sold_date_sk + floor(60 * random())::int, ws_item_sk, ws_bill_customer_sk,
    ws_web_page_sk, 1 + floor(50 * random())::int, ws_order_number, 1 + ws_quantity / 4,
    round(ws_ext_sales_price / 3, 2)
FROM web_sales WHERE random() < 0.1;
INSERT INTO inventory SELECT {first_day} + 1096 + 7 * (g % 313), 1 + (g / 313) % {item}, 1 + g % 20,
    floor(1000 * random())::int
FROM generate_series(1, {inventory}) AS g;
"""


@dataclass(frozen=True)
class StarState:
    scale: float = 1.0

    @property
    def root(self) -> Path:
        return STATE_DIR / f"star-s{self.scale:g}"

    @property
    def cluster(self) -> PgCluster:
        return PgCluster(bindir=DEBIAN_PG15_BINDIR, datadir=self.root / "pg15", conf=SETTINGS)

    @property
    def advisor_password_file(self) -> Path:
        return self.root / "advisor.password"

    def rows(self) -> dict[str, int]:
        return {name: max(10, int(count * self.scale)) for name, count in ROWS.items()}


def load(state: StarState, cluster: PgCluster) -> None:
    marker = state.root / "loaded"
    if marker.exists():
        return
    started = time.monotonic()
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DBNAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DBNAME}")
    with psycopg.connect(cluster.conninfo(DBNAME), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        conn.execute((HERE / "schema.sql").read_text())
        say(f"generating the star schema at scale {state.scale:g}: {state.rows()}")
        values = {**state.rows(), "first_day": FIRST_DAY, "sales_days": SALES_DAYS}
        with conn.transaction():
            for statement in DATA.format(**values).split(";\n"):
                if statement.strip():
                    conn.execute(statement)
        say("VACUUM ANALYZE")
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    marker.write_text("ok\n")
    say(f"loaded the star schema in {time.monotonic() - started:.0f} s")
