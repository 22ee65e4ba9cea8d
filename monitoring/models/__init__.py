"""Models of the monitoring app, one module per concern."""

from monitoring.models.events import Event
from monitoring.models.locks import LockIncident, LockSample
from monitoring.models.pgsettings import SettingChange, SettingValue
from monitoring.models.relations import Relation
from monitoring.models.sequences import SequenceSnapshot
from monitoring.models.statements import QueryText, Statement, StatementRanking
from monitoring.models.status import CollectorStatus
from monitoring.models.target import Target

__all__ = [
    "CollectorStatus",
    "Event",
    "LockIncident",
    "LockSample",
    "QueryText",
    "Relation",
    "SequenceSnapshot",
    "SettingChange",
    "SettingValue",
    "Statement",
    "StatementRanking",
    "Target",
]
