-- expect: drop-column warning
-- squawk: ban-drop-column
SET lock_timeout = '5s';
ALTER TABLE orders DROP COLUMN legacy_code;
