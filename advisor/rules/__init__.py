"""Advisor rules, one module per concern; ``load_all()`` imports them so ``base.REGISTRY`` is complete.

Rule modules are discovered, not listed: every module of this package defines and registers at least
one rule, except the helper modules named in ``HELPER_MODULES`` (the base class, the context, the
readers and formatting they share). A test holds both sides of that to account.
"""

from __future__ import annotations

import importlib
import pkgutil

HELPER_MODULES = frozenset({
    "base",          # the Rule base class and the registry
    "bloat_common",  # thresholds shared by the two bloat rules
    "catalog",       # structural facts read from the target
    "changes",       # change specs a finding carries
    "context",       # what a rule sees
    "evidence",      # evidence builder and number formatting
    "findings",      # what a rule returns
    "history",       # the history store as the rules see it
    "facts",         # the frozen records History builds
    "observation",   # how long statistics covered an object (minimum observation)
    "options",       # the advisor's options
    "pgsettings",    # reading settings from the history store
    "verify",        # is a recommendation's condition verifiably gone
    "workload",      # the statements the index advice considered, planned and skipped
})


def rule_modules() -> tuple[str, ...]:
    """The names of the modules that define rules, in name order."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in HELPER_MODULES))


def load_all() -> None:
    for module in rule_modules():
        importlib.import_module(f"{__name__}.{module}")
