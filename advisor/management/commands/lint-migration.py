"""manage.py lint-migration FILE — the locks a SQL migration takes and what is unsafe in it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advisor.lint import Severity, lint_sql, render_json, render_text

# Exit status when findings reach --fail-on (1 is what Django uses for its own errors).
EXIT_FINDINGS = 2


class Command(BaseCommand):
    help = ("Lint a SQL migration: the lock each statement takes, what it blocks, and unsafe patterns with "
            "their safe alternative. Exits 2 when findings reach --fail-on (for CI).")
    needs_history_store = False  # pure parsing: manage.py starts no embedded database for it

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="SQL file to lint, or - for standard input")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--fail-on", choices=["warning", "critical"], default="critical",
                            help="exit with status 2 when a finding is at least this severe (default: critical)")
        parser.add_argument("--in-transaction", action="store_true",
                            help="the runner wraps the whole file in one transaction (e.g. an atomic migration)")

    def handle(self, *args: Any, **opts: Any) -> None:
        name = opts["file"]
        if name == "-":
            sql, source = sys.stdin.read(), "<stdin>"
        else:
            path = Path(name)
            try:
                sql = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"cannot read {name}: {exc}") from None
            source = name
        report = lint_sql(sql, in_transaction=opts["in_transaction"])
        if opts["format"] == "json":
            self.stdout.write(render_json(report), ending="")
        else:
            self.stdout.write(render_text(report, source=source), ending="")
        if report.reaches(Severity(opts["fail_on"])):
            raise CommandError(f"findings at or above {opts['fail_on']} in {source}", returncode=EXIT_FINDINGS)
