"""Two agencies holding one record of every kind a URL can name, built through the services.

The *home* agency has records inside the chain of command of the sweep's scoped actors
(precinct A, officer_a1) and records outside it (precinct B, officer_b1); the *other* agency has
the same records again. Every name, badge, case number and free text of the other agency carries
``OTHER_TAG`` (and out-of-chain records ``OUT_TAG``), so a leak is found by searching response
bodies for one string. ``text`` lets the stored-XSS tests plant a payload in the same fields.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Model

from steadyhand.aar import services as aar_services
from steadyhand.aar.models import CaseLibraryEntry
from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Agency, Member, Rank, Unit
from steadyhand.agencies.services import member_create
from steadyhand.api.models import ApiToken
from steadyhand.api.services import api_token_create
from steadyhand.complaints import services as complaint_services
from steadyhand.complaints.models import Complaint
from steadyhand.core.testing import SmallAgency, actor_of, make_agency, make_user
from steadyhand.evaluations.models import Evaluation, SynthStudy
from steadyhand.imports.models import ImportBatch, ImportKind
from steadyhand.incidents import services as incident_services
from steadyhand.incidents.models import Incident
from steadyhand.incidents.tests.report_factories import force_report, fresh
from steadyhand.intervention.models import Flag
from steadyhand.jobs.services import job_create
from steadyhand.policy.tests.factories import make_document, make_published
from steadyhand.recognition import services as recognition_services
from steadyhand.reviews import services as review_services
from steadyhand.reviews.models import ForceReview, Notification
from steadyhand.scenarios import services as scenario_services
from steadyhand.simulator import list_scenarios
from steadyhand.training.models import Mandate, RolloutPlan, Survey, SurveyInvitation
from steadyhand.training.services.catalogue import training_setup_agency
from steadyhand.training.tests.factories import make_course, make_session

OTHER_TAG = "Xqleak"  # in every identifier and text of the other agency
OUT_TAG = "Outcq"  # in every text of the home agency's records outside the chain
IN_TAG = "Incq"

# The roles of the sweep. Supervisor and commander hold their role over precinct A only, so
# precinct B is outside their chain; the others hold theirs agency-wide.
SCOPED_ROLES = {Role.SUPERVISOR, Role.COMMANDER}


@dataclass
class Side:
    """One agency's records: ``inside`` (precinct A / officer_a1) and ``outside`` (precinct B)."""

    agency: SmallAgency
    inside: dict[str, Model] = field(default_factory=dict)
    outside: dict[str, Model] = field(default_factory=dict)
    actors: dict[Role, Actor] = field(default_factory=dict)
    users: dict[Role, User] = field(default_factory=dict)
    identifiers: list[str] = field(default_factory=list)


@dataclass
class World:
    home: Side
    other: Side

    def records(self, variant: str) -> dict[str, Model]:
        return {
            "inside": self.home.inside,
            "outside": self.home.outside,
            "other": self.other.inside,
        }[variant]


# One explanation row as the scoring service writes it (intervention/services.py).
_FACTOR = {
    "factor": "force", "contribution": 0.8, "weight": 1.0, "observed": 6.0,
    "expected": 2.0, "shrunk_ratio": 2.5, "prob_above_peers": 0.95, "peer_rate": 0.1,
    "incidents": 6,
}  # fmt: skip


def _default_text(tag: str, what: str) -> str:
    return f"{tag}-{what}-text"


def build_side(tag: str, *, name: str, text: Any = None) -> Side:
    """Everything a URL parameter can name, in one new agency. ``text(tag, what)`` → free text."""
    text = text or _default_text
    a = make_agency(name)
    side = Side(agency=a)
    low = tag.lower()
    if tag == OTHER_TAG:
        Agency.objects.filter(pk=a.agency.pk).update(slug=f"{low}-agency", name=f"{tag} Agency")
        a.agency.refresh_from_db()
        for unit in Unit.objects.filter(agency=a.agency):
            Unit.objects.filter(pk=unit.pk).update(name=f"{tag} {unit.name}")
        for member in Member.objects.filter(agency=a.agency):
            Member.objects.filter(pk=member.pk).update(
                badge=f"XQ{member.badge}", first_name=tag, last_name=f"{tag}{member.badge}"
            )
        for attr in ("sergeant_a1", "officer_a1", "officer_a2", "officer_b1"):
            getattr(a, attr).refresh_from_db()

    def user(role: Role, unit: Unit | None = None, member: Member | None = None) -> User:
        return make_user(a.agency, [(role, unit)], member=member, username=f"{low}-{role}")

    users = {
        Role.OFFICER: user(Role.OFFICER, member=a.officer_a1),
        Role.SUPERVISOR: user(Role.SUPERVISOR, a.precinct_a, a.sergeant_a1),
        Role.COMMANDER: user(Role.COMMANDER, a.precinct_a),
        Role.TRAINER: user(Role.TRAINER),
        Role.INTERNAL_AFFAIRS: user(Role.INTERNAL_AFFAIRS),
        Role.ANALYST: user(Role.ANALYST),
        Role.AUDITOR: user(Role.AUDITOR),
        Role.AGENCY_ADMIN: user(Role.AGENCY_ADMIN),
    }
    side.users = users
    side.actors = {role: actor_of(u) for role, u in users.items()}
    act = side.actors
    officer_b_user = make_user(a.agency, [Role.OFFICER], member=a.officer_b1, username=f"{low}-ob")
    officer_b = actor_of(officer_b_user)
    sergeant_b = member_create(
        actor=a.system, badge=f"{tag[:2].upper()}S300", first_name=tag, last_name=f"{tag}S300",
        rank=Rank.SERGEANT, unit=a.squad_b1, supervisor=None, hire_date=date(2012, 1, 1),
    )  # fmt: skip
    supervisor_b = actor_of(
        make_user(
            a.agency, [(Role.SUPERVISOR, a.precinct_b)], member=sergeant_b, username=f"{low}-sb"
        )
    )
    board = actor_of(make_user(a.agency, [Role.COMMANDER], username=f"{low}-board"))

    # Agency-level records: the same for inside and outside.
    common: dict[str, Model] = {}
    training_setup_agency(actor=act[Role.TRAINER])
    course = make_course(act[Role.TRAINER], f"{tag[:2].upper()}-1", title=text(tag, "course"))
    course.description = text(tag, "course-description")
    course.save(update_fields=["description"])
    common["course"] = course
    common["topic"] = course.topic
    common["training_session"] = make_session(
        act[Role.TRAINER], course, date.today() + timedelta(days=10), location=text(tag, "room")
    )
    common["mandate"] = Mandate.objects.create(
        agency=a.agency, name=text(tag, "mandate"), topic=course.topic, hours=Decimal("4"),
        period_months=12,
    )  # fmt: skip
    plan = RolloutPlan.objects.create(
        agency=a.agency, name=text(tag, "rollout"), course=course, level="unit"
    )
    common["rollout"] = plan
    survey = Survey.objects.create(agency=a.agency, title=text(tag, "survey"))
    common["survey"] = survey
    document = make_document(board, code=f"{tag[:2].upper()}-P", title=text(tag, "policy"))
    version = make_published(
        board, document, [("1", text(tag, "heading"), text(tag, "policy-section"))]
    )
    common["policy"] = document
    common["policy_version"] = version
    common["policy_section"] = version.sections.first()  # type: ignore[assignment]
    common["award_type"] = recognition_services.award_type_create(
        actor=board, name=text(tag, "award"), description=text(tag, "award-description")
    )
    common["library_entry"] = CaseLibraryEntry.objects.create(
        agency=a.agency, title=text(tag, "library"), summary=text(tag, "library-summary"),
        lessons=text(tag, "library-lessons"), period="2026-Q1",
    )  # fmt: skip
    common["evaluation"] = Evaluation.objects.create(
        agency=a.agency, plan=plan, outcome="force_rate", unit_of_analysis="unit",
        method="its",
    )  # fmt: skip
    common["synth_study"] = SynthStudy.objects.create(
        agency=a.agency, title=text(tag, "synth"), file_name=f"{low}.csv", content=b"",
        sha256="0" * 64, unit_column="u", time_column="t", outcome_column="y", treated="x",
        treatment_start=5.0, fit_from=0.0, fit_to=4.0,
    )  # fmt: skip
    common["group_session"] = scenario_services.group_session_create(
        actor=act[Role.TRAINER], scenario_id=list_scenarios()[0].id, title=text(tag, "drill")
    )
    for kind, batch_kind in (
        ("roster_batch", ImportKind.ROSTER),
        ("training_batch", ImportKind.TRAINING),
        ("incident_batch", ImportKind.INCIDENTS),
        ("complaint_batch", ImportKind.COMPLAINTS),
    ):
        common[kind] = ImportBatch.objects.create(
            agency=a.agency, kind=batch_kind, file_name=f"{low}-{kind}.csv", content=b"x",
            sha256=hashlib.sha256(b"x").hexdigest(), created_by=users[Role.AGENCY_ADMIN],
        )  # fmt: skip
    common["force_level"] = 2  # type: ignore[assignment]

    def chain_records(
        reporter: Actor, supervisor: Actor, member: Member, owner: User, label: str
    ) -> dict[str, Model]:
        """Records about ``member`` (their unit, their incident and all that hangs off it)."""
        t = f"{tag}-{label}" if tag == OTHER_TAG else label
        found: dict[str, Model] = {"member": member, "unit": member.unit, "user": owner}
        found["role_assignment"] = owner.role_assignments.first()  # type: ignore[assignment]
        incident = force_report(reporter)
        Incident.objects.filter(pk=incident.pk).update(
            case_number=f"{t.upper()}-CASE", location=text(t, "location"),
            narrative=text(t, "narrative"),
        )  # fmt: skip
        incident = fresh(incident)
        incident = incident_services.incident_submit(
            actor=reporter, incident=incident, expected_version=incident.version
        )
        found["incident"] = fresh(incident)
        found["involvement"] = incident.involvements.first()  # type: ignore[assignment]
        found["subject"] = incident.subjects.first()  # type: ignore[assignment]
        found["timeline_event"] = incident.events.order_by("sequence").first()  # type: ignore[assignment]
        review = ForceReview.objects.filter(incident=incident).first()
        if review is None:
            review = review_services.review_open_for_incident(actor=supervisor, incident=incident)
        found["review"] = review
        found["corrective_action"] = review_services.corrective_action_create(
            actor=supervisor, review=review, kind="counselling", member=member,
            due_on=date.today() + timedelta(days=30), note=text(t, "corrective"),
        )  # fmt: skip
        found["notification"] = Notification.objects.create(
            agency=a.agency, recipient=owner, text=text(t, "notification")
        )
        aar = aar_services.aar_open(actor=supervisor, incident=found["incident"])  # type: ignore[arg-type]
        aar = aar_services.aar_notes_update(
            actor=supervisor, aar=aar, notes=text(t, "aar-notes"), expected_version=aar.version
        )
        found["lesson"] = aar_services.lesson_add(
            actor=supervisor, aar=aar, text=text(t, "lesson"),
            training_recommendation=text(t, "recommendation"),
        )  # fmt: skip
        found["aar"] = aar
        complaint = complaint_services.complaint_intake(
            actor=act[Role.INTERNAL_AFFAIRS], channel="phone", narrative=text(t, "complaint"),
            complainant_name=text(t, "complainant"),
        )  # fmt: skip
        found["allegation"] = complaint_services.allegation_add(
            actor=act[Role.INTERNAL_AFFAIRS], complaint=complaint,
            expected_version=complaint.version, category="discourtesy",
            description=text(t, "allegation"), member=member,
        )  # fmt: skip
        if tag == OTHER_TAG:
            Complaint.objects.filter(pk=complaint.pk).update(reference=f"{t}-{complaint.pk}")
        complaint.refresh_from_db()
        found["complaint"] = complaint
        found["nomination"] = recognition_services.nomination_create(
            actor=board, member=member, narrative=text(t, "commendation")
        )
        found["scenario_run"] = scenario_services.run_start(
            actor=reporter, scenario_id=list_scenarios()[0].id
        )
        found["job"] = job_create(actor=reporter, kind="test", title=text(t, "job"))
        found["api_token"] = ApiToken.objects.get(
            pk=api_token_create(actor=reporter, name=text(t, "token"), lifetime_days=30).token.pk
        )
        found["flag"] = Flag.objects.create(
            agency=a.agency, member=member, unit=member.unit,
            period_start=date.today() - timedelta(days=365), period_end=date.today(),
            score=0.9, combined_ratio=2.5, peer_group=text(t, "peer-group"), peer_size=9,
            exposure=30.0, factors=[_FACTOR],
        )  # fmt: skip
        found["survey_invitation"] = SurveyInvitation.objects.create(
            survey=survey, member=member, phase="pre"
        )
        return found

    side.inside = {
        **common,
        **chain_records(act[Role.OFFICER], act[Role.SUPERVISOR], a.officer_a1,
                        users[Role.OFFICER], IN_TAG),
    }  # fmt: skip
    side.outside = {
        **common,
        **chain_records(officer_b, supervisor_b, a.officer_b1, officer_b_user, OUT_TAG),
    }
    side.identifiers = [
        tag,
        a.agency.slug,
        *Member.objects.filter(agency=a.agency).values_list("badge", flat=True),
        *Incident.objects.filter(agency=a.agency).values_list("case_number", flat=True),
        *Complaint.objects.filter(agency=a.agency).values_list("reference", flat=True),
        *User.objects.filter(agency=a.agency).values_list("username", flat=True),
    ]
    return side


def build_world(text: Any = None) -> World:
    return World(
        home=build_side(IN_TAG, name="Home Agency", text=text),
        other=build_side(OTHER_TAG, name="Other Agency", text=text),
    )
