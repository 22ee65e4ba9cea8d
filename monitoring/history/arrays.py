"""Fast binary encoding of the integer arrays the columnar history tables are made of.

psycopg adapts a Python list element by element; for the statements collector that is ~100,000
integers a minute per target. Here an array goes over the wire in PostgreSQL's binary array format,
packed by ``struct`` in one C call, and the collector's own state is a bytea of machine arrays.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connection
from psycopg.adapt import Dumper
from psycopg.pq import Format

INT8_OID, INT4_OID = 20, 23
INT8_ARRAY_OID, INT4_ARRAY_OID = 1016, 1007
_LITTLE = sys.byteorder == "little"


class Int8Array:
    """A list of Python ints to send as ``int8[]`` (never NULL elements)."""

    __slots__ = ("values",)

    def __init__(self, values: Sequence[int]) -> None:
        self.values = values


class Int4Array(Int8Array):
    """The same, as ``int4[]``."""


def _be_word(value: int) -> array[int]:
    """A native-order int32 array whose bytes are ``value`` as a big-endian int32."""
    word = array("i")
    word.frombytes(struct.pack(">i", value))
    return word


_LEN8, _LEN4 = _be_word(8), _be_word(4)


def pack_array(values: Sequence[int], elem_oid: int) -> bytes:
    """PostgreSQL's binary array format: header, one dimension, then (length, big-endian value) pairs.

    Built from machine arrays with slice assignment, so the per-element work happens in C.
    """
    n = len(values)
    if n == 0:
        return struct.pack(">iiI", 0, 0, elem_oid)
    head = struct.pack(">iiIii", 1, 0, elem_oid, n, 1)
    if elem_oid == INT8_OID:
        big = array("q", values)
        if _LITTLE:
            big.byteswap()
        words = array("i")
        words.frombytes(big.tobytes())
        out = _LEN8 * (3 * n)
        out[1::3] = words[0::2]
        out[2::3] = words[1::2]
    else:
        small = array("i", values)
        if _LITTLE:
            small.byteswap()
        out = _LEN4 * (2 * n)
        out[1::2] = small
    return head + out.tobytes()


class Int8ArrayDumper(Dumper):
    format = Format.BINARY
    oid = INT8_ARRAY_OID

    def dump(self, obj: Int8Array) -> bytes:
        return pack_array(obj.values, INT8_OID)


class Int4ArrayDumper(Dumper):
    format = Format.BINARY
    oid = INT4_ARRAY_OID

    def dump(self, obj: Int8Array) -> bytes:
        return pack_array(obj.values, INT4_OID)


def register(conn: object) -> None:
    """Teach a psycopg connection (or cursor) to send ``Int8Array`` / ``Int4Array`` in binary."""
    adapters = conn.adapters  # type: ignore[attr-defined]
    adapters.register_dumper(Int8Array, Int8ArrayDumper)
    adapters.register_dumper(Int4Array, Int4ArrayDumper)


def cursor() -> psycopg.Cursor[Any]:
    """A server-binding cursor on Django's history-store connection (same transaction), able to send
    arrays in binary with ``%b`` placeholders. Django's own cursors bind client-side, as text."""
    connection.ensure_connection()
    cur = psycopg.Cursor(connection.connection)
    register(cur)
    return cur


# -- machine arrays in a bytea (the statements collector's state) -----------------------------------

def to_bytes(values: Sequence[int], code: str = "q") -> bytes:
    arr = array(code, values)
    if not _LITTLE:
        arr.byteswap()
    return arr.tobytes()


def from_bytes(data: bytes, code: str = "q") -> array[int]:
    arr = array(code)
    arr.frombytes(data)
    if not _LITTLE:
        arr.byteswap()
    return arr


def pack_columns(columns: Sequence[Sequence[int]]) -> bytes:
    """Integer columns in one zlib-compressed blob. Each column is stored in the narrowest machine
    type that holds it (an all-zero column as nothing at all), which also speeds up zlib."""
    blocks, codes = [], []
    for column in columns:
        low, high = (min(column), max(column)) if len(column) else (0, 0)
        if low == high == 0:
            code, block = "z", b""
        else:
            code = "b" if low >= -128 and high < 128 else "i" if low >= -(2**31) and high < 2**31 else "q"
            block = to_bytes(column, code)
        codes.append(code)
        blocks.append(block)
    lengths = [len(c) for c in columns]
    head = struct.pack(f"<I{len(columns)}s{len(columns)}Q", len(columns), "".join(codes).encode(), *lengths)
    return zlib.compress(head + pack_blocks(blocks), 1)


def unpack_columns(data: bytes) -> list[array[int]]:
    raw = zlib.decompress(data)
    (count,) = struct.unpack_from("<I", raw, 0)
    codes = struct.unpack_from(f"<{count}s", raw, 4)[0].decode()
    lengths = struct.unpack_from(f"<{count}Q", raw, 4 + count)
    blocks = unpack_blocks(raw[4 + count + 8 * count:])
    out = []
    for code, length, block in zip(codes, lengths, blocks, strict=True):
        if code == "z":
            out.append(array("q", bytes(8 * length)))
        else:
            column = from_bytes(block, code)
            out.append(column if code == "q" else array("q", column))
    return out


def pack_blocks(blocks: Sequence[bytes]) -> bytes:
    """Several byte blocks in one bytea: a count, their lengths, then the blocks."""
    head = struct.pack(f"<I{len(blocks)}Q", len(blocks), *(len(b) for b in blocks))
    return head + b"".join(blocks)


def unpack_blocks(data: bytes) -> list[bytes]:
    (count,) = struct.unpack_from("<I", data, 0)
    lengths = struct.unpack_from(f"<{count}Q", data, 4)
    blocks, offset = [], 4 + 8 * count
    for length in lengths:
        blocks.append(bytes(data[offset:offset + length]))
        offset += length
    return blocks
