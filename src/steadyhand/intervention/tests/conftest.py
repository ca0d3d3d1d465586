"""Fixtures: an agency with a planted high-force officer."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from steadyhand.agencies.models import Member, Rank
from steadyhand.agencies.services import member_create
from steadyhand.core.testing import SmallAgency
from steadyhand.incidents.models import Incident, IncidentStatus, Involvement

AS_OF = date(2025, 6, 30)


@dataclass
class Scored:
    agency: SmallAgency
    hot: Member  # uses force far more often than the colleagues at the same incidents
    squad: list[Member]


def make_scored_agency(a: SmallAgency) -> Scored:
    """Ten officers of squad A1 attend 30 incidents each in pairs over the last year; ``hot``
    uses force at half of theirs, the others at about one in fifteen."""
    squad = [a.officer_a1] + [
        member_create(
            actor=a.system,
            badge=f"Q{i:03d}",
            first_name="Test",
            last_name=f"Q{i:03d}",
            rank=Rank.OFFICER,
            unit=a.squad_a1,
            supervisor=a.sergeant_a1,
            hire_date=date(2018, 1, 1),
        )
        for i in range(9)
    ]
    hot = squad[0]
    start = datetime(2024, 8, 1, 12, 0, tzinfo=UTC)
    incidents, rows = [], []
    n = 0
    for round_ in range(30):
        for pair in range(5):
            first = squad[(2 * pair + round_) % 10]
            second = squad[(2 * pair + 1 + 3 * round_) % 10]
            if first == second:
                second = squad[(2 * pair + 1) % 10]
            n += 1
            incident = Incident(
                agency=a.agency,
                case_number=f"EI-{n:04d}",
                unit=a.squad_a1,
                status=IncidentStatus.SUBMITTED,
                occurred_at=start + timedelta(days=(n % 300)),
                contact_type="dispatched",
            )
            incidents.append(incident)
            for member in (first, second):
                rate = 2 if member == hot else 15
                rows.append((incident, member, (n + member.pk) % rate == 0))
    Incident.objects.bulk_create(incidents)
    Involvement.objects.bulk_create(
        Involvement(incident=i, member=m, used_force=f, role_on_scene="primary") for i, m, f in rows
    )
    return Scored(agency=a, hot=hot, squad=squad)


@pytest.fixture
def scored(small_agency: SmallAgency) -> Scored:
    return make_scored_agency(small_agency)
