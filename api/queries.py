"""The query parameters of every endpoint, declared once (``params.Query``): the views validate with
them, the OpenAPI schema is written from them, and the tests walk them with hostile values."""

from __future__ import annotations

from advisor.models import Category, Severity, Status
from alerts import selectors as alert_selectors
from api.params import SLUG, Choice, Flag, Query, Text
from api.serializers.advice import DRAFT_FORMATS
from monitoring.history.selectors import statements as stmt
from monitoring.history.selectors.activity import BY
from monitoring.models.relations import TABLE_KINDS
from monitoring.ui.statements import DEFAULT_SORT

INDEX_FLAGS = ("unused", "duplicate", "invalid", "drop")
SESSION_STATES = ("active", "idle", "idle in transaction", "idle in transaction (aborted)", "fastpath function call",
                  "disabled")


def sorts(*keys: str) -> tuple[str, ...]:
    """Each key ascending, and with a leading '-' descending."""
    return tuple(k for key in keys for k in (key, f"-{key}"))


NONE = Query()
TARGETS = Query((Text("tag", "Only targets with this tag.", max_length=40),), paged=True, page_size=100,
                max_page_size=500)
STATEMENTS = Query((
    Choice("sort", "Biggest first by: " + ", ".join(stmt.ORDERS) + " (as on the Queries page).",
           tuple(stmt.ORDERS), default=DEFAULT_SORT),
    Text("q", "Text contains (case-insensitive).", max_length=200),
    Text("database", "Only this database (exact).", max_length=63),
    Text("user", "Only this user (exact).", max_length=63),
), ranged=True, paged=True, page_size=50, max_page_size=stmt.PAGE_PASS_MAX)
STATEMENT = Query((), ranged=True)
STATEMENT_SERIES = Query((), ranged=True, paged=True, page_size=500, max_page_size=2000)
INDEXES = Query((
    Choice("flag", "Only indexes with this flag (duplicate includes redundant; drop: drop candidates).", INDEX_FLAGS),
    Text("table", "Only indexes of this table (schema.table, exact).", max_length=130),
    Text("q", "Name, table or definition contains (case-insensitive).", max_length=200),
    Choice("sort", "Sort key; a leading '-' sorts biggest first (empty values last).",
           sorts("bytes", "scans", "scans_total", "last_used", "name"), default="-bytes"),
), ranged=True, paged=True, page_size=100, max_page_size=1000)
TABLES = Query((
    Text("q", "Name contains (case-insensitive).", max_length=200),
    Choice("kind", "Only this kind.", tuple(TABLE_KINDS.values())),
    Choice("flag", "Only tables with this flag.", ("bloated", "wraparound")),
    Choice("sort", "Sort key; a leading '-' sorts biggest first (empty values last).",
           sorts("total_bytes", "growth_7d_bytes", "growth_30d_bytes", "bloat_ratio", "n_dead_tup", "dead_ratio",
                 "xid_age", "name"), default="-total_bytes"),
), paged=True, page_size=100, max_page_size=1000)
LOCK_INCIDENTS = Query((), ranged=True, paged=True, page_size=50, max_page_size=500)
LOCK_INCIDENT = Query((), paged=True, page_size=20, max_page_size=200)
CONNECTIONS = Query((Choice("by", "Breakdown of the counts.", tuple(sorted(BY)), default="state"),),
                    ranged=True, paged=True, page_size=500, max_page_size=5000)
SETTINGS = Query((
    Flag("non_default", "Only settings not at their default."),
    Text("q", "Name contains (case-insensitive).", max_length=100),
    Text("category", "Only this category (exact).", max_length=100),
), paged=True, page_size=100, max_page_size=1000)
SETTING_CHANGES = Query((Text("setting", "Only this setting (exact).", max_length=100),), ranged=True, paged=True,
                        page_size=100, max_page_size=1000)
AUDIT = Query((
    Text("target", "Only actions on this target (name, exact).", max_length=63),
    Text("action", "Only actions starting with this (e.g. backend. or advisor.accept).", max_length=64),
    Text("actor", "Only this actor (user name, exact).", max_length=150),
), ranged=True, paged=True, page_size=100, max_page_size=1000)
RECOMMENDATIONS = Query((
    Choice("status", "Only this status.", tuple(Status.values)),
    Choice("severity", "Only this severity.", tuple(Severity.values)),
    Choice("category", "Only this category.", tuple(Category.values)),
    Flag("include_resolved", "Include resolved recommendations (left out by default, as on the page)."),
), paged=True, page_size=50, max_page_size=500)
DRAFT = Query((Choice("format", "Which file of the draft.", tuple(DRAFT_FORMATS), default="sql"),))
ACTIVITY = Query((
    Choice("state", "Only sessions in this state.", SESSION_STATES),
    Text("user", "Only this user (exact).", max_length=63),
    Text("database", "Only this database (exact).", max_length=63),
), paged=True, page_size=100, max_page_size=1000)
ALERT_FILTERS = (
    Choice("state", "Only alerts in this state: firing (and notifying), pending (waiting for the rule's for), "
           "silenced (firing, kept quiet by a silence or maintenance window), inhibited (firing, kept quiet by "
           "its target being down) or resolved.", alert_selectors.LISTED_STATES),
    Choice("severity", "Only alerts of this severity.", alert_selectors.SEVERITIES),
    Choice("rule", "Only alerts of this rule (its alertname).", alert_selectors.rule_keys()),
)
TARGET_ALERTS = Query(ALERT_FILTERS, ranged=True, paged=True, page_size=50, max_page_size=500)
ALERTS = Query((*ALERT_FILTERS, Text("target", "Only alerts of this target (name, exact).", max_length=63,
                                     pattern=SLUG)), ranged=True, paged=True, page_size=50, max_page_size=500)
SILENCES = Query((
    Choice("status", "Only silences in this state: active (in force now), scheduled (a maintenance window "
           "ahead) or ended (expired or ended early); by default, those not ended.", alert_selectors.SILENCE_STATUSES),
    Text("target", "Only silences that apply to this target (its own and the fleet-wide ones; name, exact).",
         max_length=63, pattern=SLUG),
), paged=True, page_size=100, max_page_size=500)

# Every GET endpoint with its parameters, by URL name (the hostile-input tests walk this).
BY_URL_NAME = {
    "targets": TARGETS, "statements": STATEMENTS, "statement": STATEMENT, "statement-series": STATEMENT_SERIES,
    "indexes": INDEXES, "tables": TABLES, "lock-incidents": LOCK_INCIDENTS, "lock-incident": LOCK_INCIDENT,
    "connections": CONNECTIONS, "settings": SETTINGS, "setting-changes": SETTING_CHANGES, "audit": AUDIT,
    "recommendations": RECOMMENDATIONS, "recommendation-draft": DRAFT, "activity": ACTIVITY,
    "alerts": ALERTS, "target-alerts": TARGET_ALERTS, "silences": SILENCES,
}
