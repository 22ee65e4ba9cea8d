"""Collectors: one module per concern, each a ``Collector`` registered in ``base.REGISTRY``.

Importing this package stays cheap (the live pages import ``activity`` and ``locks`` from web
requests); ``load_all()`` imports every collector module so the registry is complete.
"""

from __future__ import annotations

import importlib

MODULES = (
    "activity", "locks", "statements", "relations", "bloat", "database", "replication", "pgsettings", "sequences",
)


def load_all() -> None:
    for module in MODULES:
        importlib.import_module(f"monitoring.collectors.{module}")
