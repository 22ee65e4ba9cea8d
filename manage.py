#!/usr/bin/env python
"""Django's command-line utility for dbconsole.

On the embedded default (no ``DATABASE_URL``) it starts the embedded history store first, so every
command works without ``make run``.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dbconsole.settings")
    quiet = len(sys.argv) < 2 or sys.argv[1] in {"help", "--help", "-h", "version", "--version", "check"}
    if not quiet:
        from dbconsole.embedded.stack import autostart_history_store

        autostart_history_store()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
