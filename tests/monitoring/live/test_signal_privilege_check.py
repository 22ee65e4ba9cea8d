"""``targets check`` says whether operators can cancel and terminate sessions from the live pages."""

from __future__ import annotations

import pytest

from monitoring.targets.checks import INFO, OK, check_params
from monitoring.targets.service import check_target
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


def test_it_names_the_grant_when_the_monitoring_role_lacks_pg_signal_backend(target_db: TargetDb) -> None:
    report = check_target(target_db.make_target())
    finding = next(f for f in report.findings if f.name == "pg_signal_backend")
    assert finding.level == INFO
    assert "cannot cancel or terminate" in finding.detail
    assert finding.hint == "GRANT pg_signal_backend TO dbconsole_monitor;"


def test_it_is_satisfied_once_the_role_holds_pg_signal_backend(target_db: TargetDb) -> None:
    role = f"ops_check_{target_db.dbname}"
    with target_db.connect() as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'ops-secret-1' IN ROLE pg_monitor, pg_signal_backend")
    try:
        params = {"host": "127.0.0.1", "port": target_db.cluster.port, "dbname": target_db.dbname,
                  "user": role, "password": "ops-secret-1", "sslmode": "disable"}
        finding = next(f for f in check_params(params).findings if f.name == "pg_signal_backend")
        assert finding.level == OK and finding.hint == ""
    finally:
        with target_db.connect() as admin:
            admin.execute(f"DROP ROLE {role}")


def test_it_superuser_gets_no_such_finding(target_db: TargetDb) -> None:
    params = {"host": "127.0.0.1", "port": target_db.cluster.port, "dbname": target_db.dbname,
              "user": target_db.cluster.superuser, "password": target_db.cluster.password, "sslmode": "disable"}
    assert not any(f.name == "pg_signal_backend" for f in check_params(params).findings)
