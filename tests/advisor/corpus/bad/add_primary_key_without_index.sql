-- expect: add-primary-key-without-index critical
-- squawk: adding-serial-primary-key-field
SET lock_timeout = '5s';
ALTER TABLE customers DROP CONSTRAINT customers_pkey, ADD PRIMARY KEY (id);
