"""Builders for the roll-out and survey tests: a course, more members, a plan with waves."""

import itertools
from datetime import date

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member, Rank, Unit
from steadyhand.agencies.services import member_create, member_update
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.training.models import Course, ParityGroup, RolloutPlan, Setting, Topic
from steadyhand.training.services.rollouts import rollout_create

_badges = itertools.count(5000)

WAVES_2026 = [
    (date(2026, 1, 1), date(2026, 3, 31)),
    (date(2026, 4, 1), date(2026, 6, 30)),
    (date(2026, 7, 1), date(2026, 9, 30)),
]


def make_course(agency_id: int, code: str = "DE-16") -> Course:
    topic, _ = Topic.objects.get_or_create(
        agency_id=agency_id,
        code="de-escalation",
        defaults={"name": "De-escalation", "parity_group": ParityGroup.DE_ESCALATION},
    )
    return Course.objects.create(
        agency_id=agency_id,
        code=code,
        title="De-escalation (16 hours)",
        topic=topic,
        setting=Setting.IN_SERVICE,
    )


def add_members(sa: SmallAgency, unit: Unit, n: int) -> list[Member]:
    return [
        member_create(
            actor=sa.system,
            badge=str(next(_badges)),
            first_name="Test",
            last_name=f"Member{i}",
            rank=Rank.OFFICER,
            unit=unit,
            hire_date=date(2018, 1, 1),
        )
        for i in range(n)
    ]


def analyst(sa: SmallAgency) -> Actor:
    return actor_of(make_user(sa.agency, [Role.ANALYST]))


def trainer(sa: SmallAgency) -> Actor:
    return actor_of(make_user(sa.agency, [Role.TRAINER]))


def make_plan(
    sa: SmallAgency,
    actor: Actor,
    *,
    level: str = "member",
    strata: tuple[str, ...] = ("precinct", "shift"),
    course: Course | None = None,
    name: str = "DE-16 roll-out",
) -> RolloutPlan:
    return rollout_create(
        actor=actor,
        name=name,
        course=course or make_course(sa.agency.pk),
        level=level,
        strata=list(strata),
        waves=WAVES_2026,
    )


def change_member(sa: SmallAgency, member: Member, **changes: object) -> Member:
    """``member_update`` with every field kept except ``changes`` (unit, status …)."""
    member.refresh_from_db()
    fields: dict[str, object] = {
        "badge": member.badge,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "rank": member.rank,
        "unit": member.unit,
        "hire_date": member.hire_date,
        "supervisor": member.supervisor,
        "status": member.status,
    }
    fields.update(changes)
    return member_update(
        actor=sa.system,
        member=member,
        expected_version=member.version,
        **fields,  # type: ignore[arg-type]
    )
