-- expect: add-column-not-null-without-default warning
-- squawk: adding-required-field
-- fails: contains null values
SET lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN region text NOT NULL;
