"""Models of the alerts app, one module per concern."""

from alerts.models.alert import Alert, AlertState, TargetEvaluation
from alerts.models.channel import Channel, ChannelKind
from alerts.models.delivery import DeliveryAttempt, Notification, NotificationGroup
from alerts.models.rule_setting import RuleSetting
from alerts.models.silence import Silence

__all__ = [
    "Alert",
    "AlertState",
    "Channel",
    "ChannelKind",
    "DeliveryAttempt",
    "Notification",
    "NotificationGroup",
    "RuleSetting",
    "Silence",
    "TargetEvaluation",
]
