"""manage.py advise: profile and caps for the index advice, MB of 10^6 bytes, and foreign-key indexes in
--format sql only with evidence (a safety finding without it is listed, never piped)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from advisor.rules.options import MB, AdvisorOptions
from monitoring.models import Target
from tests.advisor.planted_shop import collect, grant_reads
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

SCHEMA = """
CREATE TABLE teams (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE members (id serial PRIMARY KEY, team_id int NOT NULL REFERENCES teams (id), email text NOT NULL);
INSERT INTO teams (name) SELECT 'team ' || g FROM generate_series(1, 2000) g;
INSERT INTO members (team_id, email) SELECT 1 + g % 2000, 'm' || g || '@example.com' FROM generate_series(1, 40000) g;
ANALYZE;
"""


@pytest.fixture
def shop(pg15_db: TargetDb) -> Target:
    """Members looked up by email (no index), and a foreign key whose parent is never deleted from."""
    with pg15_db.connect() as conn:
        conn.execute(SCHEMA)
        grant_reads(conn)
    target = pg15_db.make_target()
    collect(target)
    with pg15_db.connect() as conn:
        for i in range(30):
            conn.execute("SELECT id, team_id FROM members WHERE email = %s", (f"m{i * 131}@example.com",))
    collect(target)
    return target


def advise(*args: str) -> str:
    out = io.StringIO()
    call_command("advise", *args, stdout=out)
    return out.getvalue()


def test_it_pipes_only_what_the_net_benefit_proposes(shop: Target) -> None:
    assert advise("--target", shop.name, "--format", "sql").splitlines() == [
        "CREATE INDEX members_email_idx ON public.members USING btree (email);"]
    text = advise("--target", shop.name)
    assert "Safety: foreign key members(team_id) has no index" in text
    assert "profile balanced, no budget" in text
    data = json.loads(advise("--target", shop.name, "--format", "json"))
    (safety,) = [r for r in data["recommendations"] if r["kind"] == "fk_without_index"]
    assert safety["severity"] == "info" and safety["evidence"]["safety_only"] is True
    index = next(r for r in data["recommendations"] if r["kind"] == "missing_index")
    facts = {f["label"]: f for f in index["evidence"]["facts"]}
    assert {"Size", "Index entries written", "HOT updates it would end", "Net benefit"} <= set(facts)
    assert "deduplication" in facts["Size"]["hint"] and data["run"]["index_advice"]["profile"] == "balanced"


def test_it_takes_profile_and_caps_with_megabytes_of_a_million_bytes(shop: Target) -> None:
    text = advise("--target", shop.name, "--profile", "write-optimised", "--budget-mb", "3", "--max-per-table", "1")
    assert "profile write-optimised, budget 3 MB (10^6 bytes, estimated btree sizes), at most 1 new per table" in text
    assert MB == 1_000_000 and AdvisorOptions(budget_bytes=3 * MB).budget_for(10**12) == 3_000_000
    assert AdvisorOptions(budget_share=0.0).budget_for(10**12) is None  # no budget unless asked for
    with pytest.raises(CommandError, match="must be positive"):
        advise("--target", shop.name, "--max-per-table", "0")


def test_it_proposes_the_foreign_key_index_once_parents_are_deleted(pg15_db: TargetDb) -> None:
    with pg15_db.connect() as conn:
        conn.execute(SCHEMA)
        conn.execute("INSERT INTO teams (name) SELECT 'spare ' || g FROM generate_series(1, 600) g")
        grant_reads(conn)
    target = pg15_db.make_target()
    collect(target)
    with pg15_db.connect() as conn:
        # Each deleted team makes the server look for its members: 600 scans of members without an index.
        conn.execute("DELETE FROM teams WHERE id > 2000")
        conn.execute("SELECT pg_stat_force_next_flush()")
    collect(target)
    data = json.loads(advise("--target", target.name, "--format", "json"))
    (index,) = [r for r in data["recommendations"] if r["kind"] == "missing_index"]
    assert index["object_key"] == "public.members (team_id)"
    # The test clusters record nested statements (pg_stat_statements.track = all): the server's own
    # lookup is in the workload with its 600 calls, and is not counted a second time.
    (lookup,) = index["evidence"]["statements"]
    assert 'ONLY "public"."members" x' in lookup["query"] and lookup["calls"] == 600
    assert any("members_team_id_fkey" in n for n in index["evidence"]["notes"])
    assert not [r for r in data["recommendations"] if r["kind"] == "fk_without_index"]
    assert advise("--target", target.name, "--format", "sql").splitlines() == [
        "CREATE INDEX members_team_id_idx ON public.members USING btree (team_id);"]


def test_it_writes_the_lookup_down_only_where_pg_stat_statements_did_not_record_it() -> None:
    from advisor.selection.foreign_keys import fk_check_statement, recorded_lookup
    from pgsql.workload import WorkloadStatement

    check = fk_check_statement(constraint="members_team_id_fkey", schema="public", table="members",
                               columns=("team_id",), ref_table="teams", parent_rows=600)
    assert check.queryid < 0 and check.calls == 600 and "teams row deleted" in (check.origin or "")
    assert check.query == "SELECT 1 FROM ONLY public.members AS x WHERE x.team_id = $1"
    server = WorkloadStatement(queryid=7, query='SELECT $2 FROM ONLY "public"."members" x WHERE $1 '
                                                'OPERATOR(pg_catalog.=) "team_id" FOR KEY SHARE OF x')
    assert recorded_lookup([server], "public", "members", ("team_id",))
    assert not recorded_lookup([server], "public", "members", ("team",))
    assert not recorded_lookup([server], "public", "teams", ("team_id",))
