-- expect: drop-index-not-concurrent warning
-- squawk: require-concurrent-index-deletion
SET lock_timeout = '5s';
DROP INDEX orders_status_idx;
