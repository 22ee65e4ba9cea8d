-- expect: volatile-default critical
SET lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN sample_weight double precision DEFAULT random();
