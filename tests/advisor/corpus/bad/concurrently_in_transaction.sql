-- expect: concurrently-in-transaction critical
-- squawk: ban-concurrent-index-creation-in-transaction
-- fails: cannot run inside a transaction block
BEGIN;
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
COMMIT;
