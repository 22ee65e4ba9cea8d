-- expect: index-build-statement-timeout warning
SET statement_timeout = '30s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
