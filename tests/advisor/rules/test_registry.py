"""The rule registry is discovered: every module of ``advisor/rules`` registers a rule or is a named helper."""

from __future__ import annotations

import importlib
import pkgutil

import advisor.rules
from advisor.models.kinds import CANNOT_EVALUATE, KIND_TITLES
from advisor.rules import HELPER_MODULES, load_all, rule_modules
from advisor.rules.base import REGISTRY


def modules_in_folder() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(advisor.rules.__path__)}


def registered_by_module() -> dict[str, set[str]]:
    """Import every module of the folder, helpers too, and group the registered rules by module."""
    for name in modules_in_folder():
        importlib.import_module(f"advisor.rules.{name}")
    load_all()
    by_module: dict[str, set[str]] = {}
    for rule_name, cls in REGISTRY.items():
        by_module.setdefault(cls.__module__.rsplit(".", 1)[-1], set()).add(rule_name)
    return by_module


def test_it_registers_a_rule_from_every_module_that_is_not_a_helper() -> None:
    by_module = registered_by_module()
    assert set(rule_modules()) == modules_in_folder() - HELPER_MODULES
    assert set(by_module) == set(rule_modules()), "a rule module that registers nothing, or a rule in a helper"


def test_it_lists_only_helpers_that_exist() -> None:
    assert modules_in_folder() >= HELPER_MODULES


def test_it_names_every_rule_after_its_module_and_titles_every_kind() -> None:
    by_module = registered_by_module()
    assert all(names == {module} for module, names in by_module.items())
    produced = {kind for cls in REGISTRY.values() for kind in cls.kinds}
    # Every rule may also produce the "cannot evaluate" finding (the runner builds it).
    assert produced | {CANNOT_EVALUATE} == set(KIND_TITLES)
