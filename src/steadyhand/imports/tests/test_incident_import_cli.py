"""``steadyhand import-incidents`` end to end on the committed excerpts (and the real New
Orleans file when ../shared/data is here)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.imports.tests.incident_import_support import excerpt_paths, real_paths
from steadyhand.incidents.models import Incident, Involvement, Subject, TimelineEvent

pytestmark = pytest.mark.django_db


def _run(*args: str, **options: object) -> str:
    out = StringIO()
    call_command("import-incidents", *args, stdout=out, **options)
    return out.getvalue()


def test_the_command_imports_and_prints_the_counts(small_agency: SmallAgency) -> None:
    user = make_user(small_agency.agency, [Role.ANALYST], username="ana")
    paths = [str(p) for p in excerpt_paths("austin")]
    out = _run(*paths, agency=small_agency.agency.slug, mapping="austin", as_user="ana")
    assert "R2R_2014.csv: 15 row(s) read as utf-8" in out
    assert (
        "Mapping austin: 30 rows read, 25 incidents, 30 officer involvements, 30 distinct "
        "officers, 24 subjects, 64 timeline events, 0 rows rejected, 0 incidents left out."
    ) in out
    assert "25 new incident(s), 0 updated, 0 unchanged." in out
    assert Incident.objects.filter(source="import:austin").count() == 25
    event = AuditEvent.objects.filter(action="import.load").latest("seq")
    assert event.actor_user_id == user.pk
    out = _run(*paths, agency=small_agency.agency.slug, mapping="austin", as_user="ana")
    assert "0 new incident(s), 0 updated, 25 unchanged." in out
    assert Incident.objects.count() == 25


def test_problems_are_printed_and_nothing_is_loaded(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    source = excerpt_paths("seattle")[0].read_text(encoding="utf-8")
    lines = source.splitlines()
    lines[3] = lines[3].rsplit(",", 3)[0]  # a truncated row
    bad = tmp_path / "Use_Of_Force.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="cp1252")
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\) in 1 row\(s\); nothing was loaded"):
        call_command("import-incidents", str(bad), agency=small_agency.agency.slug,
                     mapping="seattle", stdout=out)  # fmt: skip
    assert (
        "Use_Of_Force.csv:4:Subject_ID: truncated row: it has 8 cells but the header has 11"
        in out.getvalue()
    )
    assert Incident.objects.count() == 0
    out_text = _run(str(bad), agency=small_agency.agency.slug, mapping="seattle", valid_only=True)
    assert "14 new incident(s)" in out_text


def test_an_unknown_user_or_agency_is_refused(small_agency: SmallAgency) -> None:
    with pytest.raises(CommandError, match="No agency"):
        _run(str(excerpt_paths("seattle")[0]), agency="nowhere", mapping="seattle")
    with pytest.raises(CommandError, match="No active user"):
        _run(str(excerpt_paths("seattle")[0]), agency=small_agency.agency.slug, mapping="seattle",
             as_user="ghost")  # fmt: skip


def test_the_real_new_orleans_file_loads_its_valid_incidents(small_agency: SmallAgency) -> None:
    paths = [str(p) for p in real_paths("new_orleans")]
    out = _run(*paths, agency=small_agency.agency.slug, mapping="new_orleans", valid_only=True)
    assert "2229 new incident(s)" in out
    assert "NOPD_Use_of_Force_Incidents.csv:5345:Subject Age: an age in years" in out
    assert (
        Incident.objects.count(), Involvement.objects.count(), Subject.objects.count(),
        TimelineEvent.objects.count(),
    ) == (2229, 3919, 2686, 5745)  # fmt: skip


@pytest.mark.slow
def test_the_real_seattle_file_loads_twice_without_duplicates(small_agency: SmallAgency) -> None:
    paths = [str(p) for p in real_paths("seattle")]
    for _ in range(2):
        _run(*paths, agency=small_agency.agency.slug, mapping="seattle")
        assert (
            Incident.objects.count(), Involvement.objects.count(), Subject.objects.count(),
            TimelineEvent.objects.count(),
        ) == (11080, 11103, 11638, 11661)  # fmt: skip
