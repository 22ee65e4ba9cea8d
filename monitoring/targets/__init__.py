"""Targets: parsing connection strings, guarded connections, checks, and adding/removing targets."""
