"""Login, second factor, home page, and the agency admin's account pages."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from steadyhand.access.decorators import requires
from steadyhand.access.roles import Role
from steadyhand.accounts import services, two_factor
from steadyhand.accounts.forms import PasswordSetForm, RoleGrantForm, TokenForm, UserCreateForm
from steadyhand.accounts.home import home_sections
from steadyhand.accounts.models import RoleAssignment
from steadyhand.accounts.selectors import two_factor_required, user_get_visible, user_list_visible
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.core.views import error_page


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def logout_view(request: HttpRequest) -> HttpResponseBase:
    return auth_views.LogoutView.as_view()(request)


def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Verify with a confirmed device, or enrol one first if the agency requires it."""
    user: Any = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    confirmed = two_factor.totp_device_confirmed(user=user)
    device = confirmed or two_factor.totp_device_pending(user=user)
    enrolling = confirmed is None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        actor = request.actor  # type: ignore[attr-defined]
        ok = (
            two_factor.totp_confirm(actor=actor, device=device, token=token)
            if enrolling
            else device.verify_token(token)
        )
        if ok:
            otp_login(request, device)
            return redirect("accounts:home")
        form.add_error("token", "That code is not valid. Codes change every 30 seconds.")
    context: dict[str, Any] = {
        "form": form,
        "enrolling": enrolling,
        "required": two_factor_required(user=user),
    }
    if enrolling:
        context["qr"] = two_factor.totp_qr_data_uri(device)
        context["secret"] = two_factor.totp_secret_base32(device)
    return render(request, "accounts/two_factor.html", context)


@requires("home.view")
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(
        request,
        "accounts/home.html",
        {
            "sections": home_sections(actor),
            "role_labels": sorted(Role(r).label for r in actor.roles),
        },
    )


@requires("account.view")
def user_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = UserCreateForm(agency_id=actor.agency_id)
    return render(
        request,
        "accounts/user_list.html",
        {
            "users": user_list_visible(actor=actor),
            "form": form,
        },
    )


@require_POST
@requires("account.manage")
def user_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = UserCreateForm(request.POST, agency_id=actor.agency_id)
    if form.is_valid():
        try:
            user = services.user_create(
                actor=actor,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                email=form.cleaned_data["email"],
                member=form.cleaned_data["member"],
            )
        except InvalidInput as exc:
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Account {user.username} created.")
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(
        request,
        "accounts/user_list.html",
        {
            "users": user_list_visible(actor=actor),
            "form": form,
        },
        status=400,
    )


def _user_detail_context(request: HttpRequest, user_id: int, **forms: object) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    user = user_get_visible(actor=actor, user_id=user_id)
    return {
        "account": user,
        "assignments": RoleAssignment.objects.filter(user=user).select_related("unit"),
        "grant_form": forms.get("grant_form") or RoleGrantForm(agency_id=actor.agency_id),
        "password_form": forms.get("password_form") or PasswordSetForm(),
    }


@requires("account.view")
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return render(request, "accounts/user_detail.html", _user_detail_context(request, user_id))


@require_POST
@requires("role.assign")
def role_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    user = user_get_visible(actor=actor, user_id=user_id)
    form = RoleGrantForm(request.POST, agency_id=actor.agency_id)
    if form.is_valid():
        try:
            services.role_grant(
                actor=actor,
                user=user,
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as exc:
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Role granted.")
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(
        request,
        "accounts/user_detail.html",
        _user_detail_context(request, user_id, grant_form=form),
        status=400,
    )


@require_POST
@requires("role.assign")
def role_revoke(request: HttpRequest, user_id: int, assignment_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    user = user_get_visible(actor=actor, user_id=user_id)
    assignment = RoleAssignment.objects.filter(pk=assignment_id, user=user).first()
    if assignment is None:
        raise NotFound(f"No role assignment {assignment_id}.")
    try:
        services.role_revoke(
            actor=actor, assignment=assignment, reason=request.POST.get("reason", "")
        )
    except InvalidInput as exc:
        return error_page(request, status=400, heading="Not changed", message=str(exc))
    messages.success(request, "Role revoked.")
    return redirect("accounts:user_detail", user_id=user.pk)


@require_POST
@requires("account.manage")
def user_set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    user = user_get_visible(actor=actor, user_id=user_id)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(
            actor=actor, user=user, active=active, reason=request.POST.get("reason", "")
        )
    except InvalidInput as exc:
        return error_page(request, status=400, heading="Not changed", message=str(exc))
    messages.success(request, "Account activated." if active else "Account deactivated.")
    return redirect("accounts:user_detail", user_id=user.pk)


@require_POST
@requires("account.manage")
def user_set_password(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    user = user_get_visible(actor=actor, user_id=user_id)
    form = PasswordSetForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_password(
                actor=actor, user=user, password=form.cleaned_data["password"]
            )
        except InvalidInput as exc:
            form.add_error("password", exc.errors.get("password", [str(exc)]))
        else:
            messages.success(request, "Password changed.")
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(
        request,
        "accounts/user_detail.html",
        _user_detail_context(request, user_id, password_form=form),
        status=400,
    )
