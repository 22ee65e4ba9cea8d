"""TPC-H at scale factor 1 on a local PostgreSQL 15 cluster: data, schema, the 22 query texts."""
