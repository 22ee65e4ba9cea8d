-- expect: update-without-where warning
UPDATE orders SET note = 'migrated';
