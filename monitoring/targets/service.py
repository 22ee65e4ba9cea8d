"""Adding, checking and removing targets — shared by the CLI and the admin pages, always audited."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from dbconsole import audit
from monitoring.models import Target
from monitoring.targets.checks import CheckReport, check_params
from monitoring.targets.connect import TargetError, connect_params
from monitoring.targets.dsn import ConnSpec

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class TargetInputError(ValueError):
    """A name or option a user gave cannot be used; the message is safe to print."""


def validate_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise TargetInputError(
            f"target name {name!r} must be 1-63 characters: lowercase letters, digits, '-' or '_'"
        )
    if Target.objects.filter(name=name).exists():
        raise TargetInputError(f"a target named {name!r} already exists")
    return name


def add_target(
    name: str, spec: ConnSpec, *, discover: bool = False, verify: bool = True, actor: Any = None,
    request: Any = None, tags: list[str] | None = None,
) -> list[Target]:
    """Add ``spec`` as target ``name`` (or, with ``discover``, every connectable database of its server).

    Connection is verified first, so nothing is saved for a target we cannot reach.
    """
    specs: list[tuple[str, ConnSpec, int | None]] = []
    if discover:
        for dbname in discover_databases(spec):
            db_spec = ConnSpec(spec.host, spec.port, dbname, spec.user, spec.password, spec.sslmode)
            try:
                report = _verified(db_spec)
            except TargetError:
                continue  # discover adds only what we can connect to
            specs.append((_derived_name(name, dbname), db_spec, report.server_version_num))
        if not specs:
            raise TargetError("unreachable", f"no database on {spec.host}:{spec.port} accepts {spec.user}")
    else:
        version = _verified(spec).server_version_num if verify else None
        specs.append((name, spec, version))
    for target_name, _, _ in specs:
        validate_name(target_name)

    created = []
    with transaction.atomic():
        for target_name, db_spec, version in specs:
            target = Target(
                name=target_name, host=db_spec.host, port=db_spec.port, dbname=db_spec.dbname,
                username=db_spec.user, sslmode=db_spec.sslmode, server_version_num=version,
                tags=list(tags or []),
            )
            target.set_password(db_spec.password)
            target.save()
            audit.record("target.add", actor=actor, request=request, target=target,
                         address=target.address, discovered=discover)
            created.append(target)
    return created


def discover_databases(spec: ConnSpec) -> list[str]:
    with connect_params(spec.params()) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname"
        ).fetchall()
    return [row[0] for row in rows]


def check_target(target: Target) -> CheckReport:
    report = check_params(target.conninfo_params())
    if report.server_version_num and report.server_version_num != target.server_version_num:
        Target.objects.filter(pk=target.pk).update(server_version_num=report.server_version_num)
        target.server_version_num = report.server_version_num
    return report


def remove_target(target: Target, *, actor: Any = None, request: Any = None) -> None:
    with transaction.atomic():
        audit.record("target.remove", actor=actor, request=request, target=target, address=target.address)
        target.delete()


def _verified(spec: ConnSpec) -> CheckReport:
    report = check_params(spec.params())
    if not report.connected:
        failure = report.findings[0]
        status, _, message = failure.detail.partition(": ")
        raise TargetError(status, message, failure.hint)
    return report


def _derived_name(prefix: str, dbname: str) -> str:
    return f"{prefix}-{slugify(dbname).replace('_', '-')}"[:63]
