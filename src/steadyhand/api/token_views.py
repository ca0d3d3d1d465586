"""Pages where a user manages their own API tokens. The secret is shown once, on the page that
answers the creation, and never again (only its digest is stored)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.api import selectors, services
from steadyhand.api.forms import TokenCreateForm
from steadyhand.core.errors import InvalidInput
from steadyhand.core.views import apply_errors, request_actor


def _page(
    request: HttpRequest, form: TokenCreateForm, *, secret: str = "", status: int = 200
) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "api/token_list.html",
        {"tokens": selectors.api_tokens_of(actor=actor), "form": form, "secret": secret},
        status=status,
    )


@requires("api.token")
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, TokenCreateForm())
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            issued = services.api_token_create(
                actor=request_actor(request),
                name=form.cleaned_data["name"],
                lifetime_days=form.cleaned_data["lifetime_days"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            response = _page(request, TokenCreateForm(), secret=issued.secret)
            response["Cache-Control"] = "no-store"
            return response
    return _page(request, form, status=400)


@requires("api.token")
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = services.api_token_revoke(actor=request_actor(request), token_id=token_id)
    messages.success(request, f"{token} revoked; it no longer works.")
    return redirect("api:token_list")
