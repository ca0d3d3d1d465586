"""Builders for the review tests: a chain of command above the small agency's squad A1 and
submitted force incidents.

Incidents are written directly (the incident services have their own tests and are being
extended concurrently); everything of this app goes through its services.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member, Rank, Unit
from steadyhand.agencies.services import member_create
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.incidents.models import Incident, IncidentStatus, Involvement
from steadyhand.training.models import Course, CourseMode, Setting, Topic

_n = iter(range(1, 10_000))


@dataclass
class Chain:
    a: SmallAgency
    lieutenant: Member  # precinct A
    captain: Member  # patrol bureau
    officer: Actor  # officer_a1, reporter and involved
    sergeant: Actor  # sergeant_a1, officer_a1's supervisor; supervisor over precinct A
    lieutenant_actor: Actor  # supervisor over precinct A
    captain_actor: Actor  # commander over the bureau
    board: Actor  # commander agency-wide (no member)
    supervisor_b: Actor  # supervisor over precinct B (another chain)
    ia: Actor  # internal affairs, agency-wide
    trainer: Actor
    analyst: Actor
    partner: Actor  # officer_a2, not involved unless added


def _member(a: SmallAgency, badge: str, rank: str, unit: Unit) -> Member:
    return member_create(
        actor=a.system, badge=badge, first_name="Test", last_name=badge, rank=rank, unit=unit,
        supervisor=None, hire_date=date(2010, 1, 4),
    )  # fmt: skip


def make_chain(a: SmallAgency) -> Chain:
    lt = _member(a, "L200", Rank.LIEUTENANT, a.precinct_a)
    cpt = _member(a, "C300", Rank.CAPTAIN, a.bureau)

    def user(roles: list[tuple[Role, Unit | None]], member: Member | None = None) -> Actor:
        return actor_of(make_user(a.agency, roles, member=member))

    return Chain(
        a=a,
        lieutenant=lt,
        captain=cpt,
        officer=user([(Role.OFFICER, None)], a.officer_a1),
        sergeant=user([(Role.SUPERVISOR, a.precinct_a)], a.sergeant_a1),
        lieutenant_actor=user([(Role.SUPERVISOR, a.precinct_a)], lt),
        captain_actor=user([(Role.COMMANDER, a.bureau)], cpt),
        board=user([(Role.COMMANDER, None)]),
        supervisor_b=user([(Role.SUPERVISOR, a.precinct_b)]),
        ia=user([(Role.INTERNAL_AFFAIRS, None)]),
        trainer=user([(Role.TRAINER, None)]),
        analyst=user([(Role.ANALYST, None)]),
        partner=user([(Role.OFFICER, None)], a.officer_a2),
    )


def force_incident(
    a: SmallAgency,
    *,
    level: int | None = 2,
    reporter: Member | None = None,
    unit: Unit | None = None,
    others: tuple[Member, ...] = (),
    status: str = IncidentStatus.SUBMITTED,
    force_used: bool = True,
) -> Incident:
    reporter = reporter or a.officer_a1
    incident = Incident.objects.create(
        agency=a.agency,
        case_number=f"T-{next(_n):05d}",
        unit=unit or reporter.unit,
        status=status,
        occurred_at=timezone.now() - timedelta(days=1),
        contact_type="dispatched",
        force_used=force_used,
        highest_force_level=level if force_used else None,
        reported_by=reporter,
        submitted_at=timezone.now() if status == IncidentStatus.SUBMITTED else None,
    )
    Involvement.objects.create(incident=incident, member=reporter, role_on_scene="primary",
                               used_force=force_used)  # fmt: skip
    for other in others:
        Involvement.objects.create(incident=incident, member=other, role_on_scene="backup")
    return incident


def remedial_course(a: SmallAgency) -> Course:
    topic = Topic.objects.filter(agency=a.agency, code="de_escalation").first()
    if topic is None:
        topic = Topic.objects.create(agency=a.agency, code="de_escalation", name="De-escalation",
                                     parity_group="de_escalation")  # fmt: skip
    course = Course.objects.create(
        agency=a.agency, code=f"DE-R{next(_n)}", title="De-escalation refresher", topic=topic,
        setting=Setting.IN_SERVICE,
    )  # fmt: skip
    CourseMode.objects.create(course=course, mode="role_play", hours=Decimal("4"))
    return course
