from __future__ import annotations

from django.urls import path

from monitoring.views import fleet, overview, targets

urlpatterns = [
    path("targets/", fleet.fleet, name="fleet"),
    path("targets/manage/", targets.manage, name="targets-manage"),
    path("targets/manage/add/", targets.add, name="targets-add"),
    path("t/<slug:target>/", overview.overview, name="overview"),
    path("t/<slug:target>/now/", overview.now_panel, name="overview-now"),
    path("t/<slug:target>/check/", targets.check, name="targets-check"),
    path("t/<slug:target>/remove/", targets.remove, name="targets-remove"),
]
