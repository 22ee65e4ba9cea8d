-- expect: add-unique-without-index critical
-- squawk: disallowed-unique-constraint
SET lock_timeout = '5s';
ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email);
