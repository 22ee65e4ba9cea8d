-- expect: refresh-materialized-view warning
SET lock_timeout = '5s';
REFRESH MATERIALIZED VIEW order_totals;
