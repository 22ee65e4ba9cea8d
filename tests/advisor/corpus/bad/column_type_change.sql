-- expect: column-type-change critical
-- squawk: changing-column-type
SET lock_timeout = '5s';
ALTER TABLE orders ALTER COLUMN id TYPE bigint;
