"""A star-schema analytic workload of our own (retail sales over three channels, TPC-DS-like in shape):
7 fact tables, 17 dimensions, no index at all, ~90 reporting statements with many dimension joins."""
