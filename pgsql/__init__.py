"""Django-free knowledge of PostgreSQL SQL: workload parsing, plannable statements, index definitions,
identifier quoting and the one loader of versioned ``.sql`` files.

This is the ground floor of the house: it imports nothing of ours, so monitoring and advisor can both
build on it without importing each other.
"""
