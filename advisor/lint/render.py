"""The lint report as text (terminal, CI logs) or JSON (tools, the web page)."""

from __future__ import annotations

import json

from advisor.lint.report import LintReport

_MARK = {"critical": "CRITICAL", "warning": "WARNING ", "info": "info    "}


def render_text(report: LintReport, *, source: str = "") -> str:
    """One block per statement that takes a lock or has findings, then a summary line."""
    out: list[str] = []
    for st in report.statements:
        if not st.locks and not st.findings:
            continue
        first = st.text.splitlines()[0] if st.text else ""
        head = f"{source}:{st.line}" if source else f"line {st.line}"
        more = " …" if len(first) > 100 or "\n" in st.text else ""
        out.append(f"{head}: {first[:100]}{more}")
        for lk in st.locks:
            d = lk.to_dict()
            note = f" ({lk.note})" if lk.note else ""
            out.append(f"    lock  {d['mode']} on {lk.relation}{note} — {d['blocks']}")
        for f in st.findings:
            allowed = " [allowed]" if f.allowed else ""
            out.append(f"    {_MARK[f.severity.value]} {f.rule}{allowed}: {f.message}")
            if f.safe_alternative:
                out.append(f"             instead: {f.safe_alternative}")
        out.append("")
    summary = report.to_dict()["summary"]
    count = len(report.statements)
    out.append(f"{count} statement{'' if count == 1 else 's'}: {summary['critical']} critical, "
               f"{summary['warning']} warning, {summary['info']} info")
    return "\n".join(out) + "\n"


def render_json(report: LintReport) -> str:
    """The report as indented JSON (see ``LintReport.to_dict`` for the shape)."""
    return json.dumps(report.to_dict(), indent=2) + "\n"
