"""Writing Python source: string literals that stay readable in a generated migration file."""

from __future__ import annotations


def py_str(text: str) -> str:
    """A Python literal for ``text``: triple-quoted when multi-line and safe to, else ``repr``."""
    if "\n" in text and '"""' not in text and "\\" not in text and not text.endswith('"'):
        return '"""' + text + '"""'
    return repr(text)
