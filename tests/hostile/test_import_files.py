"""Hostile files through every importer: arbitrary CSV bytes (random encodings, BOMs, NUL bytes,
truncated rows, huge cells, missing and duplicated headers, unknown codes, dates far away) give a
report whose every problem names file, row, column and reason, or a clear refusal, and never an
unhandled exception; a refused load leaves every incident, complaint and member table as it was.
"""

import fnmatch
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import steadyhand.imports
from steadyhand.core.errors import SteadyhandError
from steadyhand.core.testing import SmallAgency
from steadyhand.imports.mapping.engine import Report, run
from steadyhand.imports.mapping.format import FileSpec, Mapping, load_mapping, shipped_mapping_names
from steadyhand.imports.mapping.reader import FileSource
from steadyhand.imports.mapping_context import ImportContext
from steadyhand.imports.roster import RowError
from tests.hostile.support import (
    DB,
    FAST,
    any_bytes,
    assert_clear,
    csv_text,
    date_text,
    hostile_text,
    mangled_bytes,
    mutated_csv,
)

TODAY = date(2026, 1, 1)
DATA = Path(steadyhand.imports.__file__).parent / "tests" / "data"
FIXTURES = Path(steadyhand.imports.__file__).parent / "tests" / "fixtures"
# Committed excerpts of real files (a few rows each) that the shipped mappings read cleanly.
EXCERPTS = {
    "seattle": "Use_Of_Force.csv",
    "new_orleans": "NOPD_Use_of_Force_Incidents.csv",
    "minneapolis": "mn_police_use_of_force.csv",
    "austin": "R2R_2014.csv",
}
MAPPINGS = shipped_mapping_names()


def _file_name(spec: FileSpec, gz: bool = False) -> str:
    name = spec.pattern.replace("*", "").replace("?", "x")
    if gz:
        name += ".gz"
    assert fnmatch.fnmatch(name.casefold(), spec.pattern.casefold()) or gz
    return name


@st.composite
def mapped_csv(draw: Any, mapping: Mapping, spec: FileSpec) -> bytes:
    """A CSV file shaped like ``spec``: its headers (some missing, duplicated, extra), cells from
    its code lists, dates, or hostile text; rows cut short or too long; mangled bytes."""
    columns = list(spec.columns.values())
    # Usually every required column is there (else the file stops at its header).
    required = [c for c in columns if c.required] if draw(st.integers(0, 4)) else []
    extra = draw(st.lists(st.sampled_from(columns), max_size=4)) if columns else []
    chosen = [*required, *extra]
    header = [c.headers[0] if c.headers else c.field for c in chosen]
    header += draw(st.lists(hostile_text.filter(lambda t: len(t) < 50), max_size=2))
    header = draw(st.permutations(header))

    def cell(column: Any) -> st.SearchStrategy[str]:
        options = [hostile_text]
        if column is not None and column.codes and column.codes in mapping.codes:
            keys = list(mapping.codes[column.codes].values) or ["?"]
            options.append(st.sampled_from(keys))
            options.append(st.sampled_from(keys).map(str.upper))
        if column is not None and column.type in ("date", "datetime"):
            options.append(date_text(column.formats))
        if column is not None and column.type in ("int", "integer", "number", "float"):
            options.append(st.integers(-(10**30), 10**30).map(str))
        return st.one_of(options)

    by_header = {c.headers[0] if c.headers else c.field: c for c in chosen}
    row = st.tuples(*[cell(by_header.get(h)) for h in header]).map(list)
    rows = draw(st.lists(row, max_size=6))
    if rows and draw(st.booleans()):
        rows = [*rows, *rows[: draw(st.integers(1, len(rows)))]]  # repeated keys
    rows = [r[: draw(st.integers(0, len(r)))] if draw(st.integers(0, 3)) == 0 else r for r in rows]
    rows = [[*r, "extra"] if draw(st.integers(0, 5)) == 0 else r for r in rows]
    return draw(mangled_bytes(csv_text(header, rows)))


def _context() -> ImportContext:
    return ImportContext(
        agency_id=0, timezone="America/Chicago", root_unit_id=0, unit_ids={}, today=TODAY
    )


def _assert_clear(report: Report) -> None:
    assert isinstance(report, Report)
    for error in report.errors:
        assert isinstance(error, RowError)
        assert error.file_name, error
        assert isinstance(error.row, int), error
        assert error.row >= 0, error
        assert isinstance(error.column, str), error
        assert error.reason.strip(), error
        assert str(error)  # renders file:row:column: reason


@st.composite
def file_set(draw: Any, mapping: Mapping) -> list[FileSource]:
    sources = []
    for spec in mapping.files:
        if spec.role == "main" or draw(st.booleans()):
            content = draw(st.one_of(mapped_csv(mapping, spec), any_bytes()))
            sources.append(FileSource.from_bytes(_file_name(spec), content))
    if draw(st.integers(0, 5)) == 0:
        sources.append(FileSource.from_bytes("unexpected.csv", draw(any_bytes())))
    return sources


@pytest.mark.parametrize("name", MAPPINGS)
@FAST
@given(data=st.data())
def test_any_file_set_through_a_shipped_mapping_gives_a_report(name: str, data: Any) -> None:
    mapping = load_mapping(name)
    sources = data.draw(file_set(mapping))
    report = run(mapping, sources, context=_context(), today=TODAY, on_record=lambda _r: None)
    _assert_clear(report)


def test_a_gz_file_that_is_not_gzip_is_a_file_problem() -> None:
    mapping = load_mapping("chicago_complaints")
    main = mapping.main_file
    source = FileSource.from_bytes(_file_name(main, gz=True), b"cr_id\n1\n")
    report = run(mapping, [source], context=_context(), today=TODAY)
    _assert_clear(report)
    assert report.fatal
    # (The mapping's other files are missing too; those are reported as well.)
    (error,) = [e for e in report.errors if e.file_name == source.name]
    assert error.fatal
    assert error.reason.startswith("not a readable gzip file: ")


def test_a_gz_file_cut_short_is_a_file_problem() -> None:
    import gzip

    mapping = load_mapping("chicago_complaints")
    whole = gzip.compress(
        b"cr_id,complaint_date\n" + b"".join(b"%d,2020-01-01\n" % i for i in range(5000))
    )
    source = FileSource.from_bytes(_file_name(mapping.main_file, gz=True), whole[: len(whole) // 2])
    report = run(mapping, [source], context=_context(), today=TODAY)
    _assert_clear(report)
    assert report.fatal
    (error,) = [e for e in report.errors if e.file_name == source.name]
    assert error.fatal
    assert error.reason.startswith("not a readable gzip file: ")


# --- the services, against the database -------------------------------------------------------


def _incident_counts() -> dict[str, int]:
    from django.apps import apps

    counts = {}
    for app in ("incidents", "complaints", "agencies", "training"):
        for model in apps.get_app_config(app).get_models():
            counts[model._meta.label] = model._default_manager.count()
    return counts


def _analyst(a: SmallAgency) -> Any:
    from steadyhand.access.roles import Role
    from steadyhand.core.testing import actor_of, make_user

    return actor_of(make_user(a.agency, [Role.ANALYST, Role.AGENCY_ADMIN]))


CLEAR = (SteadyhandError, ValueError)  # InvalidInput/ConflictError/…, MappingError


def _load_or_refuse(load: Any, batch: Any) -> None:
    """Load the checked batch; a refused or failed load must leave every table as it was."""
    from steadyhand.imports.models import BatchStatus, LoadMode

    before = _incident_counts()
    for mode in (LoadMode.ALL, LoadMode.VALID_ONLY):
        try:
            loaded = load(batch=batch, mode=mode)
        except CLEAR as exc:
            assert_clear(exc)
            assert _incident_counts() == before, f"a refused {mode} load wrote rows"
            batch.refresh_from_db()
            continue
        assert loaded.status == BatchStatus.LOADED
        return


@pytest.mark.django_db
@DB
@given(data=st.data())
def test_incident_import_service_refuses_cleanly_and_never_half_writes(
    small_agency: SmallAgency, data: Any
) -> None:
    from steadyhand.imports import incident_services as services

    actor = _analyst(small_agency)
    name, excerpt = data.draw(st.sampled_from(sorted(EXCERPTS.items())))
    mapping = load_mapping(name)
    content = data.draw(
        st.one_of(
            mutated_csv((DATA / excerpt).read_bytes()),
            mutated_csv((DATA / excerpt).read_bytes()),
            mapped_csv(mapping, mapping.main_file),
            any_bytes(),
        )
    )
    before = _incident_counts()
    try:
        batch = services.incident_import_create(
            actor=actor,
            mapping=name,
            files=[(_file_name(mapping.main_file), content)],
            check_in_background=False,
        )
        batch = services.incident_import_check(actor=actor, batch=batch)
    except CLEAR as exc:
        assert_clear(exc)
        assert _incident_counts() == before
        return
    assert _incident_counts() == before, "a check wrote records"
    for error in batch.errors or []:
        assert error.get("file_name"), error
        assert error.get("reason"), error
    _load_or_refuse(lambda **kw: services.incident_import_load(actor=actor, **kw), batch)


@st.composite
def roster_csv(draw: Any) -> bytes:
    columns = [
        "badge",
        "first_name",
        "last_name",
        "rank",
        "unit_code",
        "supervisor_badge",
        "hire_date",
        "status",
    ]
    header = draw(st.lists(st.sampled_from([*columns, "Badge ", "x"]), max_size=10))
    values = {
        "badge": st.sampled_from(["O101", "N1", "S100", "", "N1 "]),
        "rank": st.sampled_from(["officer", "sergeant", "sgt", "chief"]),
        "unit_code": st.sampled_from(["PA", "PA-1", "PB", "ZZ", "pa-1"]),
        "supervisor_badge": st.sampled_from(["", "N1", "O101", "N2"]),
        "hire_date": date_text(()),
        "status": st.sampled_from(["", "active", "retired", "??"]),
    }
    row = st.tuples(*[st.one_of(values.get(h, hostile_text), hostile_text) for h in header])
    rows = draw(st.lists(row.map(list), max_size=6))
    return draw(mangled_bytes(csv_text(header, rows)))


@pytest.mark.django_db
@DB
@given(
    content=st.one_of(
        mutated_csv((FIXTURES / "roster_valid.csv").read_bytes()),
        mutated_csv((FIXTURES / "roster_utf8_bom.csv").read_bytes()),
        roster_csv(),
        any_bytes(),
    )
)
def test_roster_import_refuses_cleanly_and_never_half_writes(
    small_agency: SmallAgency, content: bytes
) -> None:
    from steadyhand.imports import services

    actor = _analyst(small_agency)
    before = _incident_counts()
    try:
        batch = services.roster_upload(
            actor=actor, file_name="roster.csv", content=content, check_in_background=False
        )
        batch = services.roster_validate(actor=actor, batch=batch)
    except CLEAR as exc:
        assert_clear(exc)
        assert _incident_counts() == before
        return
    assert _incident_counts() == before, "a check wrote records"
    _load_or_refuse(lambda **kw: services.roster_load(actor=actor, **kw), batch)


@st.composite
def training_csv(draw: Any) -> bytes:
    columns = [
        "badge",
        "course_code",
        "completed_on",
        "hours",
        "score",
        "star_badge",
        "session_end_date",
    ]
    header = draw(st.lists(st.sampled_from(columns), max_size=8))
    values = {
        "badge": st.sampled_from(["O101", "O201", "X999", ""]),
        "star_badge": st.sampled_from(["O101", "18439", ""]),
        "course_code": st.sampled_from(["DE-16", "de-16", "NOPE", ""]),
        "completed_on": date_text(()),
        "session_end_date": date_text(("%Y-%m-%d %H:%M",)),
        "hours": st.sampled_from(["", "8", "-1", "1e309", "nan", "99999999999"]),
        "score": st.sampled_from(["", "92", "101", "-5", "inf", "NaN"]),
    }
    row = st.tuples(*[st.one_of(values.get(h, hostile_text), hostile_text) for h in header])
    rows = draw(st.lists(row.map(list), max_size=6))
    return draw(mangled_bytes(csv_text(header, rows)))


@pytest.mark.django_db
@DB
@given(
    content=st.one_of(
        mutated_csv((FIXTURES / "training_standard.csv").read_bytes()),
        mutated_csv((FIXTURES / "cit40_excerpt.csv").read_bytes()),
        training_csv(),
        any_bytes(),
    ),
    cit=st.booleans(),
)
def test_training_import_refuses_cleanly_and_never_half_writes(
    small_agency: SmallAgency, content: bytes, cit: bool
) -> None:
    from steadyhand.imports import training_services
    from steadyhand.training.models import Course
    from steadyhand.training.tests.factories import make_course, trainer_actor

    t = trainer_actor(small_agency.agency)
    for code in ("DE-16", "UOF-8", "CIT-40"):
        if not Course.objects.filter(code=code, agency=small_agency.agency).exists():
            make_course(t, code, modes={"lecture": 16})
    before = _incident_counts()
    try:
        batch = training_services.training_upload(
            actor=t,
            file_name="training.csv",
            content=content,
            check_in_background=False,
            file_format="cit40" if cit else "standard",
            course_code="CIT-40" if cit else "",
        )
        batch = training_services.training_validate(actor=t, batch=batch)
    except CLEAR as exc:
        assert_clear(exc)
        assert _incident_counts() == before
        return
    assert _incident_counts() == before, "a check wrote records"
    _load_or_refuse(lambda **kw: training_services.training_load(actor=t, **kw), batch)


HUGE = b"x" * 140_000  # longer than the csv module's default field limit (131072 characters)


def test_a_cell_longer_than_the_csv_limit_is_a_row_problem() -> None:
    mapping = load_mapping("seattle")
    content = (
        b"Incident_Num,Incident_Type,Occured_date_time,Officer_ID\n1,"
        + HUGE
        + b",01/01/2020 01:00:00 PM,3\n"
    )
    report = run(
        mapping,
        [FileSource.from_bytes("Use_Of_Force.csv", content)],
        context=_context(),
        today=TODAY,
    )
    _assert_clear(report)
    assert report.error_count
    # Fatal: rows after a cell the CSV reader gives up on cannot be trusted to be whole.
    assert report.fatal
    (error,) = report.errors
    assert (error.file_name, error.row) == ("Use_Of_Force.csv", 2)
    assert error.reason.startswith("the file is not valid CSV here: ")
    assert "field limit" in error.reason


def test_a_header_cell_longer_than_the_csv_limit_is_a_file_problem() -> None:
    mapping = load_mapping("seattle")
    content = b"Incident_Num," + HUGE + b"\n1,x\n"
    report = run(
        mapping,
        [FileSource.from_bytes("Use_Of_Force.csv", content)],
        context=_context(),
        today=TODAY,
    )
    _assert_clear(report)
    assert report.fatal
    (error,) = report.errors
    assert error.row == 1
    assert "field limit" in error.reason


@pytest.mark.django_db
def test_roster_and_training_checks_report_a_cell_over_the_csv_limit(
    small_agency: SmallAgency,
) -> None:
    from steadyhand.imports import services, training_services
    from steadyhand.imports.models import BatchStatus
    from steadyhand.training.tests.factories import trainer_actor

    actor = _analyst(small_agency)
    roster = (
        b"badge,first_name,last_name,rank,unit_code,supervisor_badge,hire_date,status\nN1,"
        + HUGE
        + b",L,officer,PA,,2020-01-01,\n"
    )
    batch = services.roster_upload(
        actor=actor, file_name="r.csv", content=roster, check_in_background=False
    )
    batch = services.roster_validate(actor=actor, batch=batch)
    assert batch.status == BatchStatus.VALIDATED
    assert batch.fatal
    assert "field limit" in batch.errors[0]["reason"]
    t = trainer_actor(small_agency.agency)
    training = b"badge,course_code,completed_on\nO101," + HUGE + b",2024-01-01\n"
    batch = training_services.training_upload(
        actor=t, file_name="t.csv", content=training, check_in_background=False
    )
    batch = training_services.training_validate(actor=t, batch=batch)
    assert batch.status == BatchStatus.VALIDATED
    assert batch.fatal
    assert batch.errors[0]["row"] == 2
    assert "field limit" in batch.errors[0]["reason"]
