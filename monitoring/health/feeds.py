"""Can a check trust the data it reads? Every history check is fed by one collector; when that collector
fails, reads only part of what it should (``partial``), or collection stopped altogether, the stored
data no longer says how the target is — the check is blind.

``degrade(check, blind)`` applies the rule every check follows: an ok that we can no longer confirm
becomes ``unknown`` with the fix that lets us see again (a false ok is the one thing a check must never
say); a warning or critical stays — the problem was real when last seen and nothing says it went away —
with a note saying how old it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from dbconsole.formatting import format_duration
from dbconsole.thresholds import OK, UNKNOWN, WARNING, Thresholds
from monitoring.health.check import Check
from monitoring.history.selectors.health import HealthInputs
from monitoring.models import CollectorStatus
from pgsql.ident import quote_ident_to_print

# Failures that mean *we* cannot look (credentials, grants, extensions, versions), not that the target
# is in trouble: a collector failing so is blind (unknown), with the hint the failure came with.
BLIND_STATUSES = frozenset({
    "auth_failed", "permission_denied", "missing_extension", "database_missing", "secret_unreadable",
    "unsupported_version", "ssl_error", "not_postgres",
})
# Failures that mean the target does not answer us: when every collector fails so, the target is down.
DOWN_STATUSES = frozenset({"unreachable", "too_many_connections", "timeout"})


@dataclass(frozen=True)
class Blind:
    """Why a check cannot trust what it reads, and what lets it see again. ``stale``: the data is old
    (a collector stopped or fails); otherwise part of it is hidden now (sessions of other roles)."""

    reason: str
    fix: str
    stale: bool = True


def role_of(inputs: HealthInputs) -> str:
    """The monitoring role as it goes into a GRANT (quoted when it must be)."""
    return quote_ident_to_print(inputs.role) if inputs.role else "<monitoring role>"


def collect_now(inputs: HealthInputs, collector: str) -> str:
    name = inputs.target_name or "<target>"
    return f"manage.py collect --target {name} --collector {collector} --once"


def start_collection(inputs: HealthInputs) -> str:
    return ("start the Celery worker and beat (make run and docker compose up start both); "
            f"{collect_now(inputs, '<collector>')} collects by hand")


def collection_stopped(inputs: HealthInputs, at: dt.datetime, limits: Thresholds) -> Blind | None:
    """No collector even *tried* for ``collection_stale_seconds``: the worker or its scheduler is down,
    and everything stored is as old as that."""
    attempts = [s.last_attempt_at for s in inputs.statuses if s.last_attempt_at is not None]
    if not attempts:
        return None
    newest = max(attempts)
    if (at - newest).total_seconds() <= limits.bound("collection_stale_seconds", WARNING):
        return None
    quiet = format_duration((at - newest).total_seconds())
    if not inputs.enabled:
        return Blind(f"collection is disabled for this target (none for {quiet})",
                     "enable its collection on the Manage targets page")
    return Blind(f"no collection for {quiet}", start_collection(inputs))


def status_of(inputs: HealthInputs, collector: str) -> CollectorStatus | None:
    return next((s for s in inputs.statuses if s.collector == collector), None)


def feed_blind(inputs: HealthInputs, collector: str, at: dt.datetime, limits: Thresholds, *,
               partial_blinds: bool = False) -> Blind | None:
    """Why the data ``collector`` stores cannot be trusted now, or None. A ``partial`` run blinds the
    check only when what it could not read is what the check grades (``partial_blinds``)."""
    stopped = collection_stopped(inputs, at, limits)
    if stopped is not None:
        return stopped
    status = status_of(inputs, collector)
    if status is None or status.status in {"ok", "never"}:
        return None
    if status.status == "partial":
        if not partial_blinds:
            return None
        return Blind(f"the {collector} collector cannot read everything: {status.reason}",
                     status.hint or f"see the {collector} collector on the fleet page")
    return Blind(f"the {collector} collector fails ({status.status}: {status.reason})",
                 status.hint or "the worker log has the details")


def not_collected(inputs: HealthInputs, collector: str) -> str:
    """The fix of a check whose collector never stored anything."""
    return f"wait for the {collector} collector's first run, or run it now: {collect_now(inputs, collector)}"


def degrade(check: Check, blind: Blind | None) -> Check:
    if blind is None:
        return check
    if check.status == OK:
        seen = "last known" if blind.stale else "of what is visible"
        return dataclasses.replace(check, status=UNKNOWN, summary=f"{blind.reason}; {seen}: {check.summary}",
                                   fix=blind.fix)
    if check.status == UNKNOWN:
        return dataclasses.replace(check, summary=f"{check.summary}: {blind.reason}", fix=blind.fix)
    note = (f"as last collected — {blind.reason} (to see it again: {blind.fix})" if blind.stale
            else f"at least this: {blind.reason} (to see them: {blind.fix})")
    return dataclasses.replace(check, note=f"{check.note} {note}".strip())
