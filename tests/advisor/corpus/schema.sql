-- The tables the corpus migrations are written against (tests run each bad migration on it).
CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (
    id integer PRIMARY KEY,
    customer_id integer,
    status varchar(20),
    note text,
    legacy_code text,
    quantity integer
);
CREATE INDEX orders_status_idx ON orders (status);
CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id;
INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 100) g;
INSERT INTO orders SELECT g, 1 + g % 100, 'new', NULL, 'x', 1 FROM generate_series(1, 500) g;
