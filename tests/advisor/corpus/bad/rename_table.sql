-- expect: rename-table warning
-- squawk: renaming-table
SET lock_timeout = '5s';
ALTER TABLE orders RENAME TO purchases;
