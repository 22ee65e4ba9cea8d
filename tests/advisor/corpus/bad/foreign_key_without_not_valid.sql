-- expect: foreign-key-without-not-valid critical
-- squawk: adding-foreign-key-constraint
SET lock_timeout = '5s';
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
