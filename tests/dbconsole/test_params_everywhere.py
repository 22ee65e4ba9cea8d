"""Every parameter the web app reads goes through ``dbconsole.params``: no module reads ``request.GET`` or
``request.POST`` itself. Carrying the query string along to other links (``copy()``, ``items()``,
``lists()``, ``urlencode()``) is not reading it: the page that receives the link reads it through the
layer. The API (``api/``) has its own parameter layer for its JSON answers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("dbconsole", "monitoring", "advisor", "alerts")
LAYER = {"dbconsole/params.py", "dbconsole/paramforms.py", "dbconsole/badrequest.py", "dbconsole/timerange.py"}
CARRYING = {"copy", "items", "lists", "urlencode", "keys"}


def _reads(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("GET", "POST"):
            parent = parents.get(node)
            carried = (isinstance(parent, ast.Attribute) and parent.attr in CARRYING
                       and isinstance(parents.get(parent), ast.Call))
            if not carried:
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_it_reads_every_parameter_through_the_layer() -> None:
    reads = [where for package in PACKAGES if (ROOT / package).is_dir()
             for path in sorted((ROOT / package).rglob("*.py"))
             if str(path.relative_to(ROOT)) not in LAYER and "migrations" not in path.parts
             for where in _reads(path)]
    assert not reads, "read these through dbconsole.params (a declaration, or ParamForm.from_request)"


def test_it_would_notice_a_direct_read(tmp_path: Path) -> None:
    module = tmp_path / "view.py"
    module.write_text("def view(request, Form):\n    kept = request.GET.copy()\n"
                      "    return request.GET.get('page'), Form(request.POST), kept\n")
    assert _reads(module, tmp_path) == ["view.py:3", "view.py:3"]
