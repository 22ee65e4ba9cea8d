"""Never "ok" while blind: a rule that cannot see its evidence says so — an "unknown" finding naming
the grant that fixes it — and what it could not see is never taken for "fine" (nothing is resolved)."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.models import Recommendation, Status
from advisor.review.run import run_advisor
from advisor.rules.options import AdvisorOptions
from monitoring.collectors.runner import run as run_collector
from monitoring.models import Target
from tests.advisor.planted_shop import collect
from tests.support.targets import MONITOR_ROLE, TargetDb

pytestmark = pytest.mark.django_db

SCHEMA = """
CREATE SCHEMA "Billing";
CREATE TABLE "Billing".tickets (id serial PRIMARY KEY, subject text NOT NULL);
INSERT INTO "Billing".tickets (subject) SELECT 'ticket ' || g FROM generate_series(1, 10) g;
SELECT setval('"Billing".tickets_id_seq', 2000000000);
CREATE TABLE "Billing".ledger (id bigint PRIMARY KEY, line text NOT NULL);
INSERT INTO "Billing".ledger SELECT g, repeat('x', 60) FROM generate_series(1, 40000) g;
ANALYZE;
"""
SEQUENCES = AdvisorOptions(rules=("sequence_overflow",))


def test_it_unreadable_sequences_are_unknown_with_the_grant_and_resolve_nothing(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute(SCHEMA)
        conn.execute(f'GRANT USAGE ON SCHEMA "Billing" TO {MONITOR_ROLE}')
        conn.execute(f'GRANT SELECT ON ALL SEQUENCES IN SCHEMA "Billing" TO {MONITOR_ROLE}')
    target = target_db.make_target()
    collect(target, ("sequences",))
    seen = run_advisor(target, options=SEQUENCES)
    (overflow,) = [r for r in seen.recommendations if r.kind == "sequence_overflow"]
    assert overflow.object_key == "Billing.tickets_id_seq" and overflow.severity == "critical"
    assert seen.run.rules_by_name["sequence_overflow"]["state"] == "critical"

    # The grant goes (as in the demo): the sequence cannot be read any more.
    with target_db.connect() as conn:
        conn.execute(f'REVOKE SELECT ON ALL SEQUENCES IN SCHEMA "Billing" FROM {MONITOR_ROLE}')
    collect(target, ("sequences",))
    blind = run_advisor(target, options=SEQUENCES)
    rule = blind.run.rules_by_name["sequence_overflow"]
    assert rule["state"] == "unknown"
    assert rule["blind"][0]["message"] == "1 sequence(s) not readable by the monitoring role"
    (unknown,) = [r for r in blind.recommendations if r.kind == "cannot_evaluate"]
    assert unknown.severity == "unknown" and unknown.object_key == "sequence_overflow"
    grant = 'GRANT SELECT ON ALL SEQUENCES IN SCHEMA "Billing" TO "dbconsole_monitor";'
    assert grant in unknown.cost
    assert any(s["text"].startswith(grant) for s in unknown.evidence["sql"])
    assert "Billing.tickets_id_seq" in unknown.evidence["notes"]
    overflow.refresh_from_db()
    assert overflow.status == Status.OPEN   # unseen is not fine: the 93 % sequence stays on the list

    # Granted again: the rule sees, the unknown is resolved, the warning is still there.
    with target_db.connect() as conn:
        conn.execute(f'GRANT SELECT ON ALL SEQUENCES IN SCHEMA "Billing" TO {MONITOR_ROLE}')
    collect(target, ("sequences",))
    again = run_advisor(target, options=SEQUENCES)
    assert again.run.rules_by_name["sequence_overflow"]["state"] == "critical"
    unknown.refresh_from_db()
    assert unknown.status == Status.RESOLVED
    assert Recommendation.objects.get(pk=overflow.pk).status == Status.OPEN


def test_it_bloat_without_readable_statistics_is_unknown(target_db: TargetDb, settings: Any) -> None:
    settings.BLOAT_EXACT_TOP = 0   # estimates only (as without pgstattuple): they need pg_stats
    with target_db.connect() as conn:
        conn.execute(SCHEMA)
        conn.execute(f'GRANT USAGE ON SCHEMA "Billing" TO {MONITOR_ROLE}')   # no SELECT: pg_stats hides it
    target = target_db.make_target()
    collect(target, ("relations", "bloat"))
    outcome = run_advisor(target, options=AdvisorOptions(rules=("table_bloat",)))
    rule = outcome.run.rules_by_name["table_bloat"]
    assert rule["state"] == "unknown", rule
    assert rule["blind"][0]["message"].startswith("bloat of 1 table(s) unknown")
    assert "GRANT SELECT ON them TO dbconsole_monitor" in rule["blind"][0]["hint"]
    (unknown,) = [r for r in outcome.recommendations if r.kind == "cannot_evaluate"]
    assert "Billing.ledger" in unknown.evidence["notes"]


def test_it_statements_hidden_from_the_monitoring_role_make_the_index_advice_unknown(target_db: TargetDb) -> None:
    role, password = "plain_watcher", "plain-watcher-1"
    with target_db.connect() as conn:
        conn.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
                     f"CREATE ROLE {role} LOGIN PASSWORD '{password}'; END IF; END $$")   # no pg_read_all_stats
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
        for i in range(5):
            conn.execute("SELECT body FROM notes WHERE id = %s", (i,))
    target = Target(name=target_db.dbname.replace("_", "-"), host="127.0.0.1", port=target_db.cluster.port,
                    dbname=target_db.dbname, username=role, sslmode="disable")
    target.set_password(password)
    target.save()
    collect(target, ("statements",))
    with target_db.connect() as conn:
        conn.execute("SELECT body FROM notes WHERE id = 9")
    result = run_collector(target, "statements")
    assert result.status == "partial" and "hidden from the monitoring role" in result.line()
    outcome = run_advisor(target, options=AdvisorOptions(rules=("missing_indexes",)))
    rule = outcome.run.rules_by_name["missing_indexes"]
    assert rule["state"] == "unknown"
    assert rule["blind"][0]["hint"].startswith("GRANT pg_read_all_stats")
