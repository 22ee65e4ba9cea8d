"""``manage.py api-token create USERNAME [--name N] [--expires 90d|12h|never]`` prints the new token alone on
its own line (everything else goes to stderr, so ``TOKEN=$(manage.py api-token create admin)`` works);
``list [USERNAME]`` and ``revoke PREFIX`` manage them. Every creation and revocation is audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.models import ApiToken
from api.tokens import DEFAULT_EXPIRES, TokenError, create_token, parse_expires, revoke_token


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for USERNAME and print it (once).")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What it is for (default: its prefix).")
        create.add_argument("--expires", default=DEFAULT_EXPIRES, help="90d, 12h or never (default 90d).")
        listing = sub.add_parser("list", help="List tokens (prefix, user, name, expiry, last use).")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="Revoke the token with this prefix (as listed).")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["username"], options["name"], options["expires"])
        elif action == "list":
            self._list(options["username"])
        else:
            self._revoke(options["prefix"])

    def _create(self, username: str, name: str, expires: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        try:
            issued = create_token(user, name=name, expires=parse_expires(expires))
        except TokenError as exc:
            raise CommandError(str(exc)) from None
        until = issued.token.expires_at.isoformat(timespec="minutes") if issued.token.expires_at else "never"
        self.stderr.write(f"token {issued.token.label} for {username}, expires {until}; shown once:")
        self.stdout.write(issued.secret)

    def _list(self, username: str | None) -> None:
        qs = ApiToken.objects.select_related("user").order_by("user__username", "name")
        if username:
            qs = qs.filter(user__username=username)
        for t in qs:
            expires = t.expires_at.isoformat(timespec="minutes") if t.expires_at else "never"
            used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "never"
            state = " (expired)" if t.expired else ""
            self.stdout.write(f"{t.prefix}  {t.user.get_username():<20} {t.name:<30} expires {expires}{state}  "
                              f"last used {used}")

    def _revoke(self, prefix: str) -> None:
        token = ApiToken.objects.select_related("user").filter(prefix=prefix.rstrip("…")).first()
        if token is None:
            raise CommandError(f"no token with prefix {prefix!r} (see: manage.py api-token list)")
        revoke_token(token)
        self.stderr.write(f"revoked {token.label} of {token.user.get_username()}")
