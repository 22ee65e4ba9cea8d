-- expect: missing-lock-timeout warning
-- squawk: require-lock-timeout
ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
