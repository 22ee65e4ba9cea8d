"""A real target for the API's tests: the advisor's planted shop (missing, duplicate, unused and invalid
indexes, bloat, a sequence near overflow…), collected twice by the real collectors around a workload,
a real lock incident collected while it held, the statements rolled up, the advisor's first run, and the
alert rules evaluated on all of it (the alerts it raises: the API's alert endpoints have real rows)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from advisor.models import Recommendation
from advisor.review.run import RunOutcome, run_advisor
from advisor.rules.options import AdvisorOptions
from alerts.evaluation.engine import evaluate_target
from dbconsole.embedded.pgcluster import PgCluster
from monitoring.history.rollups_statements import rollup_target
from monitoring.models import Target
from tests.advisor.planted_shop import (
    CHANGES,
    COLLECTORS,
    collect,
    force_checkpoints,
    forget,
    plant_shop,
    shop_workload,
    spill_to_disk,
)
from tests.monitoring.views.history_data import lock_incident
from tests.support.targets import TargetDb, fresh_database
from tests.support.workload import BlockingChain


@dataclass
class Scene:
    db: TargetDb
    target: Target
    outcome: RunOutcome
    chain: BlockingChain

    def rec(self, kind: str) -> Recommendation:
        found = [r for r in self.outcome.recommendations if r.kind == kind]
        assert found, (kind, [r.kind for r in self.outcome.recommendations])
        return found[0]


def build(cluster: PgCluster, prefix: str = "api", name: str | None = None) -> Iterator[Scene]:
    """Plant, collect, work, collect, hold a lock, roll up, advise; yields the scene, then forgets it."""
    for db in fresh_database(cluster, prefix=prefix):
        plant_shop(db)
        target = db.make_target(name)
        collect(target, (*COLLECTORS, "replication"))
        with db.connect() as conn:
            for statement in CHANGES:
                conn.execute(statement)
            shop_workload(conn)
            spill_to_disk(conn)
            force_checkpoints(conn)
        collect(target, (*COLLECTORS, "replication"))
        chain = lock_incident(db, target, samples=2, also=("activity",))
        rollup_target(target.pk)
        # The scene's statistics are minutes old: an unused index may be named only with the observation
        # minimum waived (the advisor's own tests cover the 14-day default).
        outcome = run_advisor(target, options=AdvisorOptions(min_observation_days=0), trigger="cli")
        evaluate_target(target.pk)
        yield Scene(db=db, target=target, outcome=outcome, chain=chain)
        forget(target)
