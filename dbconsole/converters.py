"""Path converters bounded to PostgreSQL's integer types.

Django's ``<int:…>`` matches any run of digits, so ``/t/demo/queries/99999999999999999999/`` reaches a
query with a number no column can hold. ``<int4:…>`` (seqs, pids) and ``<int8:…>`` (primary keys) match
only what fits: anything longer or larger is simply no such page, a 404.
"""

from __future__ import annotations

from django.urls import register_converter

from dbconsole.params import INT4_MAX, INT8_MAX


class Int4Converter:
    regex = "[0-9]{1,10}"
    maximum = INT4_MAX

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.maximum:
            raise ValueError(f"{number} is larger than {self.maximum}")  # Django: no match
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


class Int8Converter(Int4Converter):
    regex = "[0-9]{1,19}"
    maximum = INT8_MAX


def register() -> None:
    """Called once, from the app's ``ready()``, before any URLconf is loaded."""
    register_converter(Int4Converter, "int4")
    register_converter(Int8Converter, "int8")
