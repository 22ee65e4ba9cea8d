"""What PostgreSQL shows: one reader per concern and the frozen snapshot it returns.

The ground floor of monitoring. A reader takes an open (guarded) connection and the server's major
version, runs the versioned SQL kept in ``sql/<concern>/<min_major>.sql`` (pgwatch's rule: the file
with the highest major ≤ the server's wins, through ``pgsql.sqlfiles.SqlDir``) and maps the rows to
frozen dataclasses. Collectors store those snapshots; the live pages show them. Nothing here knows
about Django, the history store or the scheduler: pgstats imports psycopg and ``pgsql`` only.
"""
