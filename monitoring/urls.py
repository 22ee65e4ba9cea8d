from __future__ import annotations

from django.urls import path

from monitoring.views import (
    activity,
    backends,
    charts,
    connections,
    explain,
    fleet,
    locks,
    maintenance,
    overview,
    switch,
    targets,
)

urlpatterns = [
    path("targets/", fleet.fleet, name="fleet"),
    path("targets/switch/", switch.switch_target, name="switch-target"),
    path("targets/manage/", targets.manage, name="targets-manage"),
    path("targets/manage/add/", targets.add, name="targets-add"),
    path("t/<slug:target>/", overview.overview, name="overview"),
    path("t/<slug:target>/now/", overview.now_panel, name="overview-now"),
    path("t/<slug:target>/activity/", activity.activity, name="activity"),
    path("t/<slug:target>/backends/<int:pid>/cancel/", backends.signal, {"action": "cancel"},
         name="backend-cancel"),
    path("t/<slug:target>/backends/<int:pid>/terminate/", backends.signal, {"action": "terminate"},
         name="backend-terminate"),
    path("t/<slug:target>/locks/", locks.locks, name="locks"),
    path("t/<slug:target>/connections/", connections.connections, name="connections"),
    path("t/<slug:target>/maintenance/", maintenance.maintenance, name="maintenance"),
    path("t/<slug:target>/explain/", explain.explain_page, name="explain"),
    path("t/<slug:target>/explain/run/", explain.explain_run, name="explain-run"),
    path("t/<slug:target>/charts/<slug:name>/", charts.chart, name="chart"),
    path("t/<slug:target>/check/", targets.check, name="targets-check"),
    path("t/<slug:target>/remove/", targets.remove, name="targets-remove"),
]
