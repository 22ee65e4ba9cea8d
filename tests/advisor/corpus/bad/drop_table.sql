-- expect: drop-table warning
SET lock_timeout = '5s';
DROP MATERIALIZED VIEW order_totals;
DROP TABLE orders;
