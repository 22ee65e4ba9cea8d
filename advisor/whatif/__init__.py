"""What-if planning: costs of workload statements with and without hypothetical indexes (HypoPG).

:class:`IndexSpec` describes an index that may not exist; :class:`WhatIfEngine` plans statements
generically on the target with a set of such indexes simulated by HypoPG, caches the costs, counts
every HypoPG and EXPLAIN call and always removes its hypothetical indexes.
"""

from __future__ import annotations

from advisor.whatif.engine import PlanCost, WhatIfEngine
from advisor.whatif.hypopg import HypoPG, HypoPGStatus, hypopg_status
from advisor.whatif.indexes import IndexSpec
from advisor.whatif.planner import GenericPlanner, PlanError

__all__ = [
    "GenericPlanner",
    "HypoPG",
    "HypoPGStatus",
    "IndexSpec",
    "PlanCost",
    "PlanError",
    "WhatIfEngine",
    "hypopg_status",
]
