"""Writes for culture-check surveys: define, invite, answer (anonymously), close.

Anonymity, by construction (``docs/rollouts.md`` has the full argument):

- A ``SurveyResponse`` holds the phase, the answers, the respondent's precinct-level unit and
  the first day of the month — no member, no user, no exact time.
- Its primary key is drawn at random, so the order of responses cannot be matched with the
  order of invitations marked answered (or of their audit events).
- The audit event of an answer names the invitation and says only that it was answered.
"""

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.agencies.models import Member, MemberStatus
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.training.models import (
    Course,
    Survey,
    SurveyInvitation,
    SurveyPhase,
    SurveyResponse,
)
from steadyhand.training.selectors.rollouts import UnitIndex
from steadyhand.training.selectors.surveys import invitation_scope

MAX_ITEMS = 40
MAX_ITEM_LENGTH = 300
SCALE_POINTS = range(3, 12)
# Below this a group's answers are close to individual answers; the default is 10.
MIN_GROUP_SIZE_FLOOR = 5
# Random response ids come from [1, 2**62): far from BigAutoField's limit, never colliding in
# practice (and retried if they do).
RESPONSE_ID_SPACE = 2**62 - 1

# An example item set, clearly labelled as such: agencies write their own. Items that express
# the belief that restraint is dangerous are reverse-scored, so a higher score is always the
# attitude de-escalation training aims for.
EXAMPLE_TITLE = "Culture check: restraint and officer safety (example items)"
EXAMPLE_ITEMS: list[dict[str, Any]] = [
    {
        "text": "Holding off on force when I could lawfully use it puts me at risk.",
        "reverse": True,
    },
    {
        "text": "Taking time to talk with a person in crisis usually makes the scene safer for me.",
        "reverse": False,
    },
    {
        "text": "Officers who try to de-escalate are seen as weak by their colleagues.",
        "reverse": True,
    },
    {
        "text": "Creating distance and cover gives me more options, not fewer.",
        "reverse": False,
    },
    {
        "text": "My supervisors back me up when I slow a situation down instead of going hands-on.",
        "reverse": False,
    },
    {
        "text": "If I do not take control fast, a situation will get out of hand.",
        "reverse": True,
    },
]


def _clean_items(items: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    if not 1 <= len(items) <= MAX_ITEMS:
        errors.append(f"A survey needs 1 to {MAX_ITEMS} items; got {len(items)}.")
    for number, item in enumerate(items, start=1):
        text = str(item.get("text", "")).strip()
        if not text:
            errors.append(f"Item {number} has no text.")
        elif len(text) > MAX_ITEM_LENGTH:
            errors.append(f"Item {number} is longer than {MAX_ITEM_LENGTH} characters.")
        cleaned.append({"key": f"q{number}", "text": text, "reverse": bool(item.get("reverse"))})
    return cleaned, errors


@transaction.atomic
def survey_create(
    *,
    actor: Actor,
    title: str,
    items: Sequence[Mapping[str, Any]],
    course: Course | None = None,
    scale_points: int = 5,
    min_group_size: int = 10,
) -> Survey:
    """A new, open survey. Items get the keys q1, q2, … in the order given."""
    ensure(actor, "survey.manage")
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Give the survey a title."]
    if course is not None and course.agency_id != actor.agency_id:
        errors["course"] = ["Choose a course of your agency."]
    if scale_points not in SCALE_POINTS:
        errors["scale_points"] = [
            f"The scale needs {SCALE_POINTS.start} to {SCALE_POINTS.stop - 1} points."
        ]
    if min_group_size < MIN_GROUP_SIZE_FLOOR:
        errors["min_group_size"] = [
            f"The minimum group size must be at least {MIN_GROUP_SIZE_FLOOR}; smaller groups "
            "would let readers guess individual answers."
        ]
    cleaned, item_errors = _clean_items(items)
    if item_errors:
        errors["items"] = item_errors
    if errors:
        raise InvalidInput(errors)
    survey = Survey.objects.create(
        agency_id=actor.agency_id,
        title=title.strip(),
        course=course,
        items=cleaned,
        scale_points=scale_points,
        min_group_size=min_group_size,
    )
    audit_record(
        actor=actor,
        action="survey.create",
        obj=survey,
        changes={
            "title": survey.title,
            "course": course.pk if course else None,
            "items": cleaned,
            "scale_points": scale_points,
            "min_group_size": min_group_size,
        },
    )
    return survey


@transaction.atomic
def survey_invite(
    *,
    actor: Actor,
    survey: Survey,
    phase: str,
    members: Iterable[Member],
    source: str = "",
) -> tuple[int, int]:
    """Invite active members of the agency to answer ``phase`` of an open survey.

    Members already invited to that phase are skipped. Returns (invited now, skipped).
    """
    ensure(actor, "survey.manage", survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.open:
        raise ConflictError(f"Survey “{survey.title}” is closed; nobody more can be invited.")
    if phase not in SurveyPhase.values:
        raise InvalidInput({"phase": [f"Phase must be one of {', '.join(SurveyPhase.values)}."]})
    # Read status afresh: a member on leave or separated is not asked.
    eligible = set(
        Member.objects.filter(
            pk__in=[m.pk for m in members],
            agency_id=actor.agency_id,
            status=MemberStatus.ACTIVE,
        ).values_list("pk", flat=True)
    )
    if not eligible:
        raise InvalidInput({"members": ["There is no active member to invite."]})
    already = set(
        survey.invitations.filter(phase=phase, member_id__in=eligible).values_list(
            "member_id", flat=True
        )
    )
    new = sorted(eligible - already)
    SurveyInvitation.objects.bulk_create(
        SurveyInvitation(survey=survey, member_id=member_id, phase=phase) for member_id in new
    )
    audit_record(
        actor=actor,
        action="survey.invite",
        obj=survey,
        changes={"phase": phase, "invited": len(new), "skipped": len(already), "source": source},
    )
    return len(new), len(already)


def _clean_answers(survey: Survey, answers: Mapping[str, Any]) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for item in survey.items:
        key = item["key"]
        raw = answers.get(key)
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors[key] = ["Choose an answer."]
            continue
        if not 1 <= value <= survey.scale_points:
            errors[key] = [f"Choose an answer from 1 to {survey.scale_points}."]
            continue
        cleaned[key] = value
    unknown = sorted(set(answers) - {item["key"] for item in survey.items})
    if unknown:
        errors["__all__"] = [f"Unknown items: {', '.join(unknown)}."]
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _insert_anonymous(response: SurveyResponse) -> None:
    for _ in range(5):
        response.pk = secrets.randbelow(RESPONSE_ID_SPACE) + 1
        try:
            with transaction.atomic():
                response.save(force_insert=True)
        except IntegrityError:
            continue
        return
    raise ConflictError("Could not store the answer; please submit it again.")


@transaction.atomic
def survey_respond(
    *, actor: Actor, invitation: SurveyInvitation, answers: Mapping[str, Any]
) -> None:
    """Store one anonymous answer sheet and mark the invitation answered, together.

    Returns nothing: the caller has no use for the response's id, and should not have one.
    """
    ensure(actor, "survey.respond", invitation_scope(invitation))
    invitation = (
        SurveyInvitation.objects.select_for_update()
        .select_related("survey", "survey__agency", "member", "member__unit")
        .get(pk=invitation.pk)
    )
    survey = invitation.survey
    if not survey.open:
        raise ConflictError(f"Survey “{survey.title}” is closed.")
    if invitation.responded:
        raise ConflictError("You have already answered this survey; answers cannot be changed.")
    cleaned = _clean_answers(survey, answers)
    member = invitation.member
    group = UnitIndex.for_agency(member.agency_id).precinct_of(member.unit)
    today = datetime.now(ZoneInfo(survey.agency.timezone)).date()
    _insert_anonymous(
        SurveyResponse(
            survey=survey,
            phase=invitation.phase,
            group_unit=group,
            answers=cleaned,
            submitted_month=today.replace(day=1),
        )
    )
    invitation.responded = True
    invitation.save(update_fields=["responded"])
    # Names the invitation (who was asked), never the answers or the response.
    audit_record(actor=actor, action="survey.respond", obj=invitation, changes={"responded": True})


@transaction.atomic
def survey_close(*, actor: Actor, survey: Survey) -> Survey:
    """Stop collecting answers and release the results. Final: a survey is never reopened,
    because comparing results before and after a late answer would reveal that answer."""
    ensure(actor, "survey.manage", survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.open:
        raise ConflictError(f"Survey “{survey.title}” is already closed.")
    survey.open = False
    survey.save(update_fields=["open", "updated_at"])
    audit_record(
        actor=actor,
        action="survey.close",
        obj=survey,
        changes={"open": [True, False], "responses": survey.responses.count()},
    )
    return survey
