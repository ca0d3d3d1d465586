"""Hostile mapping files: the shipped mappings with wrong types, unknown keys, missing sections,
bad regular expressions and date formats, unknown or copied references, or broken TOML text,
load as a usable mapping or fail with a MappingError naming the file and the key; a mutated
mapping that loads reads a real file into a report without crashing."""

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import steadyhand.imports
from steadyhand.imports.mapping.engine import Report, run
from steadyhand.imports.mapping.format import (
    SHIPPED_DIR,
    Mapping,
    MappingError,
    load_mapping_text,
    parse_mapping,
    shipped_mapping_names,
)
from steadyhand.imports.mapping.reader import FileSource
from steadyhand.imports.mapping_context import ImportContext
from tests.hostile.support import FAST, assert_clear, mutated_document

LABEL = "hostile.toml"
DATA = Path(steadyhand.imports.__file__).parent / "tests" / "data"
EXCERPTS = {
    "seattle": ["Use_Of_Force.csv"],
    "new_orleans": ["NOPD_Use_of_Force_Incidents.csv"],
    "minneapolis": ["mn_police_use_of_force.csv"],
    "austin": ["R2R_2014.csv", "R2R_2017.csv"],
}
TODAY = date(2026, 1, 1)


def _document(name: str) -> dict[str, Any]:
    return tomllib.loads((SHIPPED_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def _parse_or_clear_error(document: dict[str, Any]) -> Mapping | None:
    """The property: a Mapping, or a MappingError whose message names the file and a key."""
    try:
        mapping = parse_mapping(document, label=LABEL, default_name="hostile")
    except MappingError as exc:
        message = str(exc)
        assert message.startswith(f"{LABEL}: "), message
        assert len(message) > len(LABEL) + 4, message
        return None
    assert isinstance(mapping, Mapping)
    return mapping


@pytest.mark.parametrize("name", shipped_mapping_names())
@FAST
@given(data=st.data())
def test_a_mutated_shipped_mapping_loads_or_names_the_key(name: str, data: Any) -> None:
    document = data.draw(mutated_document(_document(name)))
    mapping = _parse_or_clear_error(document)
    if mapping is not None and name in EXCERPTS:
        # What loads must also run: a mapping that passes the checks never crashes the engine.
        ctx = ImportContext(
            agency_id=0, timezone="America/Chicago", root_unit_id=0, unit_ids={}, today=TODAY
        )
        sources = [FileSource.from_path(DATA / f) for f in EXCERPTS[name]]
        report = run(mapping, sources, context=ctx, today=TODAY, on_record=lambda _r: None)
        assert isinstance(report, Report)


@pytest.mark.parametrize("name", ["seattle", "chicago_complaints"])
@FAST
@given(data=st.data())
def test_mangled_mapping_text_loads_or_names_the_file(name: str, data: Any) -> None:
    text = (SHIPPED_DIR / f"{name}.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "cut", "dup", "junk"]))
        if op == "drop":
            del lines[at]
        elif op == "cut":
            lines[at] = lines[at][: data.draw(st.integers(0, len(lines[at])))]
        elif op == "dup":
            lines.insert(at, lines[at])  # duplicate keys and tables are TOML errors
        else:
            lines.insert(at, data.draw(st.text(max_size=20)))
    try:
        mapping = load_mapping_text("\n".join(lines), label=LABEL, default_name="hostile")
    except MappingError as exc:
        assert_clear(exc, f"{LABEL}: ")
    else:
        assert isinstance(mapping, Mapping)


@FAST
@given(document=st.dictionaries(st.text(max_size=8), st.integers() | st.text(), max_size=4))
def test_an_arbitrary_document_is_a_clear_error(document: dict[str, Any]) -> None:
    assert _parse_or_clear_error(document) is None


def _seattle(change: Any) -> dict[str, Any]:
    document = _document("seattle")
    change(document)
    return document


def _column(document: dict[str, Any], name: str) -> dict[str, Any]:
    """The column's table (a column written as just its header becomes ``{headers = …}``)."""
    columns = document["files"][0]["columns"]
    if not isinstance(columns[name], dict):
        columns[name] = {"headers": columns[name]}
    return columns[name]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        pytest.param(
            lambda d: _column(d, "occurred").update(type={"a": 1}),
            "files[0].columns.occurred.type",
            id="type-is-a-table",
        ),
        pytest.param(
            lambda d: d["codes"]["race"].update(unknown=[]),
            "codes.race.unknown",
            id="unknown-is-a-list",
        ),
        pytest.param(
            lambda d: d["codes"]["race"].update(strip_prefixes=5),
            "codes.race.strip_prefixes",
            id="strip-prefixes-is-a-number",
        ),
        pytest.param(
            lambda d: d["codes"]["race"].update(strip_prefixes=[1]),
            "codes.race.strip_prefixes",
            id="strip-prefix-is-a-number",
        ),
        pytest.param(
            lambda d: _column(d, "subject_id").update(type="bool", true=5),
            "files[0].columns.subject_id.true",
            id="true-words-is-a-number",
        ),
        pytest.param(
            lambda d: _column(d, "subject_id").update(type="bool", false=["no", 0]),
            "files[0].columns.subject_id.false",
            id="a-false-word-is-a-number",
        ),
        pytest.param(
            lambda d: _column(d, "occurred").update(allow_future="yes"),
            "files[0].columns.occurred.allow_future",
            id="allow-future-is-a-string",
        ),
        pytest.param(
            # Found by the mutation property: it loaded, then crashed the engine on every row.
            lambda d: d["incident"].update(case_number=["incident_num"]),
            "incident.case_number",
            id="case-number-is-a-list",
        ),
    ],
)
def test_a_wrongly_typed_value_is_a_mapping_error(change: Any, key: str) -> None:
    with pytest.raises(MappingError, match=rf"^{re.escape(f'{LABEL}: {key}: ')}"):
        parse_mapping(_seattle(change), label=LABEL, default_name="hostile")


def _occurred_as_text(document: dict[str, Any]) -> None:
    del _column(document, "occurred")["type"]
    del _column(document, "occurred")["formats"]


def test_occurred_must_be_a_date_or_datetime_column() -> None:
    with pytest.raises(MappingError, match=rf"^{LABEL}: incident.occurred"):
        parse_mapping(_seattle(_occurred_as_text), label=LABEL, default_name="hostile")


def test_occurred_may_not_be_a_constant() -> None:
    def change(document: dict[str, Any]) -> None:
        document["incident"]["occurred"] = {"value": "2020-01-01"}

    with pytest.raises(MappingError, match=rf"^{LABEL}: incident.occurred"):
        parse_mapping(_seattle(change), label=LABEL, default_name="hostile")


@pytest.mark.parametrize(
    "formats",
    [
        pytest.param(["%Q"], id="unknown-directive"),
        pytest.param(["%m/%d/%Y", "%Y-%"], id="lone-percent"),
        pytest.param(["%Y %m %Y"], id="directive-twice"),
        pytest.param(["%m/%d"], id="no-year"),
    ],
)
def test_a_bad_date_format_is_refused_when_the_mapping_loads(formats: list[str]) -> None:
    """Not at every row: a format strptime cannot use would reject (or crash on) each one."""
    key = "files[0].columns.occurred.formats"
    with pytest.raises(MappingError, match=rf"^{re.escape(f'{LABEL}: {key}: ')}"):
        parse_mapping(
            _seattle(lambda d: _column(d, "occurred").update(formats=formats)),
            label=LABEL,
            default_name="hostile",
        )


def test_a_format_with_literal_percent_and_every_strptime_directive_loads() -> None:
    formats = ["%Y-%m-%d %H:%M:%S%%", "%d %b %y %I%p", "%A %j %Y", "%Y-%m-%dT%H:%M:%S.%f%z"]
    mapping = parse_mapping(
        _seattle(lambda d: _column(d, "occurred").update(formats=formats)),
        label=LABEL,
        default_name="hostile",
    )
    assert mapping.main_file.columns["occurred"].formats == tuple(formats)


@pytest.mark.parametrize("name", ["received", "occurred", "closed"])
def test_a_complaint_date_must_be_a_date_or_datetime_column(name: str) -> None:
    document = _document("chicago_complaints")
    field = document["complaint"][name]
    for spec in document["files"]:
        column = spec["columns"].get(field)
        if isinstance(column, dict):
            column.pop("formats", None)
            column["type"] = "text"
    with pytest.raises(MappingError, match=rf"^{re.escape(f'{LABEL}: complaint.{name}: ')}"):
        parse_mapping(document, label=LABEL, default_name="hostile")
