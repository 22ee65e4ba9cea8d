"""The target switcher's form: the same page for another target, keeping the time range."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from dbconsole.timerange import QUERY_KEYS
from monitoring import selectors
from monitoring.ui.nav import item


@require_GET
def switch_target(request: HttpRequest) -> HttpResponse:
    obj = selectors.target_by_name(request.GET.get("target", ""))
    page = request.GET.get("page", "")
    url_name = page if item(page) is not None else "overview"
    kept = {k: request.GET[k] for k in QUERY_KEYS if request.GET.get(k)}
    url = reverse(url_name, args=[obj.name])
    return redirect(f"{url}?{urlencode(kept)}" if kept else url)
