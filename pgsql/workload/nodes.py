"""Generic walks over pglast syntax trees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast


def children(node: object) -> Iterator[Any]:
    """Direct child nodes of a pglast node (looking through tuples and lists)."""
    if isinstance(node, tuple | list):
        for item in node:
            yield from children(item) if not isinstance(item, ast.Node) else (item,)
        return
    if not isinstance(node, ast.Node):
        return
    for name in slots(node):
        value = getattr(node, name, None)
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, tuple | list):
            yield from children(value)


def slots(node: Any) -> tuple[str, ...]:
    """Attribute names of a pglast node."""
    return tuple(getattr(node, "__slots__", ()))


def params(node: object) -> set[int]:
    """Numbers of the ``$n`` placeholders under ``node``."""
    return {n.number or 0 for n in walk(node) if isinstance(n, ast.ParamRef)}


def walk(node: object) -> Iterator[Any]:
    """Every node under ``node`` (itself included), depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Node):
            yield current
        stack.extend(children(current))
