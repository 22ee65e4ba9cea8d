-- expect: rename-column warning
-- squawk: renaming-column
SET lock_timeout = '5s';
ALTER TABLE orders RENAME COLUMN note TO remarks;
