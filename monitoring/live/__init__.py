"""Live reads of a target from a web request (overview "now" panel, activity, locks, EXPLAIN).

Same guards as collectors: read-only, short statement and lock timeouts, application_name=dbconsole.
"""
