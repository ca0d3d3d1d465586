"""The public nomination form: no login; the agency is named by the address."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from steadyhand.access.decorators import requires
from steadyhand.agencies.models import Agency
from steadyhand.complaints import throttle
from steadyhand.core.errors import InvalidInput
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.recognition import services
from steadyhand.recognition.forms import PublicNominationForm, started_token

# The rate-limit bucket of the complaint app's throttle: separate from the complaint form's.
PUBLIC_SCOPE = "commendation.nominate_public"


def _public_page(
    request: HttpRequest,
    agency: Agency,
    form: PublicNominationForm,
    *,
    started: str,
    status: int,
    too_many: bool = False,
) -> HttpResponse:
    return render(
        request,
        "recognition/public_form.html",
        {
            "agency": agency,
            "form": form,
            "started": started,
            "rate": throttle.complaint_form_rate(),
            "too_many": too_many,
        },
        status=status,
    )


@requires("commendation.nominate_public")
def public_nominate(request: HttpRequest, agency: Agency) -> HttpResponse:
    """Anyone may commend an officer; nothing they send is shown publicly until approved,
    consented to by the officer, and published."""
    if request.method != "POST":
        return _public_page(
            request, agency, PublicNominationForm(), started=started_token(), status=200
        )
    rate = throttle.complaint_form_rate()
    if not throttle.take_attempt(
        scope=PUBLIC_SCOPE, client=throttle.client_key(request), rate=rate
    ):
        kept = PublicNominationForm(initial=request.POST.dict())
        response = _public_page(
            request, agency, kept, started=started_token(), status=429, too_many=True
        )
        response["Retry-After"] = str(int(rate.window.total_seconds()))
        return response
    form = PublicNominationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.nomination_submit_public(
                actor=request_actor(request),
                narrative=data["narrative"],
                officer_description=data["officer_description"],
                occurred_on=data["occurred_on"],
                public_name=data["public_name"],
                public_contact=data["public_contact"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("recognition:public_sent", kwargs={"agency_slug": agency.slug}))
    started = started_token() if form.renew_started else request.POST.get("started", "")
    return _public_page(request, agency, form, started=started, status=400)


@requires("commendation.nominate_public")
def public_sent(request: HttpRequest, agency: Agency) -> HttpResponse:
    return render(request, "recognition/public_sent.html", {"agency": agency})
