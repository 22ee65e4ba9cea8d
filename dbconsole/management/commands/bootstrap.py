"""manage.py bootstrap — first-run setup of the embedded default (idempotent; ``make run`` calls it).

Migrates, makes sure the ``admin`` user exists (password from ``DBCONSOLE_ADMIN_PASSWORD`` or generated,
printed once and kept in ``$DBCONSOLE_HOME/admin-password``, mode 0600), and — when the demo is enabled
on the embedded default — creates the demo database's schema, grants its monitoring role what the README
asks for, registers it as the ``demo`` target and runs every collector on it once, in dependency order
(relations before bloat), so the pages have data before the first worker starts.
"""

from __future__ import annotations

import atexit
import os
import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dbconsole import audit
from dbconsole.access import ADMIN
from dbconsole.embedded import home
from dbconsole.embedded.pgcluster import ClusterError
from dbconsole.env import env_str
from monitoring.models import Target
from monitoring.targets.connect import TargetError
from monitoring.targets.dsn import parse_dsn
from monitoring.targets.service import add_target, remove_target

DEMO_TARGET = "demo"
# The demo should fill its pages within a minute or two, and show its bloat growing during a first visit.
DEMO_INTERVALS = {"statements": 30, "bloat": 600}


class Command(BaseCommand):
    help = "Migrate, create the admin user and (embedded default) the demo target. Safe to run again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-demo", action="store_true", help="skip the demo database and target")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.ensure_admin()
        if settings.EMBEDDED and settings.DEMO_ENABLED and not opts["no_demo"]:
            self.ensure_demo()

    def ensure_admin(self) -> None:
        if User.objects.filter(username="admin").exists():
            return
        password = env_str("DBCONSOLE_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser("admin", email="", password=password)
        user.groups.add(Group.objects.get(name=ADMIN))
        audit.record("user.create", username="admin", role=ADMIN, via="bootstrap")
        if generated:
            path = home.ensure_home() / "admin-password"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(password + "\n")
            self.stdout.write(f"admin password: {password}   (shown once; kept in {path}, mode 0600)")
        else:
            self.stdout.write("admin password: taken from DBCONSOLE_ADMIN_PASSWORD")

    def ensure_demo(self) -> None:
        from dbconsole.embedded.demo import monitor_dsn, setup
        from dbconsole.embedded.demo.server import ensure_demo_server
        from dbconsole.embedded.stack import supervisor_alive

        try:
            server, started = ensure_demo_server()
        except ClusterError as exc:
            raise CommandError(f"cannot start the demo's PostgreSQL: {exc}") from None
        if started:  # run on its own (not under make run): leave things as we found them
            atexit.register(lambda: None if supervisor_alive() else server.cluster.stop())
        if setup(server.cluster, hypopg=server.hypopg):
            self.stdout.write(f"demo database created on {server.describe()}: "
                              "users, products, inventory, orders, events, tickets")
        spec = parse_dsn(monitor_dsn(server.cluster))
        existing = Target.objects.filter(name=DEMO_TARGET).first()
        if existing is not None:
            if (existing.host, existing.port, existing.dbname) == (spec.host, spec.port, spec.dbname):
                return
            # The demo moved (HypoPG was installed or removed since the last start): its old history
            # describes another server, so the target starts afresh rather than mixing the two.
            remove_target(existing)
            self.stdout.write(f"demo target moved from {existing.address} to {server.describe()}")
        try:
            (demo,) = add_target(DEMO_TARGET, spec, tags=["demo"])
        except TargetError as exc:
            raise CommandError(f"cannot register the demo target: {exc}") from None
        demo.intervals = dict(DEMO_INTERVALS)
        demo.save(update_fields=["intervals"])
        self.stdout.write(f"demo target registered on {server.describe()}")
        self.first_collection(demo)

    def first_collection(self, target: Target) -> None:
        """Every collector once, now, in the collect command's order: a new target's collectors are
        all due at the worker's first dispatch anyway, but there they race, and a bloat run that
        finishes before the first relations run has no relations to attach its figures to."""
        from monitoring.collectors import load_all
        from monitoring.collectors.base import REGISTRY
        from monitoring.collectors.runner import run
        from monitoring.management.commands.collect import ORDER

        load_all()
        started = time.monotonic()
        names = [n for n in ORDER if n in REGISTRY] + sorted(set(REGISTRY) - set(ORDER))
        failed = [result for result in (run(target, name) for name in names) if not result.ok]
        self.stdout.write(f"first collection of {target.name}: {len(names)} collectors in "
                          f"{time.monotonic() - started:.1f}s")
        for result in failed:
            self.stderr.write(result.line())
