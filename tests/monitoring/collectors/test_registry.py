"""The collector registry is discovered: every module of ``monitoring/collectors/`` is imported by
``load_all()``, so a collector dropped into the folder is scheduled without being listed anywhere."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import monitoring.collectors as package
from monitoring.collectors import load_all
from monitoring.collectors.base import REGISTRY
from monitoring.management.commands.collect import every_collector

ROOT = Path(__file__).resolve().parents[3]
FOLDER = Path(package.__file__).resolve().parent


def registered_in_source() -> set[tuple[str, str]]:
    """(module, class) of every class decorated with ``@register`` in the folder, read from the files."""
    found = set()
    for path in FOLDER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(d, ast.Name) and d.id == "register" for d in node.decorator_list
            ):
                found.add((f"monitoring.collectors.{path.stem}", node.name))
    return found


def test_it_registers_every_collector_of_the_folder_in_a_fresh_process() -> None:
    # A fresh interpreter: in this one other tests may already have imported the modules.
    script = (
        "import django; django.setup()\n"
        "from monitoring.collectors import load_all\n"
        "from monitoring.collectors.base import REGISTRY\n"
        "load_all()\n"
        "for name, cls in sorted(REGISTRY.items()): print(name, cls.__module__, cls.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "dbconsole.settings"}).stdout
    loaded = {tuple(line.split()) for line in out.splitlines()}
    expected = registered_in_source()

    assert {(module, cls) for _name, module, cls in loaded} == expected
    assert len(expected) >= 9   # the concerns collected today: the scan itself must not come back empty
    assert {name for name, _module, _cls in loaded} >= {
        "activity", "bloat", "database", "locks", "relations", "replication", "sequences", "settings", "statements",
    }


@pytest.fixture
def dropped_module(tmp_path: Path) -> Iterator[str]:
    """A collector module in a folder of the package's search path, removed again afterwards."""
    name = "probe_dropped_in"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent('''
        from __future__ import annotations

        from typing import Any

        from monitoring.collectors.base import CollectContext, Collector, register


        @register
        class ProbeCollector(Collector[int]):
            name = "probe-dropped-in"
            default_interval = 60

            def read(self, conn: Any, ctx: CollectContext) -> int:
                return 0

            def store(self, snapshot: int, ctx: CollectContext) -> int:
                return 0
    '''))
    package.__path__.append(str(tmp_path))
    try:
        yield "probe-dropped-in"
    finally:
        package.__path__.remove(str(tmp_path))
        REGISTRY.pop("probe-dropped-in", None)
        sys.modules.pop(f"monitoring.collectors.{name}", None)


def test_it_picks_up_a_collector_module_dropped_into_the_package(dropped_module: str) -> None:
    assert dropped_module not in REGISTRY
    load_all()
    assert REGISTRY[dropped_module].__module__ == "monitoring.collectors.probe_dropped_in"



def test_it_runs_a_dropped_in_collector_when_the_command_collects_everything(dropped_module: str) -> None:
    names = every_collector()
    assert names[-1] == dropped_module and names.index("relations") < names.index("bloat")
