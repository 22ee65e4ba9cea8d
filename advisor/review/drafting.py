"""Migration drafts on demand, from one or several accepted recommendations of one target.

The specs stored on the recommendations are made exact against the target's catalog at this moment
(``advisor.review.changes``) over one guarded read-only connection, ordered so that a draft builds
new indexes before it drops old ones, and handed to :func:`advisor.drafts.generate_draft`. Nothing
is run on the target: people review the draft and run it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from advisor.drafts import Change, Draft, UnsafeDraft, generate_draft
from advisor.models import Recommendation, Status
from advisor.review.changes import StaleChange, build_change
from advisor.rules.catalog import Catalog
from monitoring.models import Target
from monitoring.targets.connect import TargetError, connect

DRAFTABLE = frozenset({Status.ACCEPTED, Status.APPLIED})
# Build first, then validate, then drop what the new indexes replace, then the slow or staged work.
ORDER = {"create_index": 0, "fk_index": 0, "validate_constraint": 1, "drop_index": 2, "reindex": 3,
         "autovacuum": 4, "table_bloat": 5, "widen_sequence": 6, "bigint": 7}


@dataclass
class DraftOutcome:
    draft: Draft | None = None
    included: list[Recommendation] = field(default_factory=list)
    excluded: list[tuple[Recommendation, str]] = field(default_factory=list)
    error: TargetError | None = None
    # A draft that did not come out exactly as planned (advisor.drafts.verify): shown as this message only.
    refused: str | None = None


def _signature(spec: dict[str, Any]) -> str:
    """Two recommendations asking for the same index (a join key that is also a foreign key) give it once."""
    if spec.get("type") in ("create_index", "fk_index"):
        return json.dumps(["index", spec["schema"], spec["table"], spec.get("expression"),
                           list(spec.get("columns") or []), list(spec.get("include") or []), spec.get("where")])
    return json.dumps(spec, sort_keys=True)


def draft_recommendations(target: Target, recs: Sequence[Recommendation]) -> DraftOutcome:
    outcome = DraftOutcome()
    candidates = []
    for rec in recs:
        if rec.target_id != target.pk:
            outcome.excluded.append((rec, "belongs to another target"))
        elif rec.status not in DRAFTABLE:
            outcome.excluded.append((rec, f"is {rec.status}: accept it first"))
        elif not rec.changes:
            outcome.excluded.append((rec, "is not a schema change: nothing to migrate"))
        else:
            candidates.append(rec)
    if not candidates:
        return outcome
    candidates.sort(key=lambda r: min(ORDER.get(s.get("type", ""), 9) for s in r.changes))
    try:
        with connect(target) as conn:
            changes = _build(Catalog(conn), candidates, outcome)
    except TargetError as exc:
        outcome.error = exc
        outcome.included = []
        return outcome
    if changes:
        try:
            outcome.draft = generate_draft(changes, title=_title(target, outcome.included))
        except UnsafeDraft as exc:
            outcome.refused = str(exc)
    return outcome


def _build(catalog: Catalog, recs: list[Recommendation], outcome: DraftOutcome) -> list[Change]:
    reserved: set[str] = set()
    seen: dict[str, Recommendation] = {}
    changes: list[Change] = []
    for rec in recs:
        built: list[Change] = []
        signatures: list[str] = []
        try:
            for spec in rec.changes:
                sig = _signature(spec)
                if sig in seen or sig in signatures:
                    continue
                built.append(build_change(spec, catalog, reserved))
                signatures.append(sig)
        except (StaleChange, ValueError) as exc:
            outcome.excluded.append((rec, f"cannot be drafted now: {exc}"))
            continue
        seen.update(dict.fromkeys(signatures, rec))
        if not built:
            first = seen[_signature(rec.changes[0])]
            outcome.excluded.append((rec, f"asks for the same change as “{first.title}”"))
            continue
        changes.extend(built)
        outcome.included.append(rec)
    return changes


def _title(target: Target, recs: list[Recommendation]) -> str:
    if len(recs) == 1:
        return f"{target.name}: {recs[0].title}"
    return f"{target.name}: {len(recs)} advisor recommendations"
