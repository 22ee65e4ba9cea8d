"""Serve plotly.js from the installed ``plotly`` package as ``vendor/plotly.min.js``."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PACKAGE_DATA = Path(plotly.__file__).resolve().parent / "package_data"
SERVED = {"vendor/plotly.min.js": "plotly.min.js"}

# plotly.js bundles a stylesheet it writes into a <style> element when it loads — unless an element with
# that id is already in the page (``if(!document.getElementById("<id>")){...createElement("style")``).
# It is the map traces' CSS, which dbconsole never draws; the CSP refuses style elements with content.
_SELF_INJECTED_STYLE = re.compile(r'getElementById\("([\w-]+)"\)\)\{var \w+=document\.createElement\("style"\)')


@functools.cache
def plotly_injected_style_ids() -> tuple[str, ...]:
    """Ids of the stylesheets the installed plotly.js would inject by itself (see base.html)."""
    text = (PACKAGE_DATA / "plotly.min.js").read_text(encoding="utf-8")
    return tuple(dict.fromkeys(_SELF_INJECTED_STYLE.findall(text)))


class PlotlyFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.storage = FileSystemStorage(location=str(PACKAGE_DATA))
        self.storage.prefix = "vendor"  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        name = SERVED.get(path)
        if name is None:
            return [] if find_all or kwargs.get("all") else None
        found = str(PACKAGE_DATA / name)
        return [found] if find_all or kwargs.get("all") else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for name in SERVED.values():
            yield name, self.storage
