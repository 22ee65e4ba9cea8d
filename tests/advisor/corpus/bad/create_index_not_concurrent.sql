-- expect: create-index-not-concurrent critical
-- squawk: require-concurrent-index-creation
SET lock_timeout = '5s';
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
