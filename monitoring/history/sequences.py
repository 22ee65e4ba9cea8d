"""Writing sequence use: one ``SequenceSnapshot`` per collection (daily), the whole list as JSON —
a few hundred small documents a year per target, read back whole by the sequences selector."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from monitoring.models import SequenceSnapshot
from monitoring.pgstats.sequences import SequenceUse


def store(target_id: int, snapshot: Sequence[SequenceUse], captured_at: dt.datetime) -> int:
    SequenceSnapshot.objects.create(target_id=target_id, captured_at=captured_at,
                                    sequences=[s.as_dict() for s in snapshot])
    return len(snapshot)
