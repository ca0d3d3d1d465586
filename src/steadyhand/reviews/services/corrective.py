"""Corrective actions that flow from a review's findings, tracked to completion.

Remedial training is a real enrolment in the training app (``enrolment_create_remedial`` with
cause ``force_review`` and the review's id), so it shows on the member's transcript, on the
trainers' lists and in the training reports; its completion is the enrolment's.
"""

from datetime import date

from django.db import transaction
from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Member
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.core.versioning import check_version, model_changes
from steadyhand.reviews.models import (
    CorrectiveAction,
    CorrectiveKind,
    CorrectiveStatus,
    ForceReview,
)
from steadyhand.reviews.notifications import notify, users_of
from steadyhand.reviews.stepping import lock_review, review_url, today_for
from steadyhand.training.models import Course
from steadyhand.training.services.catalogue import enrolment_create_remedial

REMEDIAL_CAUSE = "force_review"


def _ia_users(review: ForceReview) -> list[User]:
    users = User.objects.filter(
        agency_id=review.agency_id,
        is_active=True,
        role_assignments__role=Role.INTERNAL_AFFAIRS,
    ).distinct()
    return [
        u
        for u in users.prefetch_related("role_assignments__unit")
        if any(
            a.role == Role.INTERNAL_AFFAIRS
            and (a.unit is None or review.unit.path.startswith(a.unit.path))
            for a in u.role_assignments.all()
        )
    ]


@transaction.atomic
def corrective_action_create(
    *,
    actor: Actor,
    review: ForceReview,
    kind: str,
    member: Member,
    due_on: date,
    note: str,
    course: Course | None = None,
) -> CorrectiveAction:
    """Assign a corrective action to a member involved in the reviewed incident."""
    review = lock_review(actor=actor, review_id=review.pk)
    ensure(actor, "corrective.manage", review)
    errors: dict[str, list[str]] = {}
    if kind not in CorrectiveKind.values:
        errors["kind"] = [f"Unknown kind of corrective action “{kind}”."]
    involved = review.incident.involvements.filter(member_id=member.pk).exists()
    if member.agency_id != actor.agency_id or not involved:
        errors["member"] = ["Choose a member involved in the reviewed incident."]
    if due_on < today_for(actor):
        errors["due_on"] = ["The due date is in the past."]
    note = note.strip()
    if not note:
        errors["note"] = ["Say what the action is for and what is expected."]
    if kind == CorrectiveKind.REMEDIAL_TRAINING and course is None:
        errors["course"] = ["Choose the course of the remedial training."]
    if errors:
        raise InvalidInput(errors)
    enrolment = None
    if kind == CorrectiveKind.REMEDIAL_TRAINING:
        assert course is not None
        enrolment = enrolment_create_remedial(
            actor=actor,
            member=member,
            course=course,
            cause_type=REMEDIAL_CAUSE,
            cause_id=review.pk,
            reason=f"Force review of incident {review.incident.case_number}: {note}"[:500],
            authority="training.assign_remedial",
        )
    action = CorrectiveAction.objects.create(
        review=review,
        kind=kind,
        member=member,
        due_on=due_on,
        note=note,
        enrolment=enrolment,
        created_by_id=actor.user_id,
    )
    audit_record(
        actor=actor,
        action="corrective_action.create",
        obj=action,
        changes={
            "kind": [None, kind],
            "member": [None, member.badge],
            "due_on": [None, due_on.isoformat()],
            "enrolment": [None, enrolment.pk if enrolment else None],
        },
        reason=note,
    )
    if kind == CorrectiveKind.IA_REFERRAL:
        notify(
            actor=actor,
            recipients=_ia_users(review),
            text=f"Referral from the force review of incident {review.incident.case_number}.",
            link=review_url(review),
        )
    else:
        notify(
            actor=actor,
            recipients=users_of([member]),
            text=f"{action.get_kind_display()} assigned to you, due {due_on:%Y-%m-%d}.",
            link=reverse("training:my_transcript") if enrolment else "",
        )
    return action


def _lock_action(actor: Actor, action_id: int) -> CorrectiveAction:
    found = (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("review__unit", "enrolment")
        .filter(pk=action_id, review__agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No corrective action {action_id}.")
    return found


@transaction.atomic
def corrective_action_complete(
    *, actor: Actor, action: CorrectiveAction, expected_version: int | None, note: str
) -> CorrectiveAction:
    """Record that counselling took place or a referral was dealt with. Remedial training
    completes with its enrolment, in the training app, never here."""
    action = _lock_action(actor, action.pk)
    ensure(actor, "corrective.manage", action)
    if action.kind == CorrectiveKind.REMEDIAL_TRAINING:
        raise InvalidInput(
            {"status": ["Remedial training completes when the trainer records the enrolment."]}
        )
    check_version(action, expected_version)
    if action.status != CorrectiveStatus.OPEN:
        status = action.get_status_display().lower()
        raise InvalidInput({"status": [f"This action is already {status}."]})
    note = note.strip()
    if not note:
        raise InvalidInput({"note": ["Document what was done (date, who, what was agreed)."]})
    changes = model_changes(
        action,
        {
            "status": CorrectiveStatus.COMPLETED,
            "completion_note": note,
            "completed_on": today_for(actor),
        },
    )
    action.save()
    audit_record(actor=actor, action="corrective_action.complete", obj=action, changes=changes)
    return action
