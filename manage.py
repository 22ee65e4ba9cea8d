#!/usr/bin/env python
"""Django's command-line utility for dbconsole.

On the embedded default (no ``DATABASE_URL``) it starts the embedded history store before a command
that needs it, so every command works without ``make run``. Commands that never touch the database say
so with ``needs_history_store = False`` and start nothing.
"""

import os
import sys

NO_DATABASE = {"help", "--help", "-h", "version", "--version", "shell_plus"}


def needs_history_store(argv: list[str]) -> bool:
    if len(argv) < 2 or argv[1] in NO_DATABASE or os.environ.get("DATABASE_URL"):
        return False
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    app = get_commands().get(argv[1])
    if app is None:
        return False  # Django prints "Unknown command" itself
    command = load_command_class(app, argv[1])
    return bool(getattr(command, "needs_history_store", True))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dbconsole.settings")
    if needs_history_store(sys.argv):
        from dbconsole.embedded.stack import autostart_history_store

        autostart_history_store()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
