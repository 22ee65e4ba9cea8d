"""The JSON API (``/api/v1/``, OpenAPI 3 schema and docs), personal API tokens, and the Prometheus
exporter (``/metrics``). The top layer under ``dbconsole.urls``: it reads through the monitoring and
advisor selectors and acts through their services; nothing imports it but the URLs."""
