"""The monthly counts equal counts made straight from the records, month by month; a refresh
of some months leaves the others alone; writers' commits refresh the months they touched."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.incidents.models import Incident
from steadyhand.stats.hooks import month_keys, months_touched
from steadyhand.stats.models import MonthlyCount
from steadyhand.stats.selectors import monthly_table, pivot, stats_version
from steadyhand.stats.services import stats_refresh
from steadyhand.stats.tests import factories as f

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def _table(a: SmallAgency, *measures: str, unit_path: str | None = None) -> dict:
    rows = monthly_table(
        agency=a.agency, measures=measures, start=JAN, end=MAR, unit_path=unit_path
    )
    return pivot(rows)


@pytest.fixture
def records(small_agency: SmallAgency) -> SmallAgency:
    a = small_agency
    f.incident(
        a,
        a.squad_a1,
        f.at(2026, 1),
        force=("takedown", "cew"),
        level=4,
        resistance=4,
        subject_injured=True,
        arrest_made=True,
    )
    f.incident(a, a.squad_a1, f.at(2026, 1), force=("takedown",), level=3, officer_injured=True)
    f.incident(a, a.squad_b1, f.at(2026, 1), district="D2", resistance=3)  # de-escalated
    f.incident(a, a.squad_b1, f.at(2026, 1), armed="edged")  # armed, no force: de-escalated
    f.incident(a, a.squad_b1, f.at(2026, 1), status="draft", force=("strike",), level=3)
    f.incident(a, a.squad_a2, f.at(2026, 2), force=("oc_spray",), level=4)
    f.complaint(a, f.at(2026, 1), unit=a.squad_a1, findings=("sustained", "unfounded"))
    f.complaint(a, f.at(2026, 1), unit=None, findings=("pending",))
    f.commendation(a, a.officer_b1, f.at(2026, 2))
    f.training(a, a.officer_a1, date(2026, 1, 20), Decimal("2.5"))
    f.training(a, a.officer_a2, date(2026, 1, 21), None)  # the course's 8 hours
    return a


def test_counts_equal_the_records(records: SmallAgency) -> None:
    a = records
    stats_refresh(actor=a.system, agency=a.agency)
    table = _table(
        a,
        "incidents",
        "force_incidents",
        "force_level:*",
        "force_type:takedown",
        "force_type:cew",
        "subject_injuries",
        "officer_injuries",
        "arrests",
        "deescalation_successes",
        "complaints",
        "complaint_finding:*",
        "commendations",
        "training_hours",
        "subjects:unknown",
        "force_subjects:unknown",
    )
    jan, feb, mar = table[JAN], table[FEB], table[MAR]
    submitted_jan = Incident.objects.filter(
        agency=a.agency, status="submitted", occurred_at__month=1
    ).count()
    assert jan["incidents"] == submitted_jan == 4
    assert jan["force_incidents"] == 2
    assert feb["force_incidents"] == 1
    assert jan["force_level:4"] == 1
    assert jan["force_level:3"] == 1
    assert feb["force_level:4"] == 1
    assert jan["force_type:takedown"] == 2
    assert jan["force_type:cew"] == 1
    assert jan["subject_injuries"] == 1
    assert jan["officer_injuries"] == 1
    assert jan["arrests"] == 1
    assert jan["deescalation_successes"] == 2
    assert jan["complaints"] == 2
    assert jan["complaint_finding:sustained"] == 1
    assert jan["complaint_finding:pending"] == 1
    assert feb["commendations"] == 1
    assert jan["commendations"] == 0
    assert jan["training_hours"] == Decimal("10.5")
    assert jan["subjects:unknown"] == 4
    assert jan["force_subjects:unknown"] == 2
    assert mar == {k: 0 for k in mar}  # the grid is complete, zeros included


def test_unit_path_restricts_to_the_subtree(records: SmallAgency) -> None:
    a = records
    stats_refresh(actor=a.system, agency=a.agency)
    precinct_a = _table(a, "incidents", "complaints", unit_path=a.precinct_a.path)
    assert precinct_a[JAN]["incidents"] == 2
    assert precinct_a[FEB]["incidents"] == 1
    # The complaint with no unit yet sits at the agency root, outside precinct A.
    assert precinct_a[JAN]["complaints"] == 1


def test_by_district(records: SmallAgency) -> None:
    a = records
    stats_refresh(actor=a.system, agency=a.agency)
    rows = monthly_table(
        agency=a.agency, measures=["incidents"], start=JAN, end=JAN, by=("month", "district")
    )
    got = {r["district"]: r["value"] for r in rows}
    assert got == {"D1": 3, "D2": 1}


def test_incremental_refresh_touches_only_the_given_months(records: SmallAgency) -> None:
    a = records
    stats_refresh(actor=a.system, agency=a.agency)
    feb_rows = {r.pk: r.value for r in MonthlyCount.objects.filter(agency=a.agency, month=FEB)}
    f.incident(a, a.squad_a1, f.at(2026, 1, 20))
    f.incident(a, a.squad_a1, f.at(2026, 2, 20))  # not refreshed below
    version = stats_version(agency_id=a.agency.pk)
    stats_refresh(actor=a.system, agency=a.agency, months=[date(2026, 1, 31)])
    table = _table(a, "incidents")
    assert table[JAN]["incidents"] == 5
    assert table[FEB]["incidents"] == 1  # stale on purpose: February was not refreshed
    after = {r.pk: r.value for r in MonthlyCount.objects.filter(agency=a.agency, month=FEB)}
    assert after == feb_rows  # same rows, same ids: untouched
    assert stats_version(agency_id=a.agency.pk) == version + 1
    event = AuditEvent.objects.filter(agency_id=a.agency.pk, action="stats.refresh").last()
    assert event is not None
    assert "2026-01-01" in str(event.changes)


def test_other_agencies_are_not_counted(records: SmallAgency, other_agency: SmallAgency) -> None:
    f.incident(other_agency, other_agency.squad_a1, f.at(2026, 1))
    stats_refresh(actor=records.system, agency=records.agency)
    assert _table(records, "incidents")[JAN]["incidents"] == 4


@pytest.mark.parametrize("role", [Role.OFFICER, Role.INTERNAL_AFFAIRS, Role.TRAINER])
def test_refresh_refused_without_the_agency_dashboard(
    small_agency: SmallAgency, role: Role
) -> None:
    actor = actor_of(make_user(small_agency.agency, [role]))
    with pytest.raises(PermissionDenied):
        stats_refresh(actor=actor, agency=small_agency.agency)


def test_refresh_refused_for_another_agency(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    with pytest.raises(PermissionDenied):
        stats_refresh(actor=small_agency.system, agency=other_agency.agency)


def test_unit_scoped_supervisor_may_not_refresh_the_agency(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)]))
    with pytest.raises(PermissionDenied):
        stats_refresh(actor=actor, agency=a.agency)


def test_months_touched_refreshes_on_commit(
    records: SmallAgency, django_capture_on_commit_callbacks: object
) -> None:
    a = records
    stats_refresh(actor=a.system, agency=a.agency)
    capture = django_capture_on_commit_callbacks(execute=True)  # type: ignore[operator]
    with capture, transaction.atomic():
        new = f.incident(a, a.squad_a1, f.at(2026, 2, 3))
        months_touched(a.agency.pk, [new.occurred_at])
    assert _table(a, "incidents")[FEB]["incidents"] == 2


def test_months_touched_does_nothing_on_rollback(
    records: SmallAgency, django_capture_on_commit_callbacks: object
) -> None:
    a = records
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        try:
            with transaction.atomic():
                months_touched(a.agency.pk, [FEB])
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == []


def test_month_keys_use_the_agency_calendar(small_agency: SmallAgency) -> None:
    # 03:00 UTC on 1 February is still 31 January in Chicago (the agency's time zone).
    from datetime import UTC, datetime

    keys = month_keys(small_agency.agency.pk, [datetime(2026, 2, 1, 3, 0, tzinfo=UTC), JAN])
    assert keys == ["2026-01-01"]
