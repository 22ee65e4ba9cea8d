-- expect: check-without-not-valid critical
-- squawk: constraint-missing-not-valid
SET lock_timeout = '5s';
ALTER TABLE orders ADD CONSTRAINT quantity_positive CHECK (quantity > 0);
