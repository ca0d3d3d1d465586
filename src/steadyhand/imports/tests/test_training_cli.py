"""``steadyhand import-training`` end to end, with files on disk."""

import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steadyhand.access.roles import Role
from steadyhand.agencies.models import Rank
from steadyhand.agencies.services import member_create
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.imports.models import ImportBatch
from steadyhand.imports.tests.factories import fixture_path
from steadyhand.training.models import Enrolment
from steadyhand.training.tests.factories import make_course, trainer_actor

pytestmark = pytest.mark.django_db


def _file(tmp_path: Path, fixture: str) -> str:
    target = tmp_path / fixture
    shutil.copy(fixture_path(fixture), target)
    return str(target)


def _setup(a: SmallAgency) -> None:
    t = trainer_actor(a.agency)
    make_user(a.agency, [Role.TRAINER], username="trainer")
    make_course(t, "DE-16", modes={"lecture": 16})
    make_course(t, "UOF-8", topic_code="use_of_force")
    make_course(t, "CIT-40", topic_code="crisis_intervention", modes={"lecture": 40})


def _run(path: str, a: SmallAgency, *flags: str, username: str = "trainer") -> str:
    out = io.StringIO()
    call_command(
        "import-training",
        path,
        "--agency",
        a.agency.slug,
        "--as",
        username,
        *flags,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def test_a_standard_file_is_loaded(small_agency: SmallAgency, tmp_path: Path) -> None:
    _setup(small_agency)
    out = _run(_file(tmp_path, "training_standard.csv"), small_agency)
    assert (
        "training_standard.csv: 4 row(s) read as utf-8; 4 matched to members, 0 with no member "
        "of that badge; 4 to record, 0 already recorded; 0 with problems." in out
    )
    assert "4 completion(s) recorded, 0 already recorded and skipped." in out
    assert Enrolment.objects.count() == 4
    again = _run(_file(tmp_path, "training_standard.csv"), small_agency)
    assert "Nothing new to record; nothing was loaded." in again
    assert Enrolment.objects.count() == 4


def test_the_cit40_list_reports_unmatched_badges_and_loads_nothing(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    a = small_agency
    _setup(a)
    member_create(
        actor=a.system,
        badge="12849",
        first_name="Cit",
        last_name="Twice",
        rank=Rank.OFFICER,
        unit=a.squad_a1,
        hire_date=date(2000, 10, 10),
    )
    path = _file(tmp_path, "cit40_excerpt.csv")
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"8 problem\(s\) in 8 row\(s\); nothing was loaded"):
        call_command(
            "import-training",
            path,
            agency=a.agency.slug,
            as_user="trainer",
            course="CIT-40",
            file_format="cit40",
            stdout=out,
        )
    lines = out.getvalue().splitlines()
    assert lines[0] == "cit40_excerpt.csv:2:star_badge: no member with this badge (value: '18439')"
    assert len([line for line in lines if "no member with this badge" in line]) == 8
    assert (
        "10 row(s) read as utf-8; 2 matched to members, 8 with no member of that badge"
        in (lines[-1])
    )
    assert not Enrolment.objects.exists()
    loaded = _run(path, a, "--format", "cit40", "--course", "CIT-40", "--valid-only")
    assert "2 completion(s) recorded, 0 already recorded and skipped, 8 row(s) left out." in loaded
    assert Enrolment.objects.filter(member__badge="12849", hours=40).count() == 2


def test_cit40_without_a_course_is_refused(small_agency: SmallAgency, tmp_path: Path) -> None:
    _setup(small_agency)
    with pytest.raises(CommandError, match="Choose the course"):
        _run(_file(tmp_path, "cit40_excerpt.csv"), small_agency, "--format", "cit40")
    assert not ImportBatch.objects.exists()


def test_a_dry_run_saves_nothing(small_agency: SmallAgency, tmp_path: Path) -> None:
    _setup(small_agency)
    events = AuditEvent.objects.count()
    out = _run(_file(tmp_path, "training_standard.csv"), small_agency, "--dry-run")
    assert "Rehearsed the load: 4 completion(s) recorded" in out
    assert out.rstrip().endswith("Dry run: nothing was saved.")
    assert (Enrolment.objects.count(), AuditEvent.objects.count()) == (0, events)
    assert not ImportBatch.objects.exists()


def test_the_named_user_must_be_allowed_to_import(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    _setup(small_agency)
    make_user(small_agency.agency, [Role.SUPERVISOR], username="sergeant")
    with pytest.raises(CommandError, match="sergeant may not import training records"):
        _run(_file(tmp_path, "training_standard.csv"), small_agency, username="sergeant")
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        _run(_file(tmp_path, "training_standard.csv"), small_agency, username="nobody")
    assert not ImportBatch.objects.exists()
