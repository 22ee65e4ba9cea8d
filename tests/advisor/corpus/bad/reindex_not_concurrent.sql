-- expect: reindex-not-concurrent critical
SET lock_timeout = '5s';
REINDEX INDEX orders_status_idx;
