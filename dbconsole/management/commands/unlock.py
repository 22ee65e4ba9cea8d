"""manage.py unlock — lift a login lockout before its cool-off ends, and say so in the audit log.

    manage.py unlock admin            # forget the failed logins of user name "admin" (from anywhere)
    manage.py unlock --ip 10.1.2.3    # forget the failed logins from that address (any user name)
    manage.py unlock --list           # who and which addresses are locked out now

django-axes ships ``axes_reset_username`` / ``axes_reset_ip`` too; this command wraps the same reset so
that lifting a lockout — a security decision — lands in the audit trail like every other state change,
and so one name covers both kinds of lock.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dbconsole import logins


class Command(BaseCommand):
    help = "Lift a login lockout (by user name and/or client address); --list shows current lockouts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="user name whose failed logins to forget")
        parser.add_argument("--ip", dest="address", help="client address whose failed logins to forget")
        parser.add_argument("--list", action="store_true", help="list the current lockouts and change nothing")

    def handle(self, *args: Any, **opts: Any) -> None:
        username: str | None = opts["username"]
        address: str | None = opts["address"]
        if opts["list"]:
            self._list()
            return
        if not username and not address:
            raise CommandError("name a user (manage.py unlock USERNAME) or an address (--ip ADDRESS), or --list")
        if address:
            try:
                address = str(ipaddress.ip_address(address))
            except ValueError:
                raise CommandError(f"--ip {address!r} is not an IP address") from None
        if username is not None and "\x00" in username:
            raise CommandError("a user name cannot contain a NUL character")
        removed = logins.unlock(username=username, address=address)
        what = " and ".join(part for part in (f"user {username!r}" if username else "",
                                                  f"address {address}" if address else "") if part)
        self.stdout.write(f"unlocked {what}: {removed} failed-login record(s) removed")

    def _list(self) -> None:
        locks = logins.current_lockouts()
        if not locks:
            self.stdout.write("nobody is locked out")
        for lock in locks:
            self.stdout.write(f"{lock.kind:<8} {lock.key}  ({lock.failures} failed logins)")
