"""pgsql is the ground floor: importing every module of it loads nothing of ours and no Django."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pgsql

OURS = ("django", "dbconsole", "monitoring", "advisor", "bench", "tests")


def test_it_imports_nothing_above_it() -> None:
    modules = [m.name for m in pkgutil.walk_packages(pgsql.__path__, "pgsql.")]
    assert "pgsql.workload.plannable" in modules and "pgsql.ident" in modules
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({OURS!r})))\n"
    )
    # A fresh interpreter: pytest's own process has Django and everything else loaded already.
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False,
                            cwd=Path(pgsql.__file__).resolve().parents[1], timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"pgsql loaded {result.stdout.strip()}"
