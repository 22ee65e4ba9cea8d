"""Reusable page helpers: the time range in the URL, sortable/filterable tables with CSV, polling, nav."""
