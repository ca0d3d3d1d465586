"""Strategies shared by the hostile-input tests: hostile text, CSV bytes and mutated TOML."""

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Examples are few on purpose: the whole tests/hostile/ directory must run in under two
# minutes on SQLite. Database tests reuse one function-scoped agency across examples, so the
# fixture health check is off (each example compares row counts before and after itself).
FAST = settings(max_examples=40)
DB = settings(
    max_examples=20,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "ascii"]

hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "NULL", "N/A", "-", "\ufeff", '"', "\r\n", "=1+1", "💥"]),
    st.builds(
        lambda n: "x" * n, st.sampled_from([1000, 20_000, 100_000])
    ),  # (csv refuses > 131072)
    st.text(alphabet='\x00\r\n",;\t', max_size=8),
)


def date_text(formats: Sequence[str]) -> st.SearchStrategy[str]:
    """Dates far in the past and future, written in the column's formats or ISO, or garbage."""
    days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
    fmts = st.sampled_from([*formats, "%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%dT%H:%M:%S"])
    return st.one_of(
        st.builds(lambda d, f: d.strftime(f), days, fmts),
        st.sampled_from(["0000-00-00", "2024-02-30", "13/45/2020", "99999-01-01", "1e9", "-1"]),
    )


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@st.composite
def mangled_bytes(draw: Any, text: str) -> bytes:
    """``text`` encoded in a random encoding, maybe with a BOM, NUL bytes or cut short."""
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()) and encoding.startswith("utf-8") and not data.startswith(b"\xef"):
        data = b"\xef\xbb\xbf" + data
    if draw(st.booleans()) and data:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    if draw(st.integers(0, 4)) == 0 and data:
        data = data[: draw(st.integers(1, len(data)))]  # truncated mid-row (or mid-character)
    return data


def any_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(min_size=1, max_size=400),
        st.builds(lambda b: b"\xff\xfe" + b, st.binary(max_size=100)),
    )


@st.composite
def mutated_csv(draw: Any, base: bytes, rows: int = 6) -> bytes:
    """The first ``rows`` records of a good file with a few hostile edits: cells replaced,
    rows cut short or repeated, a header dropped or duplicated; sometimes mangled bytes."""
    records = list(csv.reader(io.StringIO(base.decode("utf-8-sig"), newline="")))
    header, body = records[0], [list(r) for r in records[1 : rows + 1]]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "cut", "repeat", "drop", "dup"]))
        if kind == "cell" and body:
            r = draw(st.integers(0, len(body) - 1))
            if body[r]:
                c = draw(st.integers(0, len(body[r]) - 1))
                body[r][c] = draw(st.one_of(hostile_text, date_text(())))
        elif kind == "cut" and body:
            r = draw(st.integers(0, len(body) - 1))
            body[r] = body[r][: draw(st.integers(0, len(body[r])))]
        elif kind == "repeat" and body:
            body.append(list(draw(st.sampled_from(body))))
        elif kind == "drop" and header:
            c = draw(st.integers(0, len(header) - 1))
            header = header[:c] + header[c + 1 :]
            body = [r[:c] + r[c + 1 :] for r in body]
        elif kind == "dup" and header:
            header = [*header, draw(st.sampled_from(header))]
    text = csv_text(header, body)
    if draw(st.integers(0, 3)) == 0:
        return draw(mangled_bytes(text))
    return text.encode("utf-8")


# Values of every TOML type, and strings that are hostile as regexes, date formats or names.
toml_values = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["", "(", "[a-", "*", "%Q", "%", "%Y-%m-%d", "nope", "\x00", "a" * 300]),
    st.text(max_size=10),
    st.dates(),
    st.just([]),
    st.just({}),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_document(draw: Any, document: dict[str, Any], most: int = 3) -> dict[str, Any]:
    """``document`` (a parsed TOML file, copied) after up to ``most`` hostile edits: a value
    replaced by one of another type, a key deleted, an unknown key added, a reference renamed,
    a value copied from elsewhere in the document (which can make references cyclic)."""
    import copy

    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, most))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = doc
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        op = draw(st.sampled_from(["replace", "replace", "delete", "add", "rename", "copy"]))
        if op == "replace":
            parent[last] = draw(toml_values)
        elif op == "delete":
            del parent[last]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["unknown", "extra_key", "", "x" * 80]))] = draw(
                toml_values
            )
        elif op == "rename" and isinstance(parent[last], str):
            parent[last] = parent[last] + draw(st.sampled_from(["_x", "s", "?", ""]))
        elif op == "copy":
            source = draw(st.sampled_from(paths))
            value: Any = doc
            for step in source:
                value = value[step]
            parent[last] = copy.deepcopy(value)
    return doc


def assert_clear(exc: BaseException, prefix: str = "") -> None:
    """A refusal a person can act on: a message, starting with ``prefix`` (file name) if given."""
    message = str(exc).strip()
    assert message, f"{type(exc).__name__} without a message"
    assert message.startswith(prefix), message
