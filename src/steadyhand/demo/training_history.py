"""The demo agency's training history: policy and acknowledgements, an academy class,
in-service refreshers, and a de-escalation course rolled out to squads in randomized waves.

Deterministic for a given seed and ``as_of`` date: every choice comes from one
``random.Random``, and dates are offsets from ``as_of``. Everything goes through the services
(audited like real records). ``as_of`` defaults to the first day of the current month so the
demo always has a past, a present and an upcoming wave.
"""

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency, Member, MemberStatus, Rank, Unit
from steadyhand.policy.models import PolicyVersion
from steadyhand.policy.services import acknowledgement_record_historical, policy_seed_examples
from steadyhand.training.models import Course, DeliveryMode, EnrolmentStatus, Setting, Topic
from steadyhand.training.selectors.rollouts import wave_schedule
from steadyhand.training.services.catalogue import (
    RosterMark,
    course_create,
    enrolment_record_external,
    session_create,
    session_enrol,
    session_record_roster,
    training_setup_agency,
)
from steadyhand.training.services.mandates import mandate_load_example_rule_sets
from steadyhand.training.services.rollouts import rollout_create, rollout_randomize

Progress = Callable[[int], object]

SWORN_IN_SERVICE = (Rank.OFFICER, Rank.DETECTIVE, Rank.SERGEANT, Rank.LIEUTENANT, Rank.CAPTAIN)
ACK_RATE = 0.9  # the rest are overdue: the demo needs someone for supervisors to chase
SESSION_SIZE = 24
ROLLOUT_WAVES = 8
WAVE_MONTHS = 3
ROLLOUT_SEED_OFFSET = 7919  # the roll-out's own seed, derived from the demo seed


@dataclass(frozen=True)
class CourseSpec:
    code: str
    title: str
    topic: str
    setting: str
    modes: dict[str, Decimal]
    cites: tuple[str, ...] = ()  # "EX-DE-1 §3"


D = Decimal
COURSES = (
    CourseSpec("ACAD-UOF", "Academy use of force and control tactics", "use_of_force",
               Setting.ACADEMY, {DeliveryMode.LECTURE: D(16), DeliveryMode.PRACTICAL: D(16),
                                 DeliveryMode.ROLE_PLAY: D(8)}, ("EX-UOF-1 §3", "EX-UOF-1 §4")),
    CourseSpec("ACAD-DE", "Academy de-escalation and communication", "de_escalation",
               Setting.ACADEMY, {DeliveryMode.LECTURE: D(10), DeliveryMode.ROLE_PLAY: D(10),
                                 DeliveryMode.GROUP_DISCUSSION: D(4)},
               ("EX-DE-1 §2", "EX-DE-1 §3", "EX-DE-1 §4")),
    CourseSpec("ICAT-16", "Integrating communications, assessment and tactics (16 h)",
               "de_escalation", Setting.IN_SERVICE,
               {DeliveryMode.LECTURE: D(4), DeliveryMode.VIDEO: D(2),
                DeliveryMode.TEAM_EXERCISE: D(3), DeliveryMode.ROLE_PLAY: D(5),
                DeliveryMode.GROUP_DISCUSSION: D(2)},
               ("EX-DE-1 §3", "EX-DE-1 §4", "EX-DE-1 §5", "EX-UOF-1 §2")),
    CourseSpec("IS-UOF-8", "Annual use-of-force refresher", "use_of_force", Setting.IN_SERVICE,
               {DeliveryMode.LECTURE: D(3), DeliveryMode.PRACTICAL: D(5)}, ("EX-UOF-1 §3",)),
    CourseSpec("IS-DT-8", "Defensive tactics refresher", "defensive_tactics", Setting.IN_SERVICE,
               {DeliveryMode.PRACTICAL: D(8)}),
    CourseSpec("IS-DE-4", "Annual de-escalation refresher", "de_escalation", Setting.IN_SERVICE,
               {DeliveryMode.VIDEO: D(1), DeliveryMode.ROLE_PLAY: D(3)}, ("EX-DE-1 §3",)),
    CourseSpec("CIT-40", "Crisis intervention team certification (40 h)", "crisis_intervention",
               Setting.IN_SERVICE, {DeliveryMode.LECTURE: D(24), DeliveryMode.ROLE_PLAY: D(12),
                                    DeliveryMode.GROUP_DISCUSSION: D(4)}, ("EX-DE-1 §6",)),
)  # fmt: skip


def history_system_actor(agency: Agency) -> Actor:
    return Actor.system(
        agency_id=agency.pk,
        label="demo",
        roles=(Role.AGENCY_ADMIN, Role.TRAINER, Role.COMMANDER, Role.ANALYST),
    )


def default_as_of(today: date | None = None) -> date:
    today = today or date.today()
    return today.replace(day=1)


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    return date(day.year + month0 // 12, month0 % 12 + 1, 1)


def _chunks(items: Sequence[Member], size: int) -> Iterator[Sequence[Member]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Builder:
    def __init__(self, agency: Agency, seed: int, as_of: date, progress: Progress) -> None:
        self.agency = agency
        self.rng = random.Random(seed * 1_000_003 + 17)
        self.seed = seed
        self.as_of = as_of
        self.progress = progress
        self.actor = history_system_actor(agency)
        self.members = list(
            Member.objects.filter(agency=agency).select_related("unit").order_by("badge")
        )
        self.active = [m for m in self.members if m.status != MemberStatus.SEPARATED]
        self.sworn = [m for m in self.active if m.rank in SWORN_IN_SERVICE]
        self.instructors = [
            m for m in self.active if m.unit.code == "TA" and m.rank == Rank.SERGEANT
        ]

    # Policy ----------------------------------------------------------------------------------

    def policy(self) -> list[PolicyVersion]:
        published_on = self.as_of - timedelta(days=300)
        versions = policy_seed_examples(
            actor=self.actor, published_at=datetime.combine(published_on, time(9), tzinfo=UTC)
        )
        for version in versions:
            ranks = set(version.document.applies_to_ranks)
            for member in self.active:
                if member.status != MemberStatus.ACTIVE or (ranks and member.rank not in ranks):
                    continue
                if self.rng.random() < ACK_RATE:
                    when = published_on + timedelta(days=self.rng.randint(1, 28))
                    acknowledgement_record_historical(
                        actor=self.actor, version=version, member=member,
                        acknowledged_at=datetime.combine(when, time(8), tzinfo=UTC),
                    )  # fmt: skip
                self.progress(1)
        return versions

    # Catalogue -------------------------------------------------------------------------------

    def courses(self, versions: list[PolicyVersion]) -> dict[str, Course]:
        training_setup_agency(actor=self.actor)
        topics = {t.code: t for t in Topic.objects.filter(agency=self.agency)}
        documents = {v.document.code: v.document for v in versions}
        courses = {}
        for spec in COURSES:
            citations = []
            for cite in spec.cites:
                code, number = cite.split(" §")
                citations.append((documents[code], number))
            courses[spec.code] = course_create(
                actor=self.actor, code=spec.code, title=spec.title, topic=topics[spec.topic],
                setting=spec.setting, modes=spec.modes, citations=citations,
                description="Demo course.",
            )  # fmt: skip
        mandate_load_example_rule_sets(actor=self.actor)
        return courses

    def _run_sessions(
        self, course: Course, members: Sequence[Member], first_day: date, *, days: int,
        complete: bool, every_days: int = 14, location: str = "Training Academy",
    ) -> None:  # fmt: skip
        """Sessions of ``SESSION_SIZE`` from ``first_day``, every ``every_days``; completed
        (with a few no-shows) if ``complete``, otherwise left as enrolments."""
        start = first_day
        for group in _chunks(members, SESSION_SIZE):
            session = session_create(
                actor=self.actor, course=course, starts_on=start,
                ends_on=start + timedelta(days=days - 1), capacity=SESSION_SIZE,
                location=location, instructors=self.instructors[:2],
            )  # fmt: skip
            enrolments = session_enrol(actor=self.actor, session=session, members=group)
            if complete:
                marks = [
                    RosterMark(
                        enrolment_id=e.pk,
                        status=EnrolmentStatus.COMPLETED
                        if self.rng.random() < 0.95
                        else EnrolmentStatus.NO_SHOW,
                        score=Decimal(self.rng.randint(70, 100)),
                    )
                    for e in enrolments
                ]
                session_record_roster(actor=self.actor, session=session, marks=marks)
            self.progress(len(group))
            start += timedelta(days=every_days)

    def academy(self, courses: dict[str, Course]) -> None:
        """Members hired in the last three years have academy records; recruits are in class."""
        recent = [
            m for m in self.sworn
            if m.hire_date >= self.as_of - timedelta(days=3 * 365)
            and m.hire_date + timedelta(days=140) <= self.as_of
        ]  # fmt: skip
        for member in recent:
            graduated = member.hire_date + timedelta(days=140)
            for code in ("ACAD-UOF", "ACAD-DE"):
                enrolment_record_external(
                    actor=self.actor, member=member, course=courses[code],
                    completed_on=graduated, source="demo:academy",
                )  # fmt: skip
            self.progress(1)
        recruits = [m for m in self.active if m.rank == Rank.RECRUIT]
        class_start = self.as_of - timedelta(days=90)
        self._run_sessions(courses["ACAD-UOF"], recruits, class_start, days=5, complete=True)
        self._run_sessions(
            courses["ACAD-DE"], recruits, class_start + timedelta(days=7), days=3, complete=True
        )

    def in_service(self, courses: dict[str, Course]) -> None:
        year_ago = self.as_of - timedelta(days=330)
        for code, share in (("IS-UOF-8", 0.9), ("IS-DT-8", 0.7), ("IS-DE-4", 0.4)):
            chosen = [m for m in self.sworn if self.rng.random() < share]
            self._run_sessions(courses[code], chosen, year_ago, days=1, complete=True,
                               every_days=10)  # fmt: skip
        cit = [m for m in self.sworn if m.rank == Rank.OFFICER and self.rng.random() < 0.15]
        self._run_sessions(courses["CIT-40"], cit, year_ago + timedelta(days=30), days=5,
                           complete=True, every_days=45)  # fmt: skip

    # The randomized roll-out -------------------------------------------------------------------

    def rollout(self, courses: dict[str, Course]) -> None:
        """ICAT-16 to patrol squads in eight randomized three-month waves over 24 months,
        six of them before ``as_of`` (trained) and two after (enrolled)."""
        first = add_months(self.as_of, -WAVE_MONTHS * 6)
        waves = [
            (add_months(first, WAVE_MONTHS * i),
             add_months(first, WAVE_MONTHS * (i + 1)) - timedelta(days=1))
            for i in range(ROLLOUT_WAVES)
        ]  # fmt: skip
        plan = rollout_create(
            actor=self.actor, name="ICAT de-escalation roll-out to patrol squads",
            course=courses["ICAT-16"], level="unit", strata=["precinct"], waves=waves,
        )  # fmt: skip
        patrol = Unit.objects.get(agency=self.agency, code="PB")
        plan = rollout_randomize(
            actor=self.actor, plan=plan, unit=patrol, seed=self.seed + ROLLOUT_SEED_OFFSET
        )
        by_id = {m.pk: m for m in self.active}
        by_wave: dict[int, list[Member]] = {}
        for entry in wave_schedule(plan=plan):
            if entry.member_id in by_id:
                by_wave.setdefault(entry.wave_number, []).append(by_id[entry.member_id])
        for number, (start, _end) in enumerate(waves, start=1):
            members = by_wave.get(number, [])
            self._run_sessions(courses["ICAT-16"], members, start + timedelta(days=7), days=2,
                               complete=start < self.as_of, every_days=7)  # fmt: skip


def planned_steps(agency: Agency) -> int:
    """Roughly how many progress steps ``build_training_history`` reports (for a bar)."""
    members = Member.objects.filter(agency=agency).exclude(status=MemberStatus.SEPARATED).count()
    return members * 2 + int(members * 3.2)


def build_training_history(
    *, agency: Agency, seed: int, as_of: date, progress: Progress | None = None
) -> None:
    """Add the training history to a freshly built demo agency (inside its transaction)."""
    builder = _Builder(agency, seed, as_of, progress or (lambda n: None))
    versions = builder.policy()
    courses = builder.courses(versions)
    builder.academy(courses)
    builder.in_service(courses)
    builder.rollout(courses)
