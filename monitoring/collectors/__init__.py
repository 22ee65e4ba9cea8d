"""Collectors: one module per concern, each a ``Collector`` registered in ``base.REGISTRY``.

A collector module holds scheduling facts and two calls: the concern's reader (``monitoring.pgstats``)
and its writer (``monitoring.history``). ``load_all()`` imports every module of this package, so a
collector dropped in here is scheduled without being listed anywhere.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every module of this package; each collector registers itself on import."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
