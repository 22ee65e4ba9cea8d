"""A migration draft from accepted recommendations: shown with copy buttons, each part downloadable.

``?r=12&r=15`` picks the recommendations (the list page's checkboxes submit that); ``&download=sql``
(or ``rollback``, ``followup``, ``django``, ``alembic``) returns that part as an attachment. The draft
is rebuilt on every request from the catalog as it is now, so what is downloaded is what is shown.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from advisor import selectors
from advisor.drafts import Draft
from advisor.review.drafting import draft_recommendations
from dbconsole import params
from dbconsole.access import REVIEWER, role_required
from monitoring import selectors as monitoring_selectors
from monitoring.ui.frame import frame

TEMPLATE = "advisor/draft.html"
PARTS = {
    "sql": ("sql", "application/sql"),
    "rollback": ("rollback_sql", "application/sql"),
    "followup": ("followup_sql", "application/sql"),
    "django": ("django", "text/x-python"),
    "alembic": ("alembic", "text/x-python"),
}
MAX_RECOMMENDATIONS = 50
IDS = params.IntList("r", max_items=MAX_RECOMMENDATIONS, soft=True)
DOWNLOAD = params.Choice("download", choices=tuple(PARTS))


def _ids(request: HttpRequest) -> list[int]:
    return IDS.get(request)


def _download(draft: Draft, part: str) -> HttpResponse:
    attr, content_type = PARTS[part]
    text = getattr(draft, attr)
    if text is None:
        raise Http404("this draft has no such part")
    filename = {"sql": draft.files.sql, "rollback": draft.files.rollback_sql, "followup": draft.files.followup_sql,
                "django": draft.files.django, "alembic": draft.files.alembic}[part]
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@role_required(REVIEWER)
def draft_view(request: HttpRequest, target: str) -> HttpResponse:
    obj = monitoring_selectors.target_by_name(target)
    ids = _ids(request)
    recs = selectors.recommendations_by_id(obj, ids)
    outcome = draft_recommendations(obj, recs) if recs else None
    part = DOWNLOAD.get(request)
    if part:
        if part not in PARTS or outcome is None or outcome.draft is None:
            raise Http404("no draft to download")
        return _download(outcome.draft, part)
    context = frame(request, obj, "advisor")
    query = "&".join(f"r={i}" for i in ids)
    context.update(outcome=outcome, ids=ids, query=query, asked=bool(ids),
                   lint=outcome.draft.lint.to_dict() if outcome and outcome.draft else None,
                   rollback_lint=outcome.draft.rollback_lint.to_dict() if outcome and outcome.draft else None)
    # A target that did not answer is a server-side condition worth its status code (monitoring sees it).
    status = 503 if outcome is not None and outcome.error is not None else 200
    return render(request, TEMPLATE, context, status=status)
