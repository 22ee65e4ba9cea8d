-- expect: vacuum-full critical
SET lock_timeout = '5s';
VACUUM FULL orders;
