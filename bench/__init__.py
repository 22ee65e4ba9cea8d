"""Benchmarks that measure dbconsole against published or measured reference figures (``make bench``)."""
