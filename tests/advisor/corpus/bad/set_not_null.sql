-- expect: set-not-null critical
-- squawk: adding-not-nullable-field
SET lock_timeout = '5s';
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
