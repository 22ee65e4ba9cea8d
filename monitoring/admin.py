from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from dbconsole import audit
from monitoring.models import Target


class TargetAdminForm(forms.ModelForm[Target]):
    new_password = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored password. It is encrypted and never shown.",
    )

    class Meta:
        model = Target
        fields = ["name", "host", "port", "dbname", "username", "sslmode", "enabled", "tags", "intervals",
                  "thresholds"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin[Target]):
    form = TargetAdminForm
    list_display = ("name", "host", "port", "dbname", "username", "enabled")
    search_fields = ("name", "host", "dbname")

    def save_model(self, request: HttpRequest, obj: Target, form: Any, change: bool) -> None:
        if form.cleaned_data.get("new_password"):
            obj.set_password(form.cleaned_data["new_password"])
        super().save_model(request, obj, form, change)
        audit.record("target.change" if change else "target.add", request=request, target=obj,
                     fields=sorted(form.changed_data) if change else [], via="admin")

    def delete_model(self, request: HttpRequest, obj: Target) -> None:
        audit.record("target.remove", request=request, target=obj, via="admin")
        super().delete_model(request, obj)
