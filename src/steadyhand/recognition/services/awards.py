"""The agency's award types (commanders configure them)."""

from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput
from steadyhand.core.versioning import check_version, model_changes
from steadyhand.recognition.models import (
    AwardType,
)

# Award types ---------------------------------------------------------------------------------


def _check_award_name(*, actor: Actor, name: str, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput({"name": ["Give the award a name, e.g. “Preservation of life”."]})
    clash = AwardType.objects.filter(agency_id=actor.agency_id, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise InvalidInput({"name": [f"There is already an award called “{name}”."]})
    return name


@transaction.atomic
def award_type_create(*, actor: Actor, name: str, description: str = "") -> AwardType:
    ensure(actor, "commendation.configure")
    award = AwardType.objects.create(
        agency_id=actor.agency_id,
        name=_check_award_name(actor=actor, name=name),
        description=description.strip(),
    )
    audit_record(
        actor=actor,
        action="award_type.create",
        obj=award,
        changes={"name": [None, award.name], "description": [None, award.description]},
    )
    return award


@transaction.atomic
def award_type_update(
    *,
    actor: Actor,
    award_type: AwardType,
    expected_version: int,
    name: str,
    description: str,
    active: bool,
) -> AwardType:
    ensure(actor, "commendation.configure", award_type)
    locked = AwardType.objects.select_for_update().get(pk=award_type.pk)
    check_version(locked, expected_version)
    changes = model_changes(
        locked,
        {
            "name": _check_award_name(actor=actor, name=name, exclude_pk=locked.pk),
            "description": description.strip(),
            "active": active,
        },
    )
    locked.save()
    audit_record(actor=actor, action="award_type.update", obj=locked, changes=changes)
    return locked
