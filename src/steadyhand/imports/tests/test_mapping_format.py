"""Loading and checking mapping files: shipped mappings load; mistakes name file and key."""

import pytest

from steadyhand.imports.mapping.format import (
    MappingError,
    load_mapping,
    load_mapping_text,
    normalise_header,
    shipped_mapping_names,
)

MINIMAL = """
key = ["case"]
[[files]]
pattern = "*.csv"
[files.columns]
case = { headers = ["Case"], required = true }
when = { headers = ["When"], type = "date" }
race = { headers = ["Race"], codes = "race" }
[codes.race]
into = "races"
[codes.race.values]
"W" = "white"
[incident]
occurred = "when"
"""


def _load(text: str) -> object:
    return load_mapping_text(text, label="city.toml", default_name="city")


def test_every_shipped_mapping_loads() -> None:
    names = shipped_mapping_names()
    assert {"seattle", "austin", "new_orleans", "minneapolis"} <= set(names)
    for name in ["seattle", "austin", "new_orleans", "minneapolis"]:
        mapping = load_mapping(name)
        assert mapping.name == name
        assert mapping.source == f"import:{name}"
        assert mapping.target == "incidents"


def test_a_minimal_mapping_loads_with_defaults() -> None:
    mapping = _load(MINIMAL)
    assert mapping.name == "city"  # type: ignore[attr-defined]
    assert mapping.encodings == ("utf-8", "cp1252")  # type: ignore[attr-defined]
    assert mapping.config.case_number == "{case}"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[incident]", "[incidnt]"), "city.toml: incidnt: unknown key"),
        (('into = "races"', 'into = "colours"'), "city.toml: codes.race.into: unknown set 'colours'"),  # noqa: E501
        (('"W" = "white"', '"W" = "whit"'), "city.toml: codes.race.values.'W': 'whit' is not a code of 'races'"),  # noqa: E501
        (('codes = "race"', 'codes = "races"'), "city.toml: files[0].columns.race.codes: no code list [codes.races]"),  # noqa: E501
        (('type = "date"', 'type = "when"'), "city.toml: files[0].columns.when.type: unknown type 'when'"),  # noqa: E501
        (('key = ["case"]', 'key = ["nope"]'), "city.toml: key: 'nope' is not a column of the main file"),  # noqa: E501
        (('occurred = "when"', 'occurred = "whenever"'), "city.toml: incident.occurred: 'whenever' is not a field"),  # noqa: E501
        (('occurred = "when"', 'district = "when"'), "city.toml: incident.occurred: required"),
        (('pattern = "*.csv"', 'pattern = "*.csv"\nrole = "side"'), 'city.toml: files[0].role: expected "main" or "related"'),  # noqa: E501
        (('key = ["case"]', 'encodings = ["latin-9"]\nkey = ["case"]'), "city.toml: encodings: unsupported encoding 'latin-9'"),  # noqa: E501
    ],
)  # fmt: skip
def test_mistakes_name_the_file_and_the_key(change: tuple[str, str], message: str) -> None:
    text = MINIMAL.replace(*change)
    with pytest.raises(MappingError) as caught:
        _load(text)
    assert str(caught.value).startswith(message)


def test_bad_toml_is_reported_with_the_file_name() -> None:
    with pytest.raises(MappingError, match=r"^city.toml: not valid TOML"):
        _load("key = [")


def test_an_unknown_shipped_mapping_lists_the_shipped_ones() -> None:
    with pytest.raises(MappingError, match="shipped mappings: austin"):
        load_mapping("atlantis")


def test_event_codes_must_be_in_the_vocabulary() -> None:
    text = MINIMAL + '\n[[events]]\nkind = "force"\ncode = { value = "tickle" }\n'
    with pytest.raises(MappingError, match=r"events\[0\].code: 'tickle' is not in the vocabulary"):
        _load(text)


def test_headers_are_compared_trimmed_collapsed_and_casefolded() -> None:
    assert normalise_header(" RIN") == "rin"
    assert normalise_header("Date  Occurred") == normalise_header("date occurred")
    assert normalise_header("\ufeffID") == "id"


def test_code_lists_compare_source_values_folded_and_strip_prefixes() -> None:
    austin = load_mapping("austin")
    resistance = austin.codes["resistance"]
    assert resistance.lookup("EMPTY HAND DEFENSIVE RESISTANCE") == "pulls_away"
    assert resistance.lookup("expired code-empty hand  defensive resistance ") == "pulls_away"
    assert resistance.lookup("juggling") is None
