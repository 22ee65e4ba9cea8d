"""Alert rules: one module per rule family, each rule a ``Rule`` registered in ``base.REGISTRY``.

``load_all()`` imports every module of this package with pkgutil, so a rule dropped in here is
evaluated, listed on the settings page and documented by ``manage.py alerts rules`` without being
named anywhere else.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alerts.rules.base import Rule


def load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


@cache
def registry() -> dict[str, type[Rule]]:
    """Every rule by key, sorted (loaded once per process)."""
    from alerts.rules.base import REGISTRY

    load_all()
    return dict(sorted(REGISTRY.items()))
