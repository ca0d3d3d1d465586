"""The real Chicago CIT 40-hour certification list (``CIT_40HR_Certified.csv``) imports, with
every row that matches no member reported, none dropped.

The file is not part of the repository; it lives next to it, at
``../shared/data/chicago/training/CIT_40HR_Certified.csv``. Without it the test is skipped and
says why; the committed excerpt (``fixtures/cit40_excerpt.csv``) keeps the format covered.
"""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from steadyhand.agencies.models import Member, Rank
from steadyhand.agencies.services import member_create
from steadyhand.core.testing import SmallAgency
from steadyhand.imports.models import BatchStatus, LoadMode
from steadyhand.imports.training_records import NO_MEMBER
from steadyhand.imports.training_services import training_load, training_upload, training_validate
from steadyhand.training.models import Enrolment
from steadyhand.training.tests.factories import make_course, trainer_actor

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[4]
CIT_FILE = REPO_ROOT.parent / "shared" / "data" / "chicago" / "training" / "CIT_40HR_Certified.csv"
KNOWN_ROWS = 300  # members are created for the badges of the file's first 300 rows


@pytest.mark.skipif(
    not CIT_FILE.is_file(),
    reason=f"the Chicago CIT list is not at {CIT_FILE} (it is shared data, not in the repo)",
)
def test_the_chicago_cit_list_imports_and_reports_every_unmatched_row(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    content = CIT_FILE.read_bytes()
    records = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    # Members for the badges of the first 300 rows, hired on the file's appointment dates.
    known = {r["star_badge"]: r["date_of_appointment"] for r in records[:KNOWN_ROWS]}
    assert len(known) == KNOWN_ROWS  # 300 different officers
    for badge, appointed in known.items():
        member_create(
            actor=a.system,
            badge=badge,
            first_name="Cit",
            last_name=f"Member {badge}",
            rank=Rank.OFFICER,
            unit=a.squad_a1,
            hire_date=date.fromisoformat(appointed),
        )
    trainer = trainer_actor(a.agency)
    make_course(
        trainer,
        "CIT-40",
        title="Crisis intervention team, 40 hours",
        topic_code="crisis_intervention",
        modes={"lecture": 24, "role_play": 16},
    )

    batch = training_upload(
        actor=trainer,
        file_name=CIT_FILE.name,
        content=content,
        file_format="cit40",
        course_code="CIT-40",
        check_in_background=False,
    )
    batch = training_validate(actor=trainer, batch=batch)

    # 2,236 rows. The 300 known officers appear on 323 of them: 23 were certified twice. The
    # other 1,913 rows name badges no member has, and each of them is reported.
    assert batch.row_count == len(records) == 2236
    matched_rows = [i for i, r in enumerate(records, start=2) if r["star_badge"] in known]
    unmatched_rows = [i for i, r in enumerate(records, start=2) if r["star_badge"] not in known]
    assert (len(matched_rows), len(unmatched_rows)) == (323, 1913)
    errors = batch.row_errors
    assert all(e.reason == NO_MEMBER and e.column == "star_badge" for e in errors)
    assert [e.row for e in errors] == unmatched_rows
    assert [e.value for e in errors] == [records[row - 2]["star_badge"] for row in unmatched_rows]
    assert (batch.error_row_count, batch.error_count) == (1913, 1913)
    assert (batch.valid_count, batch.unchanged_count) == (323, 0)
    assert [p["row"] for p in batch.plan] == matched_rows

    batch = training_load(actor=trainer, batch=batch, mode=LoadMode.VALID_ONLY)
    assert (batch.status, batch.loaded_count) == (BatchStatus.LOADED, 323)
    completions = Enrolment.objects.filter(course__code="CIT-40", status="completed")
    assert completions.count() == 323
    assert set(completions.values_list("hours", flat=True)) == {Decimal("40")}
    assert completions.values("member").distinct().count() == 300
    first = completions.get(member__badge="18439")
    assert first.completed_on == date(2004, 10, 29)  # "2004-10-29 16:00"
    assert Member.objects.get(badge="12849").enrolments.count() == 2  # 2004 and 2012

    # Importing the list again records nothing twice.
    again = training_validate(
        actor=trainer,
        batch=training_upload(
            actor=trainer,
            file_name=CIT_FILE.name,
            content=content,
            file_format="cit40",
            course_code="CIT-40",
            check_in_background=False,
        ),
    )
    assert (again.valid_count, again.unchanged_count, again.error_row_count) == (0, 323, 1913)
