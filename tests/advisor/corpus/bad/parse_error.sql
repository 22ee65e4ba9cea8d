-- expect: parse-error critical, create-index-not-concurrent critical
-- fails: syntax error
-- The broken statement is reported; the statements after it are still linted.
SET lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN;
CREATE INDEX orders_note_idx ON orders (note);
