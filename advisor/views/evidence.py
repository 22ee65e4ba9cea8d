"""Evidence ready for the detail page: statements with links to their pages, charts with their URLs."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from advisor import selectors
from advisor.models import Recommendation


def evidence_context(rec: Recommendation) -> dict[str, Any]:
    evidence = rec.evidence or {}
    statements = []
    for s in evidence.get("statements", []):
        row = dict(s)
        row["url"] = selectors.statement_url(rec.target, s.get("seq")) if s.get("seq") is not None else None
        statements.append(row)
    charts = [
        {"name": c["name"], "title": c["title"],
         "url": reverse("advisor-chart", args=[rec.target.name, rec.pk, c["name"]])}
        for c in evidence.get("charts", [])
    ]
    return {"evidence": evidence, "statements": statements, "charts": charts}
