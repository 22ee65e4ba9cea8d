"""Charts are discovered, not listed: every module of ``monitoring.charts`` that declares a chart has it
registered, without any import list to keep up to date."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import monitoring.charts
from monitoring.charts.registry import all_charts, discover, get


def declared_charts() -> dict[str, str]:
    """``@chart("name", …)`` decorators in the package's source, name → module."""
    found = {}
    for info in pkgutil.iter_modules(monitoring.charts.__path__):
        tree = ast.parse((Path(monitoring.charts.__path__[0]) / f"{info.name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    if (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Name) and deco.func.id == "chart"
                            and deco.args and isinstance(deco.args[0], ast.Constant)):
                        found[str(deco.args[0].value)] = f"monitoring.charts.{info.name}"
    return found


def test_it_registers_every_chart_of_every_module_in_the_package() -> None:
    declared = declared_charts()
    registered = all_charts()
    assert declared and set(registered) == set(declared)
    assert {name: spec.function.__module__ for name, spec in registered.items()} == declared
    assert set(discover()) == {f"monitoring.charts.{m.name}" for m in pkgutil.iter_modules(monitoring.charts.__path__)}


def test_it_finds_a_chart_by_name_without_its_module_imported_first() -> None:
    spec = get("connections-by-state")
    assert spec is not None and spec.live and spec.function.__module__ == "monitoring.charts.live"
    assert get("no-such-chart") is None
