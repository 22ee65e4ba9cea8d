"""EXPLAIN for pasted SQL and (later) statements from history: parse, run rolled back, read the plan."""
