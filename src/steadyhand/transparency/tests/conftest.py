"""Planted monthly counts: a small agency whose districts have many small cells."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.core.cache import cache

from steadyhand.core.testing import SmallAgency
from steadyhand.stats.models import MonthlyCount
from steadyhand.transparency import release as release_module

TODAY = date(2026, 6, 15)
CLOSED_YEAR = 2025


def plant(agency: SmallAgency, *, seed: int, districts: tuple[str, ...], scale: int = 30) -> None:
    """Two and a half years of counts with the structure the stats layer keeps.

    Force incidents are split among levels (some with no level recorded) and among types; the
    district counts run from 0 to ``scale``, so a threshold of 10 hides many of them.
    """
    rng = np.random.default_rng(seed)
    rows: list[MonthlyCount] = []
    unit = agency.precinct_a

    def add(month: date, district: str, measure: str, value: int | Decimal) -> None:
        if value:
            rows.append(
                MonthlyCount(
                    agency=agency.agency,
                    month=month,
                    unit=unit,
                    unit_path=unit.path,
                    district=district,
                    measure=measure,
                    value=Decimal(value),
                )
            )

    for year in (2024, 2025, 2026):
        for m in range(1, 13):
            month = date(year, m, 1)
            for district in districts:
                incidents = int(rng.integers(0, scale))
                force = int(rng.integers(0, incidents + 1))
                add(month, district, "incidents", incidents)
                add(month, district, "force_incidents", force)
                levels = rng.multinomial(force, [0.3, 0.3, 0.2, 0.1, 0.05, 0.05])
                for level, n in enumerate(levels[:5], start=1):
                    add(month, district, f"force_level:{level}", int(n))  # 6th: not recorded
                for code in ("control_hold", "takedown", "oc_spray", "cew"):
                    add(month, district, f"force_type:{code}", int(rng.binomial(force, 0.4)))
                add(month, district, "subject_injuries", int(rng.binomial(force, 0.3)))
                add(month, district, "officer_injuries", int(rng.binomial(force, 0.2)))
                complaints = int(rng.integers(0, scale // 2))
                add(month, district, "complaints", complaints)
                findings = rng.multinomial(complaints, [0.4, 0.1, 0.3, 0.1, 0.1])
                for code, n in zip(
                    ("pending", "sustained", "not_sustained", "exonerated", "unfounded"),
                    findings,
                    strict=True,
                ):
                    add(month, district, f"complaint_finding:{code}", int(n))
                add(month, district, "commendations", int(rng.integers(0, 14)))
            add(month, "", "training_hours", Decimal(int(rng.integers(0, 400))) / 4)
    MonthlyCount.objects.bulk_create(rows)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(release_module, "agency_today", lambda agency: TODAY)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def planted(small_agency: SmallAgency) -> SmallAgency:
    plant(small_agency, seed=7, districts=("North", "South", "East", ""))
    return small_agency


@pytest.fixture
def planted_other(other_agency: SmallAgency) -> SmallAgency:
    plant(other_agency, seed=99, districts=("Harbour", "Hills"), scale=60)
    return other_agency
