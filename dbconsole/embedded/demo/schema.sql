/* dbconsole demo: an app-like schema with problems planted on purpose.
   Each problem is named in a comment; the dashboards and the advisor should find every one.
   Also planted, by the absence of an index: users.email and events.user_id, looked up constantly by
   the workload (see workload.py). Runs as the demo_app role in the demo database. */

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    country char(2) NOT NULL,
    last_login_ip inet,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id bigserial PRIMARY KEY,
    sku text NOT NULL,
    title text NOT NULL,
    price_cents int NOT NULL,
    category text NOT NULL
);

CREATE TABLE inventory (
    product_id bigint PRIMARY KEY REFERENCES products (id),
    in_stock int NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),   -- planted: foreign key without a supporting index
    status text NOT NULL,
    total_cents int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders (id),
    product_id bigint NOT NULL REFERENCES products (id),
    quantity int NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE events (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- planted: an int4 sequence close to overflow (93% of 2^31 - 1 used)
CREATE TABLE tickets (
    id serial PRIMARY KEY,
    subject text NOT NULL,
    opened_at timestamptz NOT NULL DEFAULT now()
);
SELECT setval('tickets_id_seq', 2000000000);

INSERT INTO users (email, name, country, last_login_ip, created_at)
SELECT 'user' || g || '@example.com', 'User ' || g,
       (ARRAY['DE', 'FR', 'US', 'GB', 'JP', 'BR', 'IN'])[1 + g % 7],
       ('10.' || (g % 250) || '.' || (g % 200) || '.' || (g % 199))::inet,
       now() - (g % 900) * interval '1 day'
FROM generate_series(1, 50000) AS g;

INSERT INTO products (sku, title, price_cents, category)
SELECT 'SKU-' || lpad(g::text, 6, '0'), 'Product ' || g, 100 + (g * 37) % 20000,
       (ARRAY['books', 'games', 'garden', 'kitchen', 'tools', 'toys'])[1 + g % 6]
FROM generate_series(1, 5000) AS g;

INSERT INTO inventory (product_id, in_stock)
SELECT id, 10 + id % 500 FROM products;

INSERT INTO orders (user_id, status, total_cents, created_at)
SELECT 1 + (g::bigint * 7919) % 50000,
       (ARRAY['new', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + g % 5],
       500 + (g * 13) % 50000,
       now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second'
FROM generate_series(1, 200000) AS g;

INSERT INTO order_items (order_id, product_id, quantity)
SELECT o.id, 1 + (o.id * 7 + k * 1999) % 5000, k
FROM orders AS o, generate_series(1, 2) AS k;

INSERT INTO events (user_id, kind, payload, created_at)
SELECT 1 + (g::bigint * 104729) % 50000,
       (ARRAY['login', 'view', 'search', 'add_to_cart', 'checkout'])[1 + g % 5],
       jsonb_build_object('n', g),
       now() - (g % 30) * interval '1 day' - (g % 86400) * interval '1 second'
FROM generate_series(1, 300000) AS g;

-- planted: a duplicate index (same column twice) and an unused index
CREATE INDEX products_sku_idx ON products (sku);
CREATE INDEX products_sku_lookup_idx ON products (sku);
CREATE INDEX users_last_login_ip_idx ON users (last_login_ip);

-- planted: a hot table whose dead tuples outrun autovacuum (autovacuum switched off for it); the index on
-- updated_at makes every update non-HOT, so the table and its indexes bloat instead of pruning in place
CREATE INDEX inventory_updated_at_idx ON inventory (updated_at);
ALTER TABLE inventory SET (autovacuum_enabled = false);
-- ... and the bloat the churn would need a quarter of an hour to build is there from the first bloat
-- collection: twenty rounds of non-HOT stock updates leave twenty dead versions of every row.
DO $$
BEGIN
    FOR round IN 1..20 LOOP
        UPDATE inventory SET in_stock = in_stock + 1, updated_at = updated_at + interval '1 second';
    END LOOP;
END
$$;

ANALYZE;
