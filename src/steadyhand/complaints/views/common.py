"""What the complaint pages share."""

from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest

from steadyhand.agencies.models import Agency
from steadyhand.core.errors import InvalidInput
from steadyhand.core.views import apply_errors as _apply_errors
from steadyhand.core.views import request_actor

# The services name the model's fields; the forms ask differently (a date and a time, a
# badge number, a case number), so errors are shown next to the field the person filled.
FORM_FIELD_FOR = {
    "occurred_at": "occurred_on",
    "received_at": "received_on",
    "member": "member_badge",
    "incident": "case_number",
}


def apply_errors(form: Any, exc: InvalidInput) -> None:
    _apply_errors(form, InvalidInput({FORM_FIELD_FOR.get(f, f): m for f, m in exc.errors.items()}))


def agency_tz(request: HttpRequest) -> ZoneInfo:
    agency = Agency.objects.only("timezone").get(pk=request_actor(request).agency_id)
    return ZoneInfo(agency.timezone)
