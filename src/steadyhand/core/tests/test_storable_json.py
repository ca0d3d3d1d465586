import json

from steadyhand.core.storable_json import StorableJSONEncoder, without_nul


def test_nul_in_strings_and_keys_is_shown_as_the_null_symbol() -> None:
    value = {"col\x00": ["a\x00b", 1, None, ("x\x00",)]}
    assert without_nul(value) == {"col\u2400": ["a\u2400b", 1, None, ["x\u2400"]]}
    encoded = json.dumps(value, cls=StorableJSONEncoder)
    assert "\\u0000" not in encoded
    assert json.loads(encoded) == {"col\u2400": ["a\u2400b", 1, None, ["x\u2400"]]}


def test_text_without_nul_is_unchanged() -> None:
    value = {"file": "roster.csv", "row": 3, "reason": "unknown rank \\u0000 literally"}
    assert json.loads(json.dumps(value, cls=StorableJSONEncoder)) == value
