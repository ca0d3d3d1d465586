"""What the complaint services share: the vocabulary they accept and their checks."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from steadyhand import vocabulary as v
from steadyhand.agencies.models import Agency
from steadyhand.complaints.models import Complainant, Complaint
from steadyhand.core.errors import InvalidInput

# Channels staff record by hand; the public form and imports have their own paths.
INTAKE_CHANNELS = {
    code: label
    for code, label in v.COMPLAINT_CHANNELS.items()
    if code not in {"public_form", "imported"}
}
PENDING = "pending"


@dataclass(frozen=True)
class Demographics:
    """What a complainant chose to tell about themself, for measuring fairness (all optional)."""

    race: str = "unknown"
    ethnicity: str = "unknown"
    sex: str = "unknown"
    age_band: str = "unknown"
    is_victim: bool = False


def _full_clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from exc


def _agency_tz(agency_id: int) -> ZoneInfo:
    return ZoneInfo(Agency.objects.values_list("timezone", flat=True).get(pk=agency_id))


def _agency_today(agency_id: int) -> date:
    return timezone.now().astimezone(_agency_tz(agency_id)).date()


def _check_narrative(narrative: str) -> str:
    text = narrative.strip()
    if not text:
        raise InvalidInput({"narrative": ["Say what happened: this is the one required field."]})
    return text


def _check_not_future(field: str, when: datetime | date | None) -> None:
    if when is None:
        return
    now = timezone.now()
    late = when > now if isinstance(when, datetime) else when > now.date()
    if late:
        raise InvalidInput({field: ["This date is in the future; give the date it happened."]})


def _complainant(complaint: Complaint, d: Demographics) -> Complainant:
    return Complainant(
        complaint=complaint,
        is_victim=d.is_victim,
        race=d.race or "unknown",
        ethnicity=d.ethnicity or "unknown",
        sex=d.sex or "unknown",
        age_band=d.age_band or "unknown",
    )
