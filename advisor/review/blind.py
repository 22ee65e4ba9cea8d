"""The "cannot evaluate" finding: what one rule could not see in a run, and what fixes it.

A rule that could not check its condition (``RuleSkipped``, a failed connection, an error) or saw only
part of its evidence (``ctx.blind``: sequences it may not read, indexes observed too briefly) gets
one finding of kind ``cannot_evaluate`` with severity ``unknown`` and the rule's name as its object
key. It is never shown as "ok": the advisor page and the overview count it, and it names the grant
or setting that lets the rule see. It is resolved by the first run in which the rule sees everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.models.kinds import CANNOT_EVALUATE
from advisor.rules.evidence import Evidence
from advisor.rules.findings import BlindSpot, Finding

if TYPE_CHECKING:
    from advisor.rules.base import Rule

SHOWN_OBJECTS = 25


def cannot_evaluate(rule: Rule, spots: list[BlindSpot]) -> Finding:
    first = spots[0]
    more = f" (and {len(spots) - 1} more)" if len(spots) > 1 else ""
    ev = Evidence()
    for spot in spots:
        ev.fact("Not seen", spot.message, hint=spot.hint)
        if spot.hint and _is_sql(spot.hint):
            ev.sql("What fixes it", spot.hint)
        elif spot.hint:
            ev.note(f"Fix: {spot.hint}")
        for name in spot.objects[:SHOWN_OBJECTS]:
            ev.note(name)
        if len(spot.objects) > SHOWN_OBJECTS:
            ev.note(f"… and {len(spot.objects) - SHOWN_OBJECTS} more")
    ev.caveat("Until then this rule's verdict is unknown: it is not a pass, and what it could not see may "
              "hide a problem.")
    ev.ids(rule=rule.name)
    return Finding(
        kind=CANNOT_EVALUATE, object_key=rule.name, object_label=rule.title, severity="unknown",
        title=f"{rule.title}: {first.message}{more}",
        summary=f"The {rule.title.lower()} rule could not see all of its evidence: "
                + "; ".join(s.message for s in spots) + ".",
        evidence=ev.to_dict(), material={"codes": sorted({s.code for s in spots})},
        benefit="a verdict instead of an unknown",
        cost="; ".join(s.hint for s in spots if s.hint) or "none",
    )


def _is_sql(text: str) -> bool:
    return text.lstrip().upper().startswith(("GRANT ", "CREATE ", "ALTER "))
