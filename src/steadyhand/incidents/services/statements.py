"""Each involved member's own statement, including the duty to intervene.

Only the member themself writes it (``incident.statement`` is a self-only action); once
submitted it no longer changes.
"""

from django.db import transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can, ensure
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.core.versioning import check_version, model_changes
from steadyhand.incidents.models import Incident, Statement, StatementStatus


@transaction.atomic
def statement_open(*, actor: Actor, incident: Incident) -> Statement:
    """The actor's own statement about ``incident``, created the first time it is opened."""
    involvement = (
        incident.involvements.filter(member_id=actor.member_id).first()
        if actor.member_id is not None and incident.agency_id == actor.agency_id
        else None
    )
    if involvement is None:
        raise NotFound(f"You are not listed on incident {incident.pk}.")
    statement = Statement.objects.filter(involvement=involvement).first()
    if statement is not None:
        ensure(actor, "incident.statement", statement)
        return statement
    statement = Statement(involvement=involvement)
    ensure(actor, "incident.statement", statement)
    statement.save()
    audit_record(
        actor=actor,
        action="incident.statement_open",
        obj=statement,
        changes={"involvement": [None, involvement.pk]},
    )
    return statement


def _lock_own_draft(
    *, actor: Actor, statement: Statement, expected_version: int | None
) -> Statement:
    found = (
        Statement.objects.select_for_update(of=("self",))
        .select_related("involvement__incident__unit", "involvement__member")
        .filter(pk=statement.pk, involvement__incident__agency_id=actor.agency_id)
        .first()
    )
    if found is None or not can(actor, "incident.view", found.involvement.incident):
        raise NotFound(f"No statement {statement.pk}.")
    ensure(actor, "incident.statement", found)
    if found.status != StatementStatus.DRAFT:
        raise InvalidInput({"status": ["This statement was submitted and no longer changes."]})
    check_version(found, expected_version)
    return found


def _apply(
    statement: Statement,
    *,
    text: str,
    witnessed_force: bool,
    intervened: bool | None,
    intervention_note: str,
) -> dict[str, list[object]]:
    # Intervention is asked only of members who saw force; an answer without it means nothing.
    return model_changes(
        statement,
        {
            "text": text.strip(),
            "witnessed_force": witnessed_force,
            "intervened": intervened if witnessed_force else None,
            "intervention_note": intervention_note.strip() if witnessed_force else "",
        },
    )


@transaction.atomic
def statement_save(
    *,
    actor: Actor,
    statement: Statement,
    expected_version: int | None,
    text: str,
    witnessed_force: bool,
    intervened: bool | None,
    intervention_note: str = "",
) -> Statement:
    """Save a draft statement (unfinished is fine)."""
    statement = _lock_own_draft(actor=actor, statement=statement, expected_version=expected_version)
    changes = _apply(
        statement,
        text=text,
        witnessed_force=witnessed_force,
        intervened=intervened,
        intervention_note=intervention_note,
    )
    statement.save()
    audit_record(actor=actor, action="incident.statement_save", obj=statement, changes=changes)
    return statement


@transaction.atomic
def statement_submit(
    *,
    actor: Actor,
    statement: Statement,
    expected_version: int | None,
    text: str,
    witnessed_force: bool,
    intervened: bool | None,
    intervention_note: str = "",
) -> Statement:
    """Save and submit: a statement needs its account and, if force was witnessed, whether
    the member intervened (the duty to intervene)."""
    statement = _lock_own_draft(actor=actor, statement=statement, expected_version=expected_version)
    changes = _apply(
        statement,
        text=text,
        witnessed_force=witnessed_force,
        intervened=intervened,
        intervention_note=intervention_note,
    )
    errors: dict[str, list[str]] = {}
    if not statement.text:
        errors["text"] = ["Write your account of the encounter before submitting."]
    if statement.witnessed_force and statement.intervened is None:
        errors["intervened"] = ["You saw force used: answer whether you intervened (yes or no)."]
    if errors:
        raise InvalidInput(errors)
    changes.update(
        model_changes(
            statement, {"status": StatementStatus.SUBMITTED, "submitted_at": timezone.now()}
        )
    )
    statement.save()
    audit_record(actor=actor, action="incident.statement_submit", obj=statement, changes=changes)
    return statement
