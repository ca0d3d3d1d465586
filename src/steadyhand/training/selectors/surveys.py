"""Reads for culture-check surveys: who is invited, what a member still has to answer, and the
results — only in aggregate, only once the survey is closed, and never for a group smaller
than the survey's minimum (with complementary suppression, see ``suppressed_groups``)."""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, can
from steadyhand.agencies.models import Member, MemberStatus, Unit
from steadyhand.core.errors import NotFound
from steadyhand.training.models import (
    Enrolment,
    EnrolmentStatus,
    Session,
    Survey,
    SurveyInvitation,
    SurveyPhase,
    Wave,
)
from steadyhand.training.selectors.rollouts import wave_schedule

NO_GROUP = "No precinct"


# Surveys and invitations ---------------------------------------------------------------------


def survey_list_visible(*, actor: Actor) -> QuerySet[Survey]:
    if not (can(actor, "survey.results") or can(actor, "survey.manage")):
        return Survey.objects.none()
    return (
        Survey.objects.filter(agency_id=actor.agency_id)
        .select_related("course")
        .annotate(
            invited=Count("invitations", distinct=True),
            responded=Count("invitations", filter=Q(invitations__responded=True), distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


def survey_get_visible(*, actor: Actor, survey_id: int, action: str = "survey.results") -> Survey:
    survey = (
        Survey.objects.filter(pk=survey_id, agency_id=actor.agency_id)
        .select_related("course")
        .first()
    )
    if survey is None or not can(actor, action, survey):
        raise NotFound(f"No survey {survey_id}.")
    return survey


def invitation_scope(invitation: SurveyInvitation) -> Scope:
    """An invitation belongs to the invited member's own login (``survey.respond`` is a self
    action: nobody answers for someone else)."""
    member = invitation.member
    account = getattr(member, "user_account", None)
    return Scope(
        agency_id=member.agency_id,
        unit_path=member.unit.path,
        owner_user_id=account.pk if account is not None else None,
    )


def invitation_get_for_respondent(*, actor: Actor, invitation_id: int) -> SurveyInvitation:
    invitation = (
        SurveyInvitation.objects.filter(pk=invitation_id, survey__agency_id=actor.agency_id)
        .select_related("survey", "member", "member__unit", "member__user_account")
        .first()
    )
    if invitation is None or not can(actor, "survey.respond", invitation_scope(invitation)):
        raise NotFound(f"No survey invitation {invitation_id}.")
    return invitation


def survey_invitations_for_member(member: Member | None) -> list[SurveyInvitation]:
    """Open surveys the member was invited to and has not answered (for the home page)."""
    if member is None:
        return []
    return list(
        SurveyInvitation.objects.filter(member=member, responded=False, survey__open=True)
        .select_related("survey")
        .order_by("survey__title", "phase")
    )


def member_survey_invitations(*, actor: Actor) -> list[SurveyInvitation]:
    """The actor's own open, unanswered invitations."""
    if actor.member_id is None:
        return []
    member = Member.objects.filter(pk=actor.member_id, agency_id=actor.agency_id).first()
    return survey_invitations_for_member(member)


@dataclass(frozen=True)
class PhaseCount:
    phase: str
    label: str
    invited: int
    responded: int
    responses: int


def invitation_counts(*, survey: Survey) -> list[PhaseCount]:
    invited = Counter(survey.invitations.values_list("phase", flat=True))
    responded = Counter(survey.invitations.filter(responded=True).values_list("phase", flat=True))
    responses = Counter(survey.responses.values_list("phase", flat=True))
    return [
        PhaseCount(
            phase.value, str(phase.label), invited[phase], responded[phase], responses[phase]
        )
        for phase in SurveyPhase
    ]


# Whom to invite ------------------------------------------------------------------------------


def sessions_for_invitation(*, actor: Actor, survey: Survey) -> QuerySet[Session]:
    sessions = Session.objects.filter(course__agency_id=actor.agency_id).select_related("course")
    if survey.course_id is not None:
        sessions = sessions.filter(course_id=survey.course_id)
    return sessions.order_by("-starts_on", "-pk")


def waves_for_invitation(*, actor: Actor) -> QuerySet[Wave]:
    return (
        Wave.objects.filter(plan__agency_id=actor.agency_id, plan__locked=True)
        .select_related("plan")
        .order_by("plan__name", "number")
    )


def members_of_session(*, session: Session) -> list[Member]:
    """Active members enrolled in the session (withdrawn enrolments left out)."""
    ids = (
        Enrolment.objects.filter(session=session)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .values_list("member_id", flat=True)
    )
    return list(
        Member.objects.filter(
            pk__in=ids, status=MemberStatus.ACTIVE, agency_id=session.course.agency_id
        ).order_by("pk")
    )


def members_of_wave(*, wave: Wave) -> list[Member]:
    """The members scheduled in ``wave`` (squads expanded as they were when the plan locked)."""
    ids = [e.member_id for e in wave_schedule(plan=wave.plan) if e.wave_number == wave.number]
    return list(
        Member.objects.filter(
            pk__in=ids, status=MemberStatus.ACTIVE, agency_id=wave.plan.agency_id
        ).order_by("pk")
    )


def members_of_unit(*, unit: Unit) -> list[Member]:
    return list(
        Member.objects.filter(
            agency_id=unit.agency_id, unit__path__startswith=unit.path, status=MemberStatus.ACTIVE
        ).order_by("pk")
    )


# Results -------------------------------------------------------------------------------------


def suppressed_groups(counts: Mapping[int | None, int], min_size: int) -> set[int | None]:
    """Groups whose results must not be shown.

    Primary: every group with fewer than ``min_size`` responses. Complementary: the overall
    figures are shown, so ``overall - shown groups`` reveals the suppressed groups *together*;
    that block must hold at least two groups and at least ``min_size`` responses, otherwise the
    smallest shown groups are suppressed as well until it does (or nothing is left to show).
    """
    hidden = {group for group, n in counts.items() if n < min_size}
    if not hidden:
        return hidden
    shown = sorted((n, str(group)) for group, n in counts.items() if group not in hidden)
    by_name = {str(group): group for group in counts}
    while shown and (len(hidden) < 2 or sum(counts[g] for g in hidden) < min_size):
        hidden.add(by_name[shown.pop(0)[1]])
    return hidden


@dataclass
class ItemStats:
    key: str
    text: str
    reverse: bool
    n: int
    mean: float | None  # of scored values: reverse-scored items flipped
    distribution: list[int]  # raw answers 1..scale_points


@dataclass
class GroupResult:
    label: str
    n: int
    suppressed: bool
    items: list[ItemStats] = field(default_factory=list)
    scale_mean: float | None = None


@dataclass
class PhaseResult:
    phase: str
    label: str
    overall: GroupResult
    groups: list[GroupResult]


@dataclass
class SurveyResults:
    available: bool
    reason: str
    min_group_size: int
    scale_points: int
    items: list[dict[str, Any]] = field(default_factory=list)
    phases: list[PhaseResult] = field(default_factory=list)

    def change(self) -> list[tuple[str, float | None, float | None, float | None]]:
        """(item text, pre mean, post mean, post - pre) for the overall figures."""
        by_phase = {p.phase: p.overall for p in self.phases}
        pre, post = by_phase.get(SurveyPhase.PRE), by_phase.get(SurveyPhase.POST)
        if pre is None or post is None:
            return []
        before = {i.key: i.mean for i in pre.items}
        after = {i.key: i.mean for i in post.items}
        rows = []
        for item in self.items:
            a, b = before.get(item["key"]), after.get(item["key"])
            diff = None if a is None or b is None else round(b - a, 2)
            rows.append((item["text"], a, b, diff))
        return rows


def scored(value: int, *, reverse: bool, points: int) -> int:
    return points + 1 - value if reverse else value


def _group_result(
    label: str, answers: list[Mapping[str, int]], survey: Survey, suppressed: bool
) -> GroupResult:
    result = GroupResult(label=label, n=len(answers), suppressed=suppressed)
    if suppressed:
        return result
    points = survey.scale_points
    per_response: list[list[int]] = [[] for _ in answers]
    for item in survey.items:
        key, reverse = item["key"], bool(item.get("reverse"))
        values = [a[key] for a in answers if isinstance(a.get(key), int)]
        distribution = [0] * points
        for value in values:
            if 1 <= value <= points:
                distribution[value - 1] += 1
        flipped = [scored(v, reverse=reverse, points=points) for v in values]
        for i, a in enumerate(answers):
            if isinstance(a.get(key), int):
                per_response[i].append(scored(a[key], reverse=reverse, points=points))
        result.items.append(
            ItemStats(
                key=key,
                text=item["text"],
                reverse=reverse,
                n=len(values),
                mean=round(sum(flipped) / len(flipped), 2) if flipped else None,
                distribution=distribution,
            )
        )
    means = [sum(r) / len(r) for r in per_response if r]
    result.scale_mean = round(sum(means) / len(means), 2) if means else None
    return result


def survey_results(*, survey: Survey) -> SurveyResults:
    """Per item mean and distribution, before and after, overall and by precinct.

    Shown only for a closed survey: while answers still come in, comparing today's figures with
    yesterday's would reveal the newest answer.
    """
    results = SurveyResults(
        available=not survey.open,
        reason="" if not survey.open else "Results appear once the survey is closed.",
        min_group_size=survey.min_group_size,
        scale_points=survey.scale_points,
        items=list(survey.items),
    )
    if survey.open:
        return results
    rows = survey.responses.values_list("phase", "group_unit_id", "answers")
    by_phase: dict[str, dict[int | None, list[Mapping[str, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for phase, group_id, answers in rows:
        by_phase[phase][group_id].append(answers)
    names = dict(
        Unit.objects.filter(
            pk__in={g for groups in by_phase.values() for g in groups if g is not None}
        ).values_list("pk", "name")
    )
    k = survey.min_group_size
    for phase in SurveyPhase:
        groups = by_phase.get(phase, {})
        everyone = [a for answers in groups.values() for a in answers]
        hidden = suppressed_groups({g: len(a) for g, a in groups.items()}, k)
        group_results = [
            _group_result(names.get(g, NO_GROUP) if g else NO_GROUP, a, survey, g in hidden)
            for g, a in groups.items()
        ]
        group_results.sort(key=lambda r: r.label)
        results.phases.append(
            PhaseResult(
                phase=phase.value,
                label=str(phase.label),
                overall=_group_result("All respondents", everyone, survey, len(everyone) < k),
                groups=group_results,
            )
        )
    return results
