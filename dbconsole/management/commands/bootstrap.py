"""manage.py bootstrap — first-run setup of the embedded default (idempotent; ``make run`` calls it).

Migrates, makes sure the ``admin`` user exists (password from ``DBCONSOLE_ADMIN_PASSWORD`` or generated,
printed once and kept in ``$DBCONSOLE_HOME/admin-password``, mode 0600), and — when the demo is enabled
on the embedded default — creates the demo database's schema and registers it as the ``demo`` target.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dbconsole import audit
from dbconsole.access import ADMIN
from dbconsole.embedded import home
from dbconsole.env import env_str
from monitoring.models import Target
from monitoring.targets.connect import TargetError
from monitoring.targets.dsn import parse_dsn
from monitoring.targets.service import add_target

DEMO_TARGET = "demo"


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

        cluster = home.history_cluster()
        cluster.init()  # reads the port of the existing cluster
        if setup(cluster):
            self.stdout.write("demo database created: users, products, inventory, orders, events, tickets")
        if Target.objects.filter(name=DEMO_TARGET).exists():
            return
        try:
            (demo,) = add_target(DEMO_TARGET, parse_dsn(monitor_dsn(cluster)), tags=["demo"])
        except TargetError as exc:
            raise CommandError(f"cannot register the demo target: {exc}") from None
        # The demo should fill its pages within a minute or two: statements every 30 s instead of 60.
        demo.intervals = {"statements": 30}
        demo.save(update_fields=["intervals"])
        self.stdout.write("demo target registered")
