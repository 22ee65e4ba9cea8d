"""Read ``EXPLAIN (FORMAT JSON)`` output into a tree a person can scan at 3 a.m.

Every node gets its *own* share of the work (its cost or time minus its children's), which is what
points at the culprit; the costliest nodes and the row estimates that are off by 10x or more are
flagged, since a bad estimate is the usual reason for a bad plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MISESTIMATE_FACTOR = 10.0
HOT_SHARE = 0.10  # a node doing at least this share of the work can be flagged as costly
HOT_COUNT = 3

# Keys shown as detail lines under a node, in this order.
DETAIL_KEYS = (
    "Index Cond", "Recheck Cond", "Hash Cond", "Merge Cond", "Join Filter", "Filter", "Sort Key",
    "Group Key", "Sort Method", "Presorted Key", "Cache Key", "One-Time Filter", "Rows Removed by Filter",
    "Rows Removed by Join Filter", "Rows Removed by Index Recheck", "Heap Fetches", "Workers Planned",
    "Workers Launched", "Peak Memory Usage", "Batches", "Subplan Name", "CTE Name",
)

UNITS = {"Peak Memory Usage": " kB", "Sort Space Used": " kB"}


@dataclass
class PlanNode:
    node_type: str
    label: str
    depth: int
    startup_cost: float
    total_cost: float
    plan_rows: float
    plan_width: int
    parent_relationship: str | None
    details: list[tuple[str, str]]
    actual_total_ms: float | None = None
    actual_rows: float | None = None
    loops: float | None = None
    shared_hit: int | None = None
    shared_read: int | None = None
    temp_written: int | None = None
    self_cost: float = 0.0
    self_ms: float | None = None
    share: float = 0.0  # of the whole plan's work (time when analyzed, else cost)
    costly: bool = False
    children: list[PlanNode] = field(default_factory=list)

    @property
    def analyzed(self) -> bool:
        return self.actual_rows is not None

    @property
    def never_executed(self) -> bool:
        return self.loops == 0

    @property
    def total_actual_rows(self) -> float | None:
        return None if self.actual_rows is None else self.actual_rows * (self.loops or 0)

    @property
    def misestimate(self) -> float | None:
        """How many times the estimate was off (≥ 1), per loop as EXPLAIN reports both; None if unknown."""
        if self.actual_rows is None or self.never_executed:
            return None
        actual, estimated = max(self.actual_rows, 1.0), max(self.plan_rows, 1.0)
        return max(actual / estimated, estimated / actual)

    @property
    def underestimated(self) -> bool:
        return self.actual_rows is not None and self.actual_rows > self.plan_rows

    @property
    def badly_estimated(self) -> bool:
        factor = self.misestimate
        return factor is not None and factor >= MISESTIMATE_FACTOR


@dataclass(frozen=True)
class TriggerRun:
    name: str
    relation: str
    time_ms: float | None
    calls: int | None


@dataclass
class Plan:
    root: PlanNode
    nodes: list[PlanNode]  # pre-order, for rendering as an indented list
    analyzed: bool
    planning_ms: float | None
    execution_ms: float | None
    triggers: list[TriggerRun]
    settings: dict[str, str]
    raw: list[dict[str, Any]]

    @property
    def raw_json(self) -> str:
        return json.dumps(self.raw, indent=2)

    @property
    def total_cost(self) -> float:
        return self.root.total_cost

    @property
    def costliest(self) -> list[PlanNode]:
        return sorted((n for n in self.nodes if n.costly), key=lambda n: -n.share)

    @property
    def misestimates(self) -> list[PlanNode]:
        bad = [n for n in self.nodes if n.badly_estimated]
        return sorted(bad, key=lambda n: -(n.misestimate or 0))


def read_plan(raw: list[dict[str, Any]]) -> Plan:
    """``raw`` is the JSON EXPLAIN returns: a one-element list holding ``{"Plan": …}``."""
    top = raw[0]
    nodes: list[PlanNode] = []
    root = _node(top["Plan"], 0, nodes)
    analyzed = root.analyzed
    _own_work(root)
    whole = (root.actual_total_ms or 0.0) * (root.loops or 1) if analyzed else root.total_cost
    for n in nodes:
        mine = (n.self_ms or 0.0) if analyzed else n.self_cost
        # Parallel children report per-worker averages times loops: clamp what cannot exceed the whole.
        n.share = min(mine / whole, 1.0) if whole > 0 else 0.0
    ranked = sorted(nodes, key=lambda n: -n.share)
    for n in ranked[:HOT_COUNT]:
        if n.share >= HOT_SHARE:
            n.costly = True
    return Plan(
        root=root, nodes=nodes, analyzed=analyzed,
        planning_ms=top.get("Planning Time"), execution_ms=top.get("Execution Time"),
        triggers=[TriggerRun(name=t.get("Trigger Name", "?"), relation=t.get("Relation", ""),
                             time_ms=t.get("Time"), calls=t.get("Calls")) for t in top.get("Triggers") or ()],
        settings=dict(top.get("Settings") or {}), raw=raw,
    )


def _node(data: dict[str, Any], depth: int, out: list[PlanNode]) -> PlanNode:
    node = PlanNode(
        node_type=data.get("Node Type", "?"),
        label=_label(data),
        depth=depth,
        startup_cost=float(data.get("Startup Cost", 0.0)),
        total_cost=float(data.get("Total Cost", 0.0)),
        plan_rows=float(data.get("Plan Rows", 0.0)),
        plan_width=int(data.get("Plan Width", 0)),
        parent_relationship=data.get("Parent Relationship"),
        details=[(k, _text(data[k]) + UNITS.get(k, "")) for k in DETAIL_KEYS if k in data],
        actual_total_ms=data.get("Actual Total Time"),
        actual_rows=data.get("Actual Rows"),
        loops=data.get("Actual Loops"),
        shared_hit=data.get("Shared Hit Blocks"),
        shared_read=data.get("Shared Read Blocks"),
        temp_written=data.get("Temp Written Blocks"),
    )
    out.append(node)
    node.children = [_node(child, depth + 1, out) for child in data.get("Plans") or ()]
    return node


def _own_work(node: PlanNode) -> None:
    """Self cost and self time: the node's figures minus its direct children's (never below zero)."""
    for child in node.children:
        _own_work(child)
    node.self_cost = max(node.total_cost - sum(c.total_cost for c in node.children), 0.0)
    if node.actual_total_ms is not None:
        mine = node.actual_total_ms * (node.loops or 0)
        theirs = sum((c.actual_total_ms or 0.0) * (c.loops or 0) for c in node.children)
        node.self_ms = max(mine - theirs, 0.0)


def _label(data: dict[str, Any]) -> str:
    """``Index Scan using orders_pkey on public.orders o`` — what EXPLAIN's text format prints."""
    parts = [data.get("Node Type", "?")]
    if data.get("Strategy") and data.get("Node Type") == "Aggregate":
        parts[0] = f"{data['Strategy'].title()} Aggregate".replace("Plain Aggregate", "Aggregate")
    join = data.get("Join Type")
    if join and join != "Inner":
        if parts[0] == "Nested Loop":
            parts[0] = f"Nested Loop {join} Join"
        elif parts[0].endswith(" Join"):
            parts[0] = f"{parts[0].rsplit(' ', 1)[0]} {join} Join"
    if data.get("Scan Direction") == "Backward":
        parts.append("Backward")
    if data.get("Index Name"):
        parts.append(f"using {data['Index Name']}")
    if data.get("Relation Name"):
        relation = data["Relation Name"]
        if data.get("Schema"):
            relation = f"{data['Schema']}.{relation}"
        parts.append(f"on {relation}")
        if data.get("Alias") and data["Alias"] != data["Relation Name"]:
            parts.append(data["Alias"])
    elif data.get("CTE Name"):
        parts.append(f"on {data['CTE Name']}")
    elif data.get("Function Name"):
        parts.append(f"on {data['Function Name']}")
    return " ".join(parts)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
