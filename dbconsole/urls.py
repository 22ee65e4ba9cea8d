"""Top-level URLs. Every page needs login (LoginRequiredMiddleware) except the login page itself."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dbconsole import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit-log"),
    path("admin/", admin.site.urls),
    path("", include("monitoring.urls")),
    path("", include("advisor.urls")),
    path("", include("alerts.urls")),
    path("", include("api.urls")),
]
