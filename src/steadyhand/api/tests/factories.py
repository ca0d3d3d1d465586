"""Builders for API and export tests: tokens, clients and whole incident records.

Incidents are made through ``incident_record`` (the real service), so they are validated,
summarised and audited like anything a records system sends.
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rest_framework.test import APIClient

from steadyhand.access.actor import Actor
from steadyhand.accounts.models import User
from steadyhand.api.services import api_token_create
from steadyhand.core.testing import actor_of
from steadyhand.incidents.intake_services import (
    EventRecord,
    IncidentRecord,
    InvolvementRecord,
    SubjectRecord,
    incident_record,
)
from steadyhand.incidents.models import Incident

CHICAGO = ZoneInfo("America/Chicago")
WHEN = datetime(2026, 3, 14, 21, 5, tzinfo=CHICAGO)


def token_for(user: User, *, lifetime_days: int = 30) -> str:
    return api_token_create(actor=actor_of(user), name="tests", lifetime_days=lifetime_days).secret


def client_for(secret: str | None) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    if secret is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def api_client(user: User) -> APIClient:
    return client_for(token_for(user))


def force_events(primary: str = "O101") -> list[dict[str, Any]]:
    """A timeline from first contact to custody after a takedown (as JSON)."""
    return [
        {"code": "arrives", "offset_seconds": 0, "actor_badge": primary},
        {"code": "introduce_self", "offset_seconds": 10, "actor_badge": primary},
        {"code": "verbal_refusal", "offset_seconds": 30, "actor_subject": 1},
        {"code": "create_distance", "offset_seconds": 40, "actor_badge": primary},
        {"code": "pulls_away", "offset_seconds": 90, "actor_subject": 1},
        {"code": "takedown", "offset_seconds": 95, "actor_badge": primary, "target_subject": 1},
        {"code": "custody_with_force", "offset_seconds": 120},
    ]


def record_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case_number": "RMS-2026-0001",
        "occurred_at": WHEN.isoformat(),
        "contact_type": "dispatched",
        "call_type": "Disturbance",
        "district": "D7",
        "beat": "0712",
        "location": "1200 block of W Example St",
        "narrative": "Officer Test O101 spoke with the man.",
        "involvements": [
            {"badge": "O101", "role_on_scene": "primary"},
            {"badge": "S100", "role_on_scene": "supervisor"},
        ],
        "subjects": [
            {
                "race": "black",
                "sex": "male",
                "age_band": "25_34",
                "indicators": ["mental_health_crisis"],
                "arrested": True,
            }
        ],
        "events": force_events(),
    }
    body.update(overrides)
    return body


def make_incident(
    actor: Actor,
    *,
    case_number: str = "",
    when: datetime = WHEN,
    badges: tuple[str, ...] = ("O101",),
    events: tuple[EventRecord, ...] | None = None,
    subjects: tuple[SubjectRecord, ...] | None = None,
    district: str = "D7",
) -> Incident:
    primary = badges[0]
    if events is None:
        events = (
            EventRecord(code="arrives", offset_seconds=0, actor_badge=primary),
            EventRecord(code="create_distance", offset_seconds=20, actor_badge=primary),
            EventRecord(code="pulls_away", offset_seconds=60, actor_subject=1),
            EventRecord(code="takedown", offset_seconds=65, actor_badge=primary, target_subject=1),
            EventRecord(code="custody_with_force", offset_seconds=90),
        )
    record = IncidentRecord(
        occurred_at=when,
        contact_type="dispatched",
        call_type="Disturbance",
        district=district,
        beat="0712",
        location="1200 block of W Example St",
        latitude=None,
        longitude=None,
        narrative=f"Officer {primary} and the subject talked.",
        case_number=case_number,
        involvements=tuple(InvolvementRecord(badge=b) for b in badges),
        subjects=subjects if subjects is not None else (SubjectRecord(race="white", sex="female"),),
        events=events,
    )
    return incident_record(actor=actor, record=record)


def past(days: int) -> datetime:
    return datetime.now(CHICAGO) - timedelta(days=days)
