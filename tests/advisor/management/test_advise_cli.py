"""manage.py advise on a real target: text for people, JSON for tools, SQL for pipes, exit codes for CI."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from advisor.models import Recommendation
from monitoring.models import Target
from tests.advisor.planted_shop import collect, grant_reads
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

SCHEMA = """
CREATE TABLE items (id serial PRIMARY KEY, code text NOT NULL, label text NOT NULL);
INSERT INTO items (code, label) SELECT 'code-' || g, 'Item ' || g FROM generate_series(1, 40000) g;
ANALYZE items;
"""


@pytest.fixture
def items(target_db: TargetDb) -> Target:
    """A table looked up by an unindexed code, and an id sequence at 80 % of int4: a warning, no critical."""
    with target_db.connect() as conn:
        conn.execute(SCHEMA)
        conn.execute("SELECT setval('items_id_seq', 1717986918)")
        grant_reads(conn)
    target = target_db.make_target()
    collect(target)
    with target_db.connect() as conn:
        for i in range(25):
            conn.execute("SELECT id, label FROM items WHERE code = %s", (f"code-{i * 97}",))
    collect(target)
    return target


def advise(*args: str) -> str:
    out = io.StringIO()
    call_command("advise", *args, stdout=out)
    return out.getvalue()


def test_it_sql_format_prints_only_the_create_index_statements(items: Target) -> None:
    out = advise("--target", items.name, "--format", "sql")
    assert out.splitlines() == ["CREATE INDEX items_code_idx ON public.items USING btree (code);"]


def test_it_text_format_says_what_it_found_and_whether_it_was_verified(items: Target, target_db: TargetDb) -> None:
    out = advise("--target", items.name)
    assert "Add an index on items (code)" in out
    assert "public.items.id is 80% of the way to overflow" in out
    workload = next(line for line in out.splitlines() if line.startswith("workload: "))
    assert " planned, " in workload and " statement(s) considered" in workload
    assert "  skipped " in out and "dbconsole's own statement" in out
    assert "rule config_memory unknown: the machine's RAM is unknown (fix: enter it on" in out
    if target_db.major == 15:
        assert "checked with HypoPG" in out and "[unverified]" not in out
    else:
        assert "UNVERIFIED" in out and "[unverified]" in out


def test_it_json_format_carries_the_evidence(items: Target) -> None:
    data = json.loads(advise("--target", items.name, "--format", "json"))
    kinds = {r["kind"] for r in data["recommendations"]}
    assert kinds == {"missing_index", "sequence_overflow", "cannot_evaluate"}
    unknown = {r["object_key"] for r in data["recommendations"] if r["kind"] == "cannot_evaluate"}
    assert unknown == {"config_memory", "config_storage"}   # no machine facts: unknown, and said so
    assert data["run"]["workload"]["considered"] >= 1 and data["run"]["workload"]["planned"] >= 1
    index = next(r for r in data["recommendations"] if r["kind"] == "missing_index")
    assert index["evidence"]["statements"][0]["calls"] == 25
    assert {r["name"]: r["status"] for r in data["run"]["rules"]}["missing_indexes"] == "ok"


def test_it_fail_on_sets_the_exit_status(items: Target) -> None:
    advise("--target", items.name, "--fail-on", "critical")   # only warnings: passes
    with pytest.raises(CommandError) as failed:
        advise("--target", items.name, "--fail-on", "warning")
    assert failed.value.returncode == 2 and "at or above warning" in str(failed.value)


def test_it_running_it_again_never_duplicates(items: Target) -> None:
    advise("--target", items.name)
    first = Recommendation.objects.filter(target=items).count()
    advise("--target", items.name)
    assert Recommendation.objects.filter(target=items).count() == first == 4


def test_it_tiny_budget_leaves_the_index_out(items: Target) -> None:
    out = advise("--target", items.name, "--format", "sql", "--budget-mb", "1")
    assert out == ""


def test_it_refuses_bad_arguments(items: Target) -> None:
    with pytest.raises(CommandError, match="no target named"):
        advise("--target", "nope")
    with pytest.raises(CommandError, match="must be positive"):
        advise("--target", items.name, "--budget-mb", "0")
    with pytest.raises(CommandError, match="unknown rule"):
        advise("--target", items.name, "--rule", "gut_feeling")
