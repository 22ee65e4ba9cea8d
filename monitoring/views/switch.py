"""The target switcher's form: the same page for another target, keeping the time range."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from dbconsole import params
from dbconsole.timerange import QUERY_KEYS
from monitoring import selectors
from monitoring.ui.nav import TARGET_NAV, item

TARGET = params.Text("target", max_length=63, pattern=params.SLUG, required=True)
PAGE = params.Choice("page", default="overview", choices=tuple(i.url_name for i in TARGET_NAV), soft=True)


@require_GET
def switch_target(request: HttpRequest) -> HttpResponse:
    obj = selectors.target_by_name(TARGET.get(request))
    page = PAGE.get(request)
    url_name = page if item(page) is not None else "overview"
    kept = {k: v for k, v in request.GET.items() if k in QUERY_KEYS and v}   # carried, checked where read
    url = reverse(url_name, args=[obj.name])
    return redirect(f"{url}?{urlencode(kept)}" if kept else url)
