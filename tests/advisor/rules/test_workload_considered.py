"""The index advice says what it considered: dbconsole's own statements are recognised by their marker,
not by role — a database monitored with the application's own role still gets advice — and every run
reports how many statements it considered, planned and skipped, and why."""

from __future__ import annotations

import pytest

from advisor.review.run import run_advisor
from advisor.rules.options import AdvisorOptions
from advisor.rules.workload import OWN
from monitoring.models import Target
from tests.advisor.planted_shop import collect
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

APP_ROLE, APP_PASSWORD = "shop_app", "shop-app-secret"
SCHEMA = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}' IN ROLE pg_monitor;
    END IF;
END $$;
CREATE TABLE parcels (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tracking text NOT NULL,
                      note text NOT NULL);
INSERT INTO parcels (tracking, note) SELECT 'TR' || g, 'parcel ' || g FROM generate_series(1, 30000) g;
ANALYZE parcels;
CREATE TABLE audit_log (at timestamptz NOT NULL DEFAULT now(), line text NOT NULL);
"""


def app_target(db: TargetDb) -> Target:
    """Monitored with the application's own role, as small shops do."""
    with db.connect() as conn:
        conn.execute(SCHEMA)
        conn.execute(f"ALTER TABLE parcels OWNER TO {APP_ROLE}")
        conn.execute(f"ALTER TABLE audit_log OWNER TO {APP_ROLE}")
    target = Target(name=db.dbname.replace("_", "-"), host="127.0.0.1", port=db.cluster.port, dbname=db.dbname,
                    username=APP_ROLE, sslmode="disable")
    target.set_password(APP_PASSWORD)
    target.save()
    return target


def test_it_advises_a_database_monitored_with_the_application_role(target_db: TargetDb) -> None:
    target = app_target(target_db)
    collect(target)
    with target_db.connect(user=APP_ROLE, password=APP_PASSWORD) as conn:
        for i in range(30):
            conn.execute("SELECT id, note FROM parcels WHERE tracking = %s", (f"TR{i * 113}",))
        conn.execute("INSERT INTO audit_log (line) VALUES ('checked')")
    collect(target)
    outcome = run_advisor(target, options=AdvisorOptions(rules=("missing_indexes", "duplicate_indexes",
                                                                "unused_indexes", "invalid_indexes")),
                          trigger="cli")
    found = [r.object_key for r in outcome.recommendations if r.kind == "missing_index"]
    assert any(k.startswith("public.parcels (tracking") for k in found), found

    workload = outcome.run.workload
    reasons = {r["reason"]: r for r in workload["reasons"]}
    assert workload["considered"] == workload["planned"] + workload["skipped"]
    assert workload["planned"] >= 1
    # The collectors ran as the same role: recognised by the marker, each one shown with its reason.
    assert reasons[OWN]["count"] >= 5
    assert all("/* dbconsole */" in e["query"] for e in reasons[OWN]["examples"])
    # The application's INSERT is considered and skipped by the engine, with its reason.
    assert any("INSERT" in e["query"] for r in workload["reasons"] for e in r["examples"] if r["reason"] != OWN)


def test_it_never_claims_a_collection_is_missing_when_the_database_has_no_index(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE heap_only (a int, b text)")
        conn.execute("INSERT INTO heap_only SELECT g, 'x' FROM generate_series(1, 100) g")
    target = target_db.make_target()
    collect(target, ("relations",))
    outcome = run_advisor(target, options=AdvisorOptions(rules=("duplicate_indexes", "unused_indexes",
                                                                "invalid_indexes", "autovacuum_lag")))
    rules = outcome.run.rules_by_name
    for name in ("duplicate_indexes", "unused_indexes", "invalid_indexes"):
        assert (rules[name]["status"], rules[name]["state"]) == ("ok", "ok"), rules[name]
        assert "collection" not in rules[name].get("message", "")
    assert rules["autovacuum_lag"]["message"] == "no settings collection yet"   # that one really is missing
    assert outcome.recommendations == [r for r in outcome.recommendations if r.kind == "cannot_evaluate"]
