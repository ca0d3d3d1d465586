"""The Chicago complaints (2000–2023) through ``mappings/chicago_complaints.toml`` and the
``complaints`` target: one complaint per cr_id, one allegation per accused row, the
complainants and victims joined across the two ways the files write a complaint's number.

The committed excerpt (``data/chicago/``, 26 cr_ids) always runs; the real files, at
``../shared/data/chicago/complaints_2000-2023_p053540/``, are not part of the repository and
the tests on them are skipped without them (and marked slow: the engine reads 265,000 rows).
"""

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from steadyhand.complaints.models import Allegation, Complainant, Complaint
from steadyhand.core.errors import ConflictError
from steadyhand.core.testing import SmallAgency
from steadyhand.imports.mapping.complaint_target import ComplaintRecord
from steadyhand.imports.mapping.complaint_writer import (
    ComplaintLoadRefused,
    ComplaintWriteContext,
    ComplaintWriter,
    complaint_files_load,
)
from steadyhand.imports.mapping.engine import Report, run
from steadyhand.imports.mapping.format import load_mapping
from steadyhand.imports.mapping.reader import FileSource

REPO_ROOT = Path(__file__).resolve().parents[4]
EXCERPT = Path(__file__).resolve().parent / "data" / "chicago"
REAL = REPO_ROOT.parent / "shared" / "data" / "chicago" / "complaints_2000-2023_p053540"
TODAY = date(2026, 11, 27)

needs_real_files = pytest.mark.skipif(
    not (REAL / "complaints-complaints_2000-2023_2023-08_p053540.csv.gz").is_file(),
    reason=f"the Chicago complaint files are not at {REAL} (shared data, not in the repository)",
)


class _Context:
    unit_codes: frozenset[str] = frozenset()

    def aware(self, value: datetime) -> datetime:
        return value.replace(tzinfo=ZoneInfo("America/Chicago"))


def _sources(folder: Path) -> list[FileSource]:
    return [FileSource.from_path(p) for p in sorted(folder.glob("complaints-*.csv*"))]


def _run(folder: Path) -> tuple[Report, dict[str, ComplaintRecord]]:
    records: list[ComplaintRecord] = []
    report = run(
        load_mapping("chicago_complaints"),
        _sources(folder),
        context=_Context(),
        today=TODAY,
        on_record=records.append,
    )
    return report, {r.source_key: r for r in records}


def _rows_per_file(report: Report) -> dict[str, int]:
    return {f["name"].split("_")[0]: f["rows"] for f in report.files}


def _load(agency_id: int, folder: Path) -> dict[str, int]:
    mapping = load_mapping("chicago_complaints")
    writer = ComplaintWriter(ComplaintWriteContext(agency_id=agency_id, source=mapping.source))
    run(mapping, _sources(folder), context=_Context(), today=TODAY, on_record=writer.add)
    return writer.finish()


def _load_files(agency_id: int, folder: Path, *, valid_only: bool) -> tuple[Report, dict[str, int]]:
    return complaint_files_load(
        load_mapping("chicago_complaints"),
        _sources(folder),
        context=_Context(),
        agency_id=agency_id,
        today=TODAY,
        valid_only=valid_only,
    )


# --- the committed excerpt ------------------------------------------------------------------


def test_the_excerpt_imports_with_exact_counts() -> None:
    report, _records = _run(EXCERPT)

    assert report.summary() == {
        "rows": 26,
        "related_rows": 121,
        "complaints": 26,
        "allegations": 56,
        "complainants": 30,
        "victims": 30,
        "accused_officers": 38,
        "valid_rows": 26,
        "rejected_rows": 5,
        "errors": 5,
    }
    assert _rows_per_file(report) == {
        "complaints-complaints": 26,
        "complaints-accused": 56,
        "complaints-complainants": 33,
        "complaints-victims": 32,
    }


def test_people_rows_without_a_complaint_are_reported_with_file_row_and_reason() -> None:
    report, _records = _run(EXCERPT)

    found = {(e.file_name.split("_")[0], e.row, e.value, e.reason) for e in report.errors}
    assert found == {
        ("complaints-complainants", 2, "", "a value is required"),
        ("complaints-victims", 2, "", "a value is required"),
        ("complaints-complainants", 33, "2023-0002771", "no record of the main file has this key"),
        ("complaints-complainants", 34, "2023-0002771", "no record of the main file has this key"),
        ("complaints-victims", 33, "2023-0002771", "no record of the main file has this key"),
    }


def test_a_legacy_complaint_joins_its_people_written_with_the_year() -> None:
    _report, records = _run(EXCERPT)
    record = records["258960"]  # the people files write it "2000-0258960"

    assert record.reference == "CR-258960"
    assert record.status == "closed"
    assert [(p.is_victim, p.race, p.ethnicity, p.sex) for p in record.people] == [
        (False, "white", "not_hispanic", "male"),
        (True, "white", "not_hispanic", "male"),
    ]
    [allegation] = record.allegations
    assert (allegation.category, allegation.finding) == ("excessive_force", "not_sustained")
    assert allegation.source_category == "Excessive Force / 05A"


def test_findings_fold_their_spellings_and_fall_back_on_the_case_status() -> None:
    _report, records = _run(EXCERPT)

    def findings(key: str) -> list[tuple[str, str]]:
        return [(a.finding, a.source_finding) for a in records[key].allegations]

    assert findings("1079498")[2] == ("sustained", "SUSTAINED / Case Final")
    assert findings("2019-0000149")[0] == ("sustained", "Sustained / Case Final")
    # No finding, closed without one / still under investigation.
    assert findings("2019-0000036") == [("withdrawn", "Closed/No Finding")]
    assert {f for f, _s in findings("2022-0000098")} == {"pending"}
    assert findings("2019-0002248")[0] == (
        "exonerated",
        "Within Policy Officer Involved Shooting / Case Final",
    )


def test_categories_come_from_the_code_then_from_copa_s_category() -> None:
    _report, records = _run(EXCERPT)

    racial = records["259822"].allegations[0]
    assert (racial.category, racial.source_category) == ("bias", "Verbal Abuse / 01B")
    domestic = records["1000014"].allegations[0]
    assert (domestic.category, domestic.source_category) == (
        "conduct_unbecoming",
        "Domestic Violence / 24B",
    )
    pending = records["258999"].allegations[0]
    assert (pending.category, pending.source_category) == (
        "excessive_force",
        "In Process-Allegation Pending / 05ZZD",
    )
    neither = records["310064"].allegations[0]
    assert (neither.category, neither.source_category) == ("other", "")


def test_the_file_s_bucket_of_unidentified_officers_is_not_one_officer() -> None:
    _report, records = _run(EXCERPT)

    assert [a.officer for a in records["258999"].allegations] == [""]
    assert [a.officer for a in records["259002"].allegations] == ["3", "4"]


def test_a_complaint_without_accused_still_imports_with_its_people() -> None:
    _report, records = _run(EXCERPT)
    record = records["1000133"]

    assert record.allegations == []
    assert Counter(p.is_victim for p in record.people) == {False: 2, True: 1}
    assert record.narrative == (
        "Imported from CPD/COPA records: Information/Complaint, Civilian complainant."
    )


@pytest.mark.django_db
def test_loading_the_excerpt_twice_updates_instead_of_duplicating(
    small_agency: SmallAgency,
) -> None:
    a = small_agency

    assert _load(a.agency.pk, EXCERPT) == {"created": 26, "updated": 0, "unchanged": 0, "kept": 0}
    changed = Complaint.objects.get(agency=a.agency, reference="CR-258960")
    changed.location = "typed over by hand"
    changed.save()
    assert _load(a.agency.pk, EXCERPT) == {"created": 0, "updated": 1, "unchanged": 25, "kept": 0}

    complaints = Complaint.objects.filter(agency=a.agency, source="import:chicago_complaints")
    assert complaints.count() == 26
    assert Allegation.objects.filter(complaint__in=complaints).count() == 56
    assert Complainant.objects.filter(complaint__in=complaints, is_victim=False).count() == 30
    assert Complainant.objects.filter(complaint__in=complaints, is_victim=True).count() == 30
    legacy = complaints.get(reference="CR-258960")
    assert legacy.version == 2
    assert legacy.location == "100 W CHICAGO AVE CHICAGO IL"  # the source is the truth
    assert legacy.channel == "imported"
    assert legacy.closed_at is not None
    sustained = Allegation.objects.get(complaint__reference="CR-259024")
    assert (sustained.finding, sustained.description) == ("sustained", "001 - 1 SUSPENSION")
    assert sustained.complaint.closed_at is not None
    assert sustained.finding_at == sustained.complaint.closed_at.date()


@pytest.mark.django_db
def test_a_reference_another_complaint_already_uses_is_refused(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    Complaint.objects.create(
        agency=a.agency,
        reference="CR-258960",
        received_at=datetime(2020, 1, 1, tzinfo=ZoneInfo("America/Chicago")),
        channel="phone",
        narrative="Taken in by phone.",
    )

    with pytest.raises(ConflictError, match="CR-258960"):
        _load(a.agency.pk, EXCERPT)


@pytest.mark.django_db
def test_a_file_set_with_problems_loads_nothing_unless_asked_for_the_valid_complaints(
    small_agency: SmallAgency,
) -> None:
    a = small_agency

    with pytest.raises(ComplaintLoadRefused, match="5 problem"):
        _load_files(a.agency.pk, EXCERPT, valid_only=False)
    assert not Complaint.objects.filter(agency=a.agency).exists()
    assert not Allegation.objects.filter(complaint__agency=a.agency).exists()

    report, counts = _load_files(a.agency.pk, EXCERPT, valid_only=True)
    assert counts == {"created": 26, "updated": 0, "unchanged": 0, "kept": 0}
    assert report.summary()["rejected_rows"] == 5


# --- the real files -------------------------------------------------------------------------


@needs_real_files
@pytest.mark.slow
def test_the_real_complaint_files_import_with_exact_counts() -> None:
    report, records = _run(REAL)

    assert report.summary() == {
        "rows": 49052,
        # accused 99,961; complainants 52,383; victims 64,016
        "related_rows": 216360,
        "complaints": 49052,
        "allegations": 99961,
        "complainants": 52317,  # 66 rows: a blank cr_id, or a 2023 complaint not in the file
        "victims": 63966,  # 50 such rows
        "accused_officers": 14672,  # the file's ids, less its bucket of unidentified officers
        "valid_rows": 49052,
        "rejected_rows": 116,
        "errors": 116,
    }
    assert _rows_per_file(report) == {
        "complaints-complaints": 49052,
        "complaints-accused": 99961,
        "complaints-complainants": 52383,
        "complaints-victims": 64016,
    }
    findings = Counter(a.finding for r in records.values() for a in r.allegations)
    assert findings == {
        "not_sustained": 32131,
        "withdrawn": 30358,
        "unfounded": 22467,
        "pending": 7659,
        "exonerated": 4206,
        "sustained": 3140,
    }
    categories = Counter(a.category for r in records.values() for a in r.allegations)
    assert categories == {
        "excessive_force": 48820,
        "improper_search_or_arrest": 15945,
        "operations": 10729,
        "conduct_unbecoming": 7552,
        "discourtesy": 6512,
        "other": 6026,
        "bias": 3167,
        "failure_to_provide_service": 802,
        "property": 408,
    }


@needs_real_files
@pytest.mark.slow
@pytest.mark.django_db
def test_the_real_complaint_files_load(small_agency: SmallAgency) -> None:
    a = small_agency

    _report, counts = _load_files(a.agency.pk, REAL, valid_only=True)
    assert counts == {"created": 49052, "updated": 0, "unchanged": 0, "kept": 0}
    complaints = Complaint.objects.filter(agency=a.agency)
    assert Allegation.objects.filter(complaint__in=complaints).count() == 99961
    assert Complainant.objects.filter(complaint__in=complaints).count() == 52317 + 63966
