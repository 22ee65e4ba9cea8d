"""PostgreSQL's table-level lock modes, what each conflicts with, and what that means for an application.

Facts from the PostgreSQL manual, "Explicit Locking — Table-Level Locks". The numbering matches
``LOCKMODE`` in the server (and ``LockStmt.mode`` in the parse tree): 1 = ACCESS SHARE … 8 = ACCESS
EXCLUSIVE.
"""

from __future__ import annotations

from enum import IntEnum


class LockMode(IntEnum):
    """A table-level lock mode; larger values are not always "stronger", see :data:`CONFLICTS`."""

    ACCESS_SHARE = 1
    ROW_SHARE = 2
    ROW_EXCLUSIVE = 3
    SHARE_UPDATE_EXCLUSIVE = 4
    SHARE = 5
    SHARE_ROW_EXCLUSIVE = 6
    EXCLUSIVE = 7
    ACCESS_EXCLUSIVE = 8

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")


M = LockMode
CONFLICTS: dict[LockMode, frozenset[LockMode]] = {
    M.ACCESS_SHARE: frozenset({M.ACCESS_EXCLUSIVE}),
    M.ROW_SHARE: frozenset({M.EXCLUSIVE, M.ACCESS_EXCLUSIVE}),
    M.ROW_EXCLUSIVE: frozenset({M.SHARE, M.SHARE_ROW_EXCLUSIVE, M.EXCLUSIVE, M.ACCESS_EXCLUSIVE}),
    M.SHARE_UPDATE_EXCLUSIVE: frozenset({M.SHARE_UPDATE_EXCLUSIVE, M.SHARE, M.SHARE_ROW_EXCLUSIVE,
                                         M.EXCLUSIVE, M.ACCESS_EXCLUSIVE}),
    M.SHARE: frozenset({M.ROW_EXCLUSIVE, M.SHARE_UPDATE_EXCLUSIVE, M.SHARE_ROW_EXCLUSIVE, M.EXCLUSIVE,
                        M.ACCESS_EXCLUSIVE}),
    M.SHARE_ROW_EXCLUSIVE: frozenset({M.ROW_EXCLUSIVE, M.SHARE_UPDATE_EXCLUSIVE, M.SHARE,
                                      M.SHARE_ROW_EXCLUSIVE, M.EXCLUSIVE, M.ACCESS_EXCLUSIVE}),
    M.EXCLUSIVE: frozenset({M.ROW_SHARE, M.ROW_EXCLUSIVE, M.SHARE_UPDATE_EXCLUSIVE, M.SHARE,
                            M.SHARE_ROW_EXCLUSIVE, M.EXCLUSIVE, M.ACCESS_EXCLUSIVE}),
    M.ACCESS_EXCLUSIVE: frozenset(M),
}


def blocks_reads(mode: LockMode) -> bool:
    """Does holding (or queueing for) ``mode`` stop plain SELECTs (ACCESS SHARE)?"""
    return M.ACCESS_SHARE in CONFLICTS[mode]


def blocks_writes(mode: LockMode) -> bool:
    """Does it stop INSERT/UPDATE/DELETE (ROW EXCLUSIVE)?"""
    return M.ROW_EXCLUSIVE in CONFLICTS[mode]


def blocks_summary(mode: LockMode) -> str:
    """What an application notices while this lock is held or waited for."""
    if blocks_reads(mode):
        return "blocks reads and writes"
    if mode is M.EXCLUSIVE:
        return "blocks writes and SELECT … FOR UPDATE/SHARE; plain reads continue"
    if blocks_writes(mode):
        return "blocks writes (INSERT/UPDATE/DELETE); reads continue"
    if mode is M.SHARE_UPDATE_EXCLUSIVE:
        return "reads and writes continue; blocks other DDL, VACUUM and concurrent index builds"
    if mode is M.ROW_EXCLUSIVE:
        return "reads and writes continue; blocks CREATE INDEX (non-concurrent) and stronger locks"
    if mode is M.ROW_SHARE:
        return "reads and writes continue; blocks EXCLUSIVE and ACCESS EXCLUSIVE"
    return "reads and writes continue; blocks only ACCESS EXCLUSIVE (DROP, most ALTER TABLE)"
