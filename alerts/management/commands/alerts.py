"""``manage.py alerts``: channels, silences and what fires, from the command line (audited as the
CLI's OS user, like every other command).

    manage.py alerts channel add NAME --webhook URL [--kind generic|slack|pagerduty|email|apprise]
                                 [--severity info|warning|critical] [--tag prod] [--email a@b.c]
                                 [--events-url URL] [--no-resolved]
    manage.py alerts channel test NAME
    manage.py alerts channel list
    manage.py alerts channel remove NAME
    manage.py alerts list [--target T] [--all]
    manage.py alerts silence --target T [--rule R] [--label k=v] --for 2h --comment "..."
    manage.py alerts rules
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alerts import actions, selectors
from alerts.models import Channel, ChannelKind
from alerts.models.channel import SEVERITIES
from alerts.rules import registry
from dbconsole.formatting import format_duration
from monitoring.models import Target


class Command(BaseCommand):
    help = "Alert channels, silences and the alerts firing now."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        channel = sub.add_parser("channel", help="notification channels")
        verbs = channel.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("add", help="add a channel")
        add.add_argument("name")
        add.add_argument("--webhook", "--url", dest="url", default="",
                         help="webhook URL (generic, slack), routing key (pagerduty) or apprise URL")
        add.add_argument("--kind", choices=ChannelKind.values, default=ChannelKind.WEBHOOK)
        add.add_argument("--severity", choices=SEVERITIES, default="info", help="the least severity it receives")
        add.add_argument("--tag", action="append", default=[], help="only targets with this tag (repeatable)")
        add.add_argument("--email", action="append", default=[], help="recipient (email kind; repeatable)")
        add.add_argument("--no-resolved", action="store_true", help="do not send resolved notifications")
        add.add_argument("--events-url", default="", help="pagerduty: another Events API URL (e.g. the EU one)")
        test = verbs.add_parser("test", help="send a test notification now")
        test.add_argument("name")
        verbs.add_parser("list", help="list channels")
        remove = verbs.add_parser("remove", help="remove a channel")
        remove.add_argument("name")
        listing = sub.add_parser("list", help="alerts firing and pending (and recently resolved with --all)")
        listing.add_argument("--target")
        listing.add_argument("--all", action="store_true", help="also the last day's resolved alerts")
        silence = sub.add_parser("silence", help="silence a target, a rule or a label for a while")
        silence.add_argument("--target")
        silence.add_argument("--rule", default="")
        silence.add_argument("--label", action="append", default=[], help="k=v (repeatable)")
        silence.add_argument("--for", dest="duration", required=True, help="30m, 2h, 1d …")
        silence.add_argument("--comment", required=True)
        silence.add_argument("--maintenance", action="store_true", help="record it as a maintenance window")
        sub.add_parser("rules", help="every rule with its severity, threshold and for")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["what"] == "channel":
                getattr(self, f"_channel_{options['verb']}")(options)
            else:
                getattr(self, f"_{options['what']}")(options)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None

    # -- channels -------------------------------------------------------------------------------------

    def _channel_add(self, o: dict[str, Any]) -> None:
        if o["kind"] != ChannelKind.EMAIL and not o["url"]:
            raise CommandError("--webhook URL is required (the routing key for pagerduty)")
        channel = actions.add_channel(o["name"], o["kind"], secret=o["url"], emails=o["email"],
                                      min_severity=o["severity"], tags=o["tag"], send_resolved=not o["no_resolved"],
                                      url=o["events_url"])
        self.stdout.write(f"channel {channel.name} added: {channel.kind} {channel.display or ', '.join(channel.emails)}"
                          f", severity ≥ {channel.min_severity}, "
                          f"{'tags ' + ', '.join(channel.tags) if channel.tags else 'every target'}")

    def _channel_test(self, o: dict[str, Any]) -> None:
        channel = _channel(o["name"])
        _notification, sent = actions.test_channel(channel)
        if not sent.ok:
            raise CommandError(f"test notification to {channel.name} failed: {sent.error}")
        self.stdout.write(f"test notification delivered to {channel.name}"
                          + (f" (HTTP {sent.status_code})" if sent.status_code else ""))

    def _channel_list(self, o: dict[str, Any]) -> None:
        for row in selectors.channel_rows():
            c = row.channel
            state = "enabled" if c.enabled else "disabled"
            failing = f", {row.failed} failed notification(s)" if row.failed else ""
            self.stdout.write(f"{c.name}\t{c.kind}\t{c.display or ', '.join(c.emails)}\tseverity ≥ {c.min_severity}\t"
                              f"{','.join(c.tags) or 'every target'}\t{state}{failing}")

    def _channel_remove(self, o: dict[str, Any]) -> None:
        channel = _channel(o["name"])
        actions.remove_channel(channel)
        self.stdout.write(f"channel {channel.name} removed")

    # -- alerts and silences ----------------------------------------------------------------------------

    def _list(self, o: dict[str, Any]) -> None:
        target = _target(o["target"]) if o["target"] else None
        board = selectors.board(target, history_days=1 if o["all"] else 0)
        rows = [*board.firing, *board.pending, *board.silenced, *(board.history if o["all"] else [])]
        if not rows:
            self.stdout.write("no alert" + (f" on {target.name}" if target else ""))
        for row in rows:
            a = row.alert
            self.stdout.write(f"{row.status}\t{a.severity}\t{a.target.name}\t{a.rule}\t"
                              f"{format_duration(row.duration_seconds)}\t{a.summary}")

    def _silence(self, o: dict[str, Any]) -> None:
        target = _target(o["target"]) if o["target"] else None
        labels = {}
        for pair in o["label"]:
            key, sep, value = pair.partition("=")
            if not sep or not key:
                raise CommandError(f"--label {pair!r}: write key=value")
            labels[key] = value
        silence = actions.create_silence(target=target, rule=o["rule"], labels=labels,
                                         duration=actions.parse_duration(o["duration"]), comment=o["comment"],
                                         kind="maintenance" if o["maintenance"] else "silence")
        self.stdout.write(f"{silence.kind} {silence.pk} until {silence.ends_at:%Y-%m-%d %H:%M} UTC: "
                          f"{target.name if target else 'every target'}"
                          + (f", rule {silence.rule}" if silence.rule else "")
                          + (f", labels {labels}" if labels else ""))

    def _rules(self, o: dict[str, Any]) -> None:
        for key, rule in registry().items():
            self.stdout.write(f"{key}\t{rule.severity}\t{rule.threshold or '-'}\tfor {rule.for_s}s\t{rule.title}")


def _channel(name: str) -> Channel:
    channel = Channel.objects.filter(name=name).first()
    if channel is None:
        raise CommandError(f"no channel named {name!r}")
    return channel


def _target(name: str) -> Target:
    target = Target.objects.filter(name=name).first()
    if target is None:
        raise CommandError(f"no target named {name!r}")
    return target
