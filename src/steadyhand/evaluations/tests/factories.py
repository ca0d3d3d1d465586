"""A roll-out with a planted effect: squads in randomized waves, force incidents per month."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np

from steadyhand.agencies.models import Unit, UnitKind
from steadyhand.agencies.services import unit_create
from steadyhand.core.testing import SmallAgency
from steadyhand.incidents.models import Incident, IncidentStatus
from steadyhand.training.models import RolloutPlan, Wave, WaveAssignment
from steadyhand.training.tests.factories_rollouts import make_course

WAVE_STARTS = [date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1)]
FIRST_DATA_MONTH = date(2024, 1, 1)
LAST_DATA_MONTH = date(2025, 12, 1)


@dataclass
class PlantedRollout:
    plan: RolloutPlan
    squads: list[Unit]
    effect: float  # the multiplicative effect on the monthly rate once trained
    incidents: int


def _months(first: date, last: date) -> list[date]:
    out, day = [], first
    while day <= last:
        out.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def planted_rollout(
    sa: SmallAgency, *, squads: int = 16, rate: float = 3.0, effect: float = 0.6, seed: int = 7
) -> PlantedRollout:
    """``squads`` squads, four quarterly waves in 2025, Poisson force counts 2024-2025 whose
    rate falls to ``effect`` times its level from a squad's wave on."""
    rng = np.random.default_rng(seed)
    units = [
        unit_create(
            actor=sa.system,
            parent=sa.precinct_a if i % 2 else sa.precinct_b,
            name=f"Squad E{i}",
            code=f"E-{i}",
            kind=UnitKind.SQUAD,
        )
        for i in range(squads)
    ]
    plan = RolloutPlan.objects.create(
        agency=sa.agency,
        name="Evaluation test roll-out",
        course=make_course(sa.agency.pk, code="EVAL-DE"),
        level="unit",
        randomized=True,
    )
    waves = [
        Wave.objects.create(plan=plan, number=i + 1, starts_on=start, ends_on=start)
        for i, start in enumerate(WAVE_STARTS)
    ]
    order = rng.permutation(squads)
    wave_of = {}
    for position, index in enumerate(order):
        wave = waves[position % len(waves)]
        WaveAssignment.objects.create(plan=plan, wave=wave, unit=units[index])
        wave_of[units[index].pk] = wave.starts_on
    rows = []
    for unit in units:
        for month in _months(FIRST_DATA_MONTH, LAST_DATA_MONTH):
            mean = rate * (effect if month >= wave_of[unit.pk] else 1.0)
            for k in range(int(rng.poisson(mean))):
                rows.append(
                    Incident(
                        agency=sa.agency,
                        unit=unit,
                        case_number=f"T-{unit.code}-{month:%Y%m}-{k}",
                        status=IncidentStatus.SUBMITTED,
                        occurred_at=datetime(month.year, month.month, 10 + k % 15, 12, tzinfo=UTC),
                        contact_type="dispatched",
                        force_used=True,
                        highest_force_level=3,
                    )
                )
    Incident.objects.bulk_create(rows)
    return PlantedRollout(plan=plan, squads=units, effect=effect, incidents=len(rows))
