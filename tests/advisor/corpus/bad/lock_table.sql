-- expect: lock-table warning
BEGIN;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
COMMIT;
