-- expect: unexpected-statement warning
-- A table named "nl<newline>SELECT 'injected-from-table-name'; --" once put this line into a generated draft.
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
SELECT 'injected-from-table-name';
