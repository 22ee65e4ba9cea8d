"""The API tokens page (under the account menu): everyone lists, creates and revokes their own tokens;
admins see and revoke everyone's. A new token is shown once, on the page that created it. POST + CSRF,
every creation and revocation audited (``api.tokens``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from api.models import ApiToken
from api.tokens import DEFAULT_EXPIRES, TokenError, create_token, parse_expires, revoke_token, visible_to
from dbconsole.access import ADMIN, has_role

TEMPLATE = "api/tokens.html"


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What it is for, e.g. ci-advisor-report.")
    expires = forms.ChoiceField(choices=[("30d", "30 days"), ("90d", "90 days"), ("365d", "a year"),
                                         ("never", "never")], initial=DEFAULT_EXPIRES)


def _context(request: HttpRequest, form: TokenForm, secret: str = "") -> dict[str, object]:
    everyone = has_role(request.user, ADMIN)
    return {"tokens": visible_to(request.user, everyone=everyone), "everyone": everyone, "form": form,
            "secret": secret}


@require_GET
def tokens_page(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATE, _context(request, TokenForm()))


@require_POST
def create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            owner = User.objects.get(username=request.user.get_username())
            issued = create_token(owner, name=form.cleaned_data["name"],
                                  expires=parse_expires(form.cleaned_data["expires"]), request=request)
        except TokenError as exc:
            form.add_error("name", str(exc))
        else:
            # The only time the token is shown (never cached: NoStoreMiddleware marks every page).
            return render(request, TEMPLATE, _context(request, TokenForm(), secret=issued.secret))
    return render(request, TEMPLATE, _context(request, form), status=400)


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None or (token.user_id != request.user.pk and not has_role(request.user, ADMIN)):
        raise Http404("no such token")
    revoke_token(token, request=request)
    messages.success(request, f"Revoked {token.label}; it no longer works.")
    return redirect("api-tokens")
