"""The Prometheus exporter (``/metrics``): metric families built from the history store at each scrape —
never a query to a target — by a custom ``prometheus_client`` collector."""
