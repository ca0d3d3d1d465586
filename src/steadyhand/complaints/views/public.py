"""The public complaint form: no login; the agency is named by the address."""

from zoneinfo import ZoneInfo

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from steadyhand.access.decorators import requires
from steadyhand.agencies.models import Agency
from steadyhand.complaints import services, throttle
from steadyhand.complaints.forms import PublicComplaintForm, started_token
from steadyhand.complaints.views.common import apply_errors
from steadyhand.core.errors import InvalidInput
from steadyhand.core.views import request_actor

SENT_SALT = "steadyhand.complaints.sent"
SENT_MAX_AGE = 3600


def _public_page(
    request: HttpRequest, agency: Agency, form: PublicComplaintForm, *, started: str, status: int
) -> HttpResponse:
    return render(
        request,
        "complaints/public_form.html",
        {
            "agency": agency,
            "form": form,
            "started": started,
            "rate": throttle.complaint_form_rate(),
        },
        status=status,
    )


@requires("complaint.submit")
def public_complaint(request: HttpRequest, agency: Agency) -> HttpResponse:
    """Anyone may complain, anonymously if they wish; the reference number is their receipt."""
    if request.method != "POST":
        return _public_page(
            request, agency, PublicComplaintForm(), started=started_token(), status=200
        )
    rate = throttle.complaint_form_rate()
    if not throttle.take_attempt(
        scope="complaint.submit", client=throttle.client_key(request), rate=rate
    ):
        # Shown again unbound, so what they typed is kept and no validation runs.
        kept = PublicComplaintForm(initial=request.POST.dict())
        response = render(
            request,
            "complaints/public_form.html",
            {
                "agency": agency,
                "form": kept,
                "started": started_token(),
                "rate": rate,
                "too_many": True,
            },
            status=429,
        )
        response["Retry-After"] = str(int(rate.window.total_seconds()))
        return response
    form = PublicComplaintForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_submit_public(
                actor=request_actor(request),
                narrative=data["narrative"],
                occurred_at=form.occurred_at(ZoneInfo(agency.timezone)),
                location=data["location"],
                complainant_name=data["complainant_name"],
                complainant_contact=data["complainant_contact"],
                officer_description=data["officer_description"],
                demographics=form.demographics(),
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            receipt = signing.dumps(complaint.reference, salt=SENT_SALT)
            url = reverse("complaints:public_sent", kwargs={"agency_slug": agency.slug})
            return redirect(f"{url}?receipt={receipt}")
    started = started_token() if form.renew_started else request.POST.get("started", "")
    return _public_page(request, agency, form, started=started, status=400)


@requires("complaint.submit")
def public_complaint_sent(request: HttpRequest, agency: Agency) -> HttpResponse:
    """The receipt, after a redirect so that reloading the page does not send it twice."""
    try:
        reference = signing.loads(
            request.GET.get("receipt", ""), salt=SENT_SALT, max_age=SENT_MAX_AGE
        )
    except signing.BadSignature:
        reference = None
    return render(
        request,
        "complaints/public_sent.html",
        {"agency": agency, "reference": reference},
        status=200 if reference else 404,
    )
