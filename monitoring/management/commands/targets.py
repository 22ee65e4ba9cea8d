"""manage.py targets add|list|check|remove — manage monitored databases from the shell."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.models import Target
from monitoring.targets.checks import ERROR
from monitoring.targets.connect import TargetError
from monitoring.targets.dsn import DsnError, parse_dsn
from monitoring.targets.service import TargetInputError, add_target, check_target, remove_target


class Command(BaseCommand):
    help = "Add, list, check and remove monitored databases (targets)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a target after checking that it accepts connections")
        add.add_argument("name", help="short name, e.g. orders-prod")
        add.add_argument("dsn", help="postgresql://user:password@host:5432/dbname")
        add.add_argument("--discover", action="store_true",
                         help="add every connectable database of that server, named NAME-DBNAME")
        add.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
        add.add_argument("--no-verify", action="store_true", help="save without connecting first")
        sub.add_parser("list", help="list targets")
        check = sub.add_parser("check", help="connect and report what dbconsole can see")
        check.add_argument("name")
        remove = sub.add_parser("remove", help="remove a target and stop monitoring it")
        remove.add_argument("name")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"do_{opts['action']}")(opts)

    def do_add(self, opts: dict[str, Any]) -> None:
        try:
            spec = parse_dsn(opts["dsn"])
            created = add_target(opts["name"], spec, discover=opts["discover"], verify=not opts["no_verify"],
                                 tags=opts["tag"])
        except (DsnError, TargetInputError) as exc:
            raise CommandError(str(exc)) from None
        except TargetError as exc:
            raise CommandError(f"{exc}; nothing was saved") from None
        for target in created:
            self.stdout.write(f"added {target.name} ({target.address})")

    def do_list(self, opts: dict[str, Any]) -> None:
        targets = list(Target.objects.order_by("name"))
        if not targets:
            self.stdout.write("no targets yet: manage.py targets add NAME postgresql://user:pw@host:5432/db")
            return
        width = max(len(t.name) for t in targets)
        for t in targets:
            version = f"PG {t.server_major}" if t.server_major else "PG ?"
            state = "enabled" if t.enabled else "disabled"
            tags = f" [{', '.join(t.tags)}]" if t.tags else ""
            self.stdout.write(f"{t.name:<{width}}  {t.address}  {version}  {state}{tags}")

    def do_check(self, opts: dict[str, Any]) -> None:
        target = self._get(opts["name"])
        report = check_target(target)
        self.stdout.write(f"{target.name} ({target.address})")
        for finding in report.findings:
            self.stdout.write("  " + finding.line().replace("\n", "\n  "))
        if report.worst == ERROR:
            raise CommandError(f"{target.name}: check found errors")

    def do_remove(self, opts: dict[str, Any]) -> None:
        target = self._get(opts["name"])
        remove_target(target)
        self.stdout.write(f"removed {opts['name']}")

    def _get(self, name: str) -> Target:
        try:
            return Target.objects.get(name=name)
        except Target.DoesNotExist:
            raise CommandError(f"no target named {name!r} (manage.py targets list)") from None
