"""The import's fast paths give exactly what the plain ones give: the compiled date parser
reads (and refuses) what ``strptime`` reads (and refuses), the per-column cell caches keep every
problem, and the one-query natural-key lookups find exactly the agency's existing records."""

import random
from datetime import datetime

import pytest

from steadyhand.access.roles import Role
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.imports import incident_services as services
from steadyhand.imports.mapping.format import DEFAULT_FORMATS, load_mapping
from steadyhand.imports.mapping.keyed import existing_ids, first_taken
from steadyhand.imports.mapping.values import DateTimeParser, ValueProblem, parse_datetime
from steadyhand.imports.models import LoadMode
from steadyhand.imports.tests.incident_import_support import excerpt_paths
from steadyhand.incidents.models import Incident

FORMATS = [
    *((f,) for f in DEFAULT_FORMATS["datetime"]),
    *((f,) for f in DEFAULT_FORMATS["date"]),
    DEFAULT_FORMATS["datetime"],
    ("%m/%d/%Y %I:%M:%S %p",),
    ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y"),
    ("%Y%m%d%H%M",),
    ("%d.%m.%Y %H:%M",),
    ("%y-%m-%d",),  # not compiled: falls back to strptime
    ("%H:%M",),  # no year: falls back to strptime
]
SAMPLES = [
    "2020-01-02", "2020-1-2", "2020-02-30", "2020-02-29", "2019-02-29", "2020-13-01",
    "2020-01-02 03:04:05", "2020-01-02T03:04:05", "2020-01-02 24:00:00", "2020-01-02 3:4:5",
    "01/02/2020", "1/2/2020", "1/2/2020 12:00:00 AM", "1/2/2020 12:00:00 PM",
    "01/02/2020 01:05:09 pm", "01/02/2020 13:05:09 PM", "01/02/2020  01:05:09   AM",
    "01/02/2020 01:05:60 AM", "01/02/2020 01:05:61 AM", " 01/02/2020 ", "01/ 2/2020",
    "202001020304", "2020010203", "02.01.2020 23:59", "20-01-02", "12:30", "", "x",
    "2020-01-02 03:04:05 ", "1/2/2020 1:02:03 XM", "0000-01-01", "9999-12-31 23:59:59",
]  # fmt: skip


def _plain(text: str, formats: tuple[str, ...]) -> datetime | str:
    try:
        return parse_datetime(text, formats)
    except ValueProblem as exc:
        return str(exc)


def _fast(parser: DateTimeParser, text: str) -> datetime | str:
    try:
        return parser(text)
    except ValueProblem as exc:
        return str(exc)


@pytest.mark.parametrize("formats", FORMATS)
def test_the_compiled_parser_agrees_with_strptime(formats: tuple[str, ...]) -> None:
    parser = DateTimeParser(formats)
    rng = random.Random(4)
    fuzz = [
        f"{rng.randint(1, 13)}/{rng.randint(0, 32)}/{rng.randint(1899, 2030)} "
        f"{rng.randint(0, 13)}:{rng.randint(0, 61):02d}:{rng.randint(0, 61):02d} "
        f"{rng.choice(['AM', 'PM', 'am', 'Pm', ''])}"
        for _ in range(300)
    ]
    for text in SAMPLES + fuzz:
        assert _fast(parser, text) == _plain(text, formats), (text, formats)


def test_repeated_bad_cells_are_each_reported() -> None:
    """A column remembers what a cell became, problems included: the same bad cell on several
    rows is one problem per row, each with its own row number and the cell as written."""
    from datetime import date

    from steadyhand.imports.mapping.engine import run
    from steadyhand.imports.mapping.format import load_mapping_text
    from steadyhand.imports.mapping.reader import FileSource
    from steadyhand.imports.mapping_context import ImportContext
    from steadyhand.imports.tests.test_mapping_engine import MAPPING

    mapping = load_mapping_text(MAPPING, label="city.toml", default_name="city")
    text = (
        "Case No,Date,Officer,Race,Force,District\n"
        "1,01/02/2020,A,W,Taser,D1\n"
        "2,13/45/2020,A,Q,Taser,D1\n"
        "3,13/45/2020,A,Q,Taser,D1\n"
        "4,01/02/2020,,W,Taser,D1\n"
        "5,01/02/2020,,W,Taser,D1\n"
        "6,01/02/2020, Q ,Q ,Taser,D1\n"
    )
    ctx = ImportContext(agency_id=0, timezone="UTC", root_unit_id=0, unit_ids={},
                        today=date(2024, 6, 1))  # fmt: skip
    report = run(mapping, [FileSource.from_bytes("uof.csv", text.encode())], context=ctx,
                 today=date(2024, 6, 1))  # fmt: skip
    found = sorted((e.row, e.column, e.value, e.reason[:20]) for e in report.errors)
    assert found == [
        (3, "Date", "13/45/2020", "not a date/time in t"),
        (3, "Race", "Q", "unknown value for co"),
        (4, "Date", "13/45/2020", "not a date/time in t"),
        (4, "Race", "Q", "unknown value for co"),
        (5, "Officer", "", "a value is required"),
        (6, "Officer", "", "a value is required"),
        (7, "Race", "Q ", "unknown value for co"),
    ]
    assert report.counts["valid_rows"] == 1


@pytest.mark.django_db
def test_key_lookups_find_only_the_agency_s_existing_records(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    analyst = actor_of(make_user(small_agency.agency, [Role.ANALYST], username="analyst1"))
    batch = services.incident_import_create(
        actor=analyst, mapping="seattle", paths=excerpt_paths("seattle"),
        check_in_background=False,
    )  # fmt: skip
    batch = services.incident_import_check(actor=analyst, batch=batch)
    services.incident_import_load(actor=analyst, batch=batch, mode=LoadMode.ALL)
    source = load_mapping("seattle").source
    mine = dict(
        Incident.objects.filter(agency=small_agency.agency, source=source).values_list(
            "source_key", "id"
        )
    )
    assert len(mine) > 1
    keys = [*mine, "no-such-key", ""]
    assert existing_ids(Incident, agency_id=small_agency.agency.pk, source=source, keys=keys) == (
        mine
    )
    assert existing_ids(Incident, agency_id=other_agency.agency.pk, source=source, keys=keys) == {}
    assert existing_ids(Incident, agency_id=small_agency.agency.pk, source="x", keys=keys) == {}
    numbers = sorted(
        Incident.objects.filter(id__in=mine.values()).values_list("case_number", flat=True)
    )
    assert first_taken(
        Incident, agency_id=small_agency.agency.pk, column="case_number",
        values=["ZZZ", numbers[3], numbers[1]],
    ) == numbers[1]  # fmt: skip
    assert first_taken(
        Incident, agency_id=other_agency.agency.pk, column="case_number", values=numbers
    ) is None  # fmt: skip
