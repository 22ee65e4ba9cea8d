"""What the history modules declare about themselves, found by importing every module of the package.

A history module that writes a partitioned table declares it (``PARTITIONED``), and one that rolls a
table up declares the step (``ROLLUPS``); ``partitions`` and ``rollups`` collect the declarations from
here. A new module dropped into ``monitoring/history/`` is picked up without being listed anywhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import monitoring.history as package


def declared(attribute: str) -> list[Any]:
    """Every item of ``attribute`` (a tuple) of every module of the history package, by module name."""
    found: list[Any] = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found.extend(getattr(module, attribute, ()))
    return found
