-- expect: column-type-change warning
-- squawk: changing-column-type
-- varchar(20) → text is binary coercible (no rewrite); the lint can't see the old type, so it warns.
SET lock_timeout = '5s';
ALTER TABLE orders ALTER COLUMN status TYPE text;
