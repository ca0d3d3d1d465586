"""The Chicago force reports (TRR 2021–2023) through ``mappings/chicago_trr.toml``: every
action-response row a timeline event in our vocabulary, Force Mitigation rows as the
de-escalation side of the timeline, and counts asserted exactly.

The committed excerpt (``data/chicago/``, 24 trr_ids) always runs; the real files, at
``../shared/data/chicago/TRR_2021-2023_p877988/``, are not part of the repository and the
tests on them are skipped without them. docs/importing-chicago.md explains the mapping.
"""

import io
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from steadyhand import vocabulary as v
from steadyhand.core.testing import SmallAgency
from steadyhand.imports.mapping.engine import Report, run
from steadyhand.imports.mapping.format import load_mapping
from steadyhand.imports.mapping.incident_writer import IncidentWriter, WriteContext
from steadyhand.imports.mapping.incidents import IncidentRecord
from steadyhand.imports.mapping.reader import FileSource
from steadyhand.incidents.models import Incident, Involvement, Subject, TimelineEvent

REPO_ROOT = Path(__file__).resolve().parents[4]
EXCERPT = Path(__file__).resolve().parent / "data" / "chicago"
REAL = REPO_ROOT.parent / "shared" / "data" / "chicago" / "TRR_2021-2023_p877988"
TODAY = date(2026, 11, 27)
# Event kinds only the Force Mitigation rows produce (member presence, verbal direction,
# positioning, additional or specialised units).
MITIGATION_KINDS = {"arrival", "command", "positioning", "resource_request"}

needs_real_files = pytest.mark.skipif(
    not (REAL / "TRR-main_2021-2023_2023-10_p877988.csv.gz").is_file(),
    reason=f"the Chicago TRR files are not at {REAL} (shared data, not in the repository)",
)


class _Context:
    """What the incidents target needs during a run, without a database."""

    unit_codes: frozenset[str] = frozenset()

    def aware(self, value: datetime) -> datetime:
        return value.replace(tzinfo=ZoneInfo("America/Chicago"))


def _sources(folder: Path) -> list[FileSource]:
    return [FileSource.from_path(p) for p in sorted(folder.glob("TRR-*.csv*"))]


def _run(folder: Path) -> tuple[Report, dict[str, IncidentRecord]]:
    records: list[IncidentRecord] = []
    report = run(
        load_mapping("chicago_trr"),
        _sources(folder),
        context=_Context(),
        today=TODAY,
        on_record=records.append,
    )
    return report, {r.source_key: r for r in records}


def _rows_per_file(report: Report) -> dict[str, int]:
    return {f["name"].split("_")[0]: f["rows"] for f in report.files}


def _event_counts(records: dict[str, IncidentRecord]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for record in records.values():
        for event in record.events:
            counts[event.kind] += 1
            counts["mitigation"] += event.kind in MITIGATION_KINDS
            counts["de_escalation_tactic"] += event.code in v.DE_ESCALATION_TACTICS
    return counts


# --- the committed excerpt ------------------------------------------------------------------


def test_the_excerpt_imports_with_exact_counts() -> None:
    report, records = _run(EXCERPT)

    assert report.summary() == {
        "rows": 27,
        "related_rows": 408,
        "incidents": 24,
        "involvements": 27,
        "officers": 27,
        "subjects": 27,
        "events": 242,
        "valid_rows": 27,
        "rejected_rows": 1,
        "errors": 1,
    }
    assert _rows_per_file(report) == {
        "TRR-main": 27,
        "TRR-officers": 27,
        "TRR-subjects": 27,
        "TRR-subject-weapons": 27,
        "TRR-weapon-discharges": 9,
        "TRR-statuses": 34,
        "TRR-actions-responses": 284,
    }
    counts = _event_counts(records)
    assert counts["mitigation"] == 91
    assert counts["de_escalation_tactic"] == 35
    assert counts["force"] == 60
    assert counts["subject_behaviour"] == 91


def test_a_statuses_row_of_an_unknown_report_is_reported_not_loaded() -> None:
    report, records = _run(EXCERPT)

    [error] = report.errors
    assert (error.file_name, error.row, error.column, error.value) == (
        "TRR-statuses_2021-2023_2023-10_p877988.csv",
        35,
        "trr_id",
        "2023-03374",
    )
    assert error.reason == "no record of the main file has this key"
    assert "2023-03374" not in records


def test_each_action_row_becomes_an_event_of_the_report_s_officer_or_subject() -> None:
    _report, records = _run(EXCERPT)
    record = records["2021-00001"]

    assert record.case_number == "TRR-2021-00001"
    assert record.occurred_at.date() == date(2021, 1, 1)
    assert record.beat == "1233"
    [officer] = record.officers
    [subject] = record.subjects
    assert (officer.race, officer.sex, officer.used_force) == ("asian", "male", True)
    assert (subject.race, subject.ethnicity, subject.sex) == ("black", "not_hispanic", "female")
    assert subject.indicators - {""} == {"substance_use"}
    assert subject.arrested is True
    events = {(e.kind, e.code, e.source_code) for e in record.events}
    assert events == {
        ("arrival", "arrives", "MEMBER PRESENCE"),
        ("positioning", "create_distance", "MOVEMENT TO AVOID ATTACK"),
        ("positioning", "take_cover", "TACTICAL POSITIONING"),
        ("command", "one_clear_directive", "VERBAL DIR. / CONTROL TECHNIQUES"),
        ("force", "handcuff_resisting", "HANDCUFFS / PHYSICAL RESTRAINTS"),
        ("force", "takedown", "TAKE DOWN"),
        ("subject_behaviour", "verbal_refusal", "DID NOT FOLLOW VERBAL DIRECTION"),
        ("subject_behaviour", "assaults", "PHYSICAL ATTACK WITHOUT WEAPON"),
        ("subject_behaviour", "pulls_away", "PULLED AWAY"),
    }
    for e in record.events:
        if e.kind == "subject_behaviour":
            assert (e.subject, e.officer) == (subject.external_id, None)
        else:
            assert (e.officer, e.subject) == (officer.external_id, None)
        if e.kind == "force":
            assert e.target == subject.external_id
    assert (record.highest_force_level, record.highest_resistance) == (3, 4)
    assert record.force_used is True
    assert record.de_escalation_attempted is True


def test_two_reports_under_one_trr_id_keep_their_own_officer_subject_and_actions() -> None:
    _report, records = _run(EXCERPT)
    record = records["2023-00434"]

    assert [o.external_id for o in record.officers] == ["6754", "6755"]
    assert [s.external_id for s in record.subjects] == ["6754", "6755"]
    by_officer = Counter(e.officer for e in record.events if e.officer)
    assert by_officer == {"6754": 6, "6755": 1}
    [second] = [e for e in record.events if e.officer == "6755"]
    assert (second.kind, second.code) == ("positioning", "take_cover")


def test_blank_none_and_other_describe_rows_make_no_event() -> None:
    _report, records = _run(EXCERPT)
    record = records["2021-00016"]  # mitigation NONE, blank categories, a pistol discharge

    assert [(e.kind, e.code) for e in record.events if e.kind == "force"] == [
        ("force", "firearm_discharge")
    ]
    assert not [e for e in record.events if e.kind in MITIGATION_KINDS]
    assert record.highest_force_level == int(v.ForceLevel.DEADLY)
    assert record.de_escalation_attempted is False
    every_source_code = {e.source_code for r in records.values() for e in r.events}
    assert every_source_code.isdisjoint({"", "NONE", "OTHER (DESCRIBE)"})


def test_a_report_s_events_run_from_first_contact_to_force() -> None:
    _report, records = _run(EXCERPT)

    assert [(e.sequence, e.code) for e in records["2021-00001"].events] == [
        (1, "arrives"),
        (2, "one_clear_directive"),
        (3, "create_distance"),
        (4, "take_cover"),
        (5, "verbal_refusal"),
        (6, "pulls_away"),
        (7, "assaults"),
        (8, "handcuff_resisting"),
        (9, "takedown"),
    ]


@pytest.mark.django_db
def test_loading_the_excerpt_twice_updates_instead_of_duplicating(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    mapping = load_mapping("chicago_trr")

    def load() -> dict[str, int]:
        writer = IncidentWriter(
            WriteContext(
                agency_id=a.agency.pk,
                source=mapping.source,
                root_unit_id=a.root.pk,
                unit_ids={},
                member_ids=None,
                created_by_id=None,
            )
        )
        run(mapping, _sources(EXCERPT), context=_Context(), today=TODAY, on_record=writer.add)
        return writer.finish()

    assert load() == {"created": 24, "updated": 0, "unchanged": 0, "kept": 0}
    assert load() == {"created": 0, "updated": 0, "unchanged": 24, "kept": 0}

    incidents = Incident.objects.filter(agency=a.agency, source="import:chicago_trr")
    assert incidents.count() == 24
    assert Involvement.objects.filter(incident__in=incidents).count() == 27
    assert Subject.objects.filter(incident__in=incidents).count() == 27
    assert TimelineEvent.objects.filter(incident__in=incidents).count() == 242
    shooting = incidents.get(case_number="TRR-2021-00016")
    assert shooting.version == 1
    assert list(shooting.events.values_list("code", flat=True)).count("firearm_discharge") == 1


@pytest.mark.django_db
def test_the_command_loads_the_valid_reports_and_only_with_valid_only(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    files = [str(p) for p in sorted(EXCERPT.glob("TRR-*.csv"))]
    options = {"agency": a.agency.slug, "mapping": "chicago_trr", "stdout": io.StringIO()}

    with pytest.raises(CommandError, match="1 problem"):
        call_command("import-incidents", *files, **options)
    assert not Incident.objects.filter(agency=a.agency).exists()

    call_command("import-incidents", *files, valid_only=True, **options)
    assert Incident.objects.filter(agency=a.agency, source="import:chicago_trr").count() == 24


# --- the real files -------------------------------------------------------------------------


@needs_real_files
def test_the_real_trr_files_import_with_exact_counts() -> None:
    report, records = _run(REAL)

    assert report.summary() == {
        "rows": 9338,
        "related_rows": 141714,  # officers, subjects, weapons 9,338 each; discharges 678;
        # statuses 10,076; actions-responses 102,946
        "incidents": 9331,  # 7 trr_ids carry two reports
        "involvements": 9338,
        "officers": 9338,
        "subjects": 9338,
        # 102,946 action rows − 14,886 blank − 119 NONE − 1,424 OTHER (DESCRIBE)
        "events": 86517,
        "valid_rows": 9338,
        "rejected_rows": 1,  # the statuses row of trr 2023-03374
        "errors": 1,
    }
    assert _rows_per_file(report) == {
        "TRR-main": 9338,
        "TRR-officers": 9338,
        "TRR-subjects": 9338,
        "TRR-subject-weapons": 9338,
        "TRR-weapon-discharges": 678,
        "TRR-statuses": 10076,
        "TRR-actions-responses": 102946,
    }
    counts = _event_counts(records)
    assert counts["mitigation"] == 31869  # Force Mitigation rows with a vocabulary code
    assert counts["de_escalation_tactic"] == 8770  # of which positioning (cover, distance)
    assert counts["force"] == 21627
    assert counts["subject_behaviour"] == 33021
    # A Force Mitigation box ticked; None: every action cell of the report is blank.
    attempted = Counter(r.de_escalation_attempted for r in records.values())
    assert attempted == {True: 8759, False: 510, None: 62}


@needs_real_files
@pytest.mark.slow
@pytest.mark.django_db
def test_the_real_trr_files_load(small_agency: SmallAgency) -> None:
    a = small_agency
    mapping = load_mapping("chicago_trr")
    writer = IncidentWriter(
        WriteContext(a.agency.pk, mapping.source, a.root.pk, {}, None, None), chunk_size=2000
    )
    run(mapping, _sources(REAL), context=_Context(), today=TODAY, on_record=writer.add)

    assert writer.finish() == {"created": 9331, "updated": 0, "unchanged": 0, "kept": 0}
    incidents = Incident.objects.filter(agency=a.agency)
    assert TimelineEvent.objects.filter(incident__in=incidents).count() == 86517
    assert Involvement.objects.filter(incident__in=incidents).count() == 9338
