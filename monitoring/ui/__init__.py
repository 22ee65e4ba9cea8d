"""Reusable page helpers: sortable/filterable tables with CSV, the page frame, nav."""
