"""Load and check a mapping file (TOML). Every problem names the file and the key, e.g.
``seattle.toml: files[0].columns.occurred.formats: …``, so a mapping author can fix it.

The generic parts (files, columns, code lists, the record key) are checked here; the sections a
target reads (``[incident]``, ``[officer]``, ``[subject]``, ``[[events]]`` for incidents) are
checked by the target (``targets.get_target(name).configure``).
"""

import fnmatch
import re
import tomllib
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from steadyhand.imports.mapping.values import (
    FALSE_WORDS,
    FREE_SETS,
    TARGET_SETS,
    TRUE_WORDS,
    fold,
)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "mappings"

COLUMN_TYPES = frozenset(
    {"text", "int", "decimal", "date", "datetime", "time", "bool", "code", "age_band"}
)
DEFAULT_FORMATS = {
    "date": ("%Y-%m-%d", "%m/%d/%Y"),
    "datetime": ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y"),
    "time": ("%H:%M", "%H:%M:%S", "%H%M"),
}
# The directives ``datetime.strptime`` knows; any other ``%x`` fails on every row, so a format
# using one is refused when the mapping loads.
STRPTIME_DIRECTIVES = frozenset("aAbBcdfGHIjmMpSuUVwWxXyYzZ%")
# A date or datetime format without a year reads every row as 1900 (and rejects it).
YEAR_DIRECTIVES = frozenset("Yycx")
UNKNOWN_POLICIES = frozenset({"reject", "default", "keep"})
ENCODINGS = frozenset({"utf-8", "cp1252"})


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the key."""


def normalise_header(name: str) -> str:
    """How headers are compared: ``" Date  Occurred"`` and ``"date occurred"`` are one header
    (stray spaces, doubled spaces and case vary between years of one source)."""
    return fold(name.lstrip("\ufeff"))


@dataclass(frozen=True)
class CodeList:
    """Source values → codes of one vocabulary set (``into``)."""

    name: str
    into: str
    values: dict[str, str]  # folded source value -> code
    unknown: str = "reject"  # reject | default | keep
    default: str | None = None
    strip_prefixes: tuple[str, ...] = ()

    def lookup(self, raw: str) -> str | None:
        """The code for ``raw``; None when unknown (the caller applies ``unknown``)."""
        found = self.values.get(raw)  # the common case: the cell as the mapping spells it
        if found is not None:
            return found
        key = fold(raw)
        for prefix in self.strip_prefixes:
            if key.startswith(prefix):
                key = key[len(prefix) :].strip()
        return self.values.get(key)


@dataclass(frozen=True)
class ColumnSpec:
    field: str
    headers: tuple[str, ...]  # normalised spellings, first match wins
    type: str = "text"
    required: bool = False
    formats: tuple[str, ...] = ()
    codes: str | None = None
    split: str = ""
    allow_future: bool = False
    true_words: frozenset[str] = TRUE_WORDS
    false_words: frozenset[str] = FALSE_WORDS
    # A regular-expression substitution applied to the cell before anything else (keys too),
    # e.g. Chicago's "2000-0258960" → "258960".
    rewrite: "tuple[re.Pattern[str], str] | None" = None

    def cell(self, text: str) -> str:
        if self.rewrite is None:
            return text
        pattern, replacement = self.rewrite
        return pattern.sub(replacement, text.strip())

    @property
    def label(self) -> str:
        return self.headers[0] if self.headers else self.field


@dataclass(frozen=True)
class FileSpec:
    name: str
    pattern: str
    role: str  # "main" (exactly one) or "related"
    columns: dict[str, ColumnSpec]
    join: tuple[str, ...] = ()  # related files: fields equal to the main key
    feeds: frozenset[str] | None = None  # sections this file's rows feed; None = all

    def matches(self, file_name: str) -> bool:
        return fnmatch.fnmatch(file_name.casefold(), self.pattern.casefold())


@dataclass(frozen=True)
class Mapping:
    name: str
    title: str
    target: str
    source: str
    path: str
    encodings: tuple[str, ...]
    blank_values: frozenset[str]
    files: tuple[FileSpec, ...]
    codes: dict[str, CodeList]
    key: tuple[str, ...]
    max_open_groups: int
    sections: dict[str, Any] = field(default_factory=dict)
    # Set by the target's ``configure``: its checked view of ``sections``.
    config: Any = None

    @property
    def main_file(self) -> FileSpec:
        return next(f for f in self.files if f.role == "main")

    def file_for(self, file_name: str) -> FileSpec | None:
        return next((f for f in self.files if f.matches(file_name)), None)

    def all_fields(self) -> dict[str, ColumnSpec]:
        found: dict[str, ColumnSpec] = {}
        for spec in self.files:
            for name, column in spec.columns.items():
                found.setdefault(name, column)
        return found


class _Checker:
    """Reads one mapping document, collecting where each problem is."""

    def __init__(self, file_label: str) -> None:
        self.file_label = file_label

    def fail(self, key: str, message: str) -> MappingError:
        return MappingError(f"{self.file_label}: {key}: {message}")

    def table(self, data: Any, key: str) -> dict[str, Any]:
        if not isinstance(data, MappingABC):
            raise self.fail(key, "expected a table")
        return dict(data)

    def string(self, data: Any, key: str, *, allow_empty: bool = False) -> str:
        if not isinstance(data, str) or (not allow_empty and not data.strip()):
            raise self.fail(key, "expected a non-empty string")
        return data

    def strings(self, data: Any, key: str) -> tuple[str, ...]:
        if isinstance(data, str):
            data = [data]
        if not isinstance(data, list) or not data or not all(isinstance(x, str) for x in data):
            raise self.fail(key, "expected a string or a non-empty list of strings")
        return tuple(data)

    def words(self, data: Any, key: str) -> tuple[str, ...]:
        """A string or a list of strings, possibly empty (e.g. ``strip_prefixes``)."""
        if isinstance(data, str):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
            raise self.fail(key, "expected a string or a list of strings")
        return tuple(data)

    def one_of(self, data: Any, key: str, allowed: frozenset[str]) -> str:
        """A string from ``allowed`` (the type is checked first: a table or a list is not
        hashable, and would otherwise escape a membership test as TypeError)."""
        if not isinstance(data, str) or data not in allowed:
            raise self.fail(key, f"expected one of: {', '.join(sorted(allowed))}")
        return data

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], key: str) -> None:
        extra = sorted(set(data) - allowed)
        if extra:
            raise self.fail(
                f"{key}.{extra[0]}" if key else extra[0],
                f"unknown key; allowed here: {', '.join(sorted(allowed))}",
            )


def _code_list(chk: _Checker, name: str, data: Any) -> CodeList:
    key = f"codes.{name}"
    data = chk.table(data, key)
    chk.unknown_keys(data, {"into", "values", "unknown", "default", "strip_prefixes"}, key)
    into = chk.string(data.get("into"), f"{key}.into")
    if into not in TARGET_SETS and into not in FREE_SETS:
        raise chk.fail(
            f"{key}.into",
            f"unknown set {into!r}; one of: {', '.join(sorted({*TARGET_SETS, *FREE_SETS}))}",
        )
    allowed = TARGET_SETS.get(into)
    raw_values = chk.table(data.get("values", {}), f"{key}.values")
    values: dict[str, str] = {}
    for source, code in raw_values.items():
        if isinstance(code, bool):
            code = "true" if code else "false"
        if isinstance(code, int) and into in ("force_levels", "resistance"):
            code = _level_name(into, code, chk, f"{key}.values.{source!r}")
        if not isinstance(code, str):
            raise chk.fail(f"{key}.values.{source!r}", "expected a code (string)")
        code = code.casefold() if into in ("force_levels", "resistance") else code
        # "" maps a known source value to nothing (read as a blank cell), e.g. "None detected".
        if allowed is not None and code and code not in allowed:
            raise chk.fail(
                f"{key}.values.{source!r}",
                f"{code!r} is not a code of {into!r} (docs/vocabulary.md lists them)",
            )
        folded = fold(source)
        if folded in values and values[folded] != code:
            raise chk.fail(
                f"{key}.values.{source!r}",
                "the same source value (ignoring case and spaces) maps to two codes",
            )
        values[folded] = code
    unknown = chk.one_of(data.get("unknown", "reject"), f"{key}.unknown", UNKNOWN_POLICIES)
    default = data.get("default")
    if default is not None:
        default = chk.string(default, f"{key}.default")
        if into in ("force_levels", "resistance"):
            default = default.casefold()
        if allowed is not None and default not in allowed:
            raise chk.fail(f"{key}.default", f"{default!r} is not a code of {into!r}")
    if unknown == "default" and default is None:
        raise chk.fail(f"{key}.default", 'unknown = "default" needs a default code')
    if unknown == "keep" and into not in FREE_SETS:
        raise chk.fail(
            f"{key}.unknown", f'"keep" is only for free-text lists ({", ".join(FREE_SETS)})'
        )
    prefixes = tuple(
        fold(p) for p in chk.words(data.get("strip_prefixes", []), f"{key}.strip_prefixes")
    )
    return CodeList(name, into, values, unknown, default, prefixes)


def _level_name(into: str, number: int, chk: _Checker, key: str) -> str:
    from steadyhand.imports.mapping.values import FORCE_LEVEL_NAMES, RESISTANCE_NAMES

    names = FORCE_LEVEL_NAMES if into == "force_levels" else RESISTANCE_NAMES
    for name, value in names.items():
        if value == number:
            return name
    raise chk.fail(key, f"no {into} level {number}; levels are 0 to {max(names.values())}")


COLUMN_KEYS = {
    "rewrite",
    "headers",
    "type",
    "required",
    "formats",
    "codes",
    "split",
    "allow_future",
    "true",
    "false",
}


def _column(
    chk: _Checker, key: str, name: str, data: Any, codes: dict[str, CodeList]
) -> ColumnSpec:
    if isinstance(data, (str, list)):
        data = {"headers": data}
    data = chk.table(data, key)
    chk.unknown_keys(data, COLUMN_KEYS, key)
    headers = tuple(normalise_header(h) for h in chk.strings(data.get("headers"), f"{key}.headers"))
    kind = data.get("type", "code" if "codes" in data else "text")
    if not isinstance(kind, str) or kind not in COLUMN_TYPES:
        raise chk.fail(
            f"{key}.type", f"unknown type {kind!r}; one of: {', '.join(sorted(COLUMN_TYPES))}"
        )
    formats: tuple[str, ...] = ()
    if kind in DEFAULT_FORMATS:
        if "formats" in data:
            formats = chk.strings(data["formats"], f"{key}.formats")
            for fmt in formats:
                _check_format(chk, f"{key}.formats", fmt, kind)
        else:
            formats = DEFAULT_FORMATS[kind]
    elif "formats" in data:
        raise chk.fail(f"{key}.formats", "only date, datetime and time columns have formats")
    code_name = data.get("codes")
    if kind == "code":
        code_name = chk.string(code_name, f"{key}.codes")
        if code_name not in codes:
            raise chk.fail(f"{key}.codes", f"no code list [codes.{code_name}] in this mapping")
    elif code_name is not None:
        raise chk.fail(f"{key}.codes", 'only columns of type "code" have a code list')
    split = data.get("split", "")
    if not isinstance(split, str):
        raise chk.fail(f"{key}.split", 'expected the separator characters, e.g. ";" or ";,"')
    required = data.get("required", False)
    if not isinstance(required, bool):
        raise chk.fail(f"{key}.required", "expected true or false")
    rewrite = None
    if "rewrite" in data:
        spec = data["rewrite"]
        if not (
            isinstance(spec, list) and len(spec) == 2 and all(isinstance(x, str) for x in spec)
        ):
            raise chk.fail(f"{key}.rewrite", "expected [pattern, replacement] (two strings)")
        try:
            rewrite = (re.compile(spec[0]), spec[1])
        except re.error as exc:
            raise chk.fail(f"{key}.rewrite", f"not a regular expression: {exc}") from None
    true_words = frozenset(fold(w) for w in chk.words(data.get("true", []), f"{key}.true"))
    false_words = frozenset(fold(w) for w in chk.words(data.get("false", []), f"{key}.false"))
    allow_future = data.get("allow_future", False)
    if not isinstance(allow_future, bool):
        raise chk.fail(f"{key}.allow_future", "expected true or false")
    return ColumnSpec(
        field=name,
        headers=headers,
        type=kind,
        required=required,
        formats=formats,
        codes=code_name,
        split=split,
        allow_future=allow_future,
        true_words=true_words or TRUE_WORDS,
        false_words=false_words or FALSE_WORDS,
        rewrite=rewrite,
    )


def _check_format(chk: _Checker, key: str, fmt: str, kind: str) -> None:
    """Refuse a format ``strptime`` cannot use here, rather than rejecting every row."""
    directives = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%":
            directive = fmt[i + 1 : i + 2]
            if directive not in STRPTIME_DIRECTIVES:
                shown = f"%{directive}" if directive else "a lone % at the end"
                raise chk.fail(
                    key, f"{fmt!r}: {shown} is not a strptime directive (%Y, %m, %d, %H, …)"
                )
            directives.append(directive)
            i += 2
        else:
            i += 1
    if kind in ("date", "datetime") and not YEAR_DIRECTIVES.intersection(directives):
        raise chk.fail(key, f"{fmt!r} has no year (%Y or %y)")
    try:  # compiles the format as strptime does: "%Y %Y" names one group twice
        datetime.strptime("", fmt)
    except re.error as exc:
        raise chk.fail(key, f"{fmt!r}: a directive is used twice ({exc})") from None
    except ValueError:
        pass  # "" does not match: expected


def _file(chk: _Checker, index: int, data: Any, codes: dict[str, CodeList]) -> FileSpec:
    key = f"files[{index}]"
    data = chk.table(data, key)
    chk.unknown_keys(data, {"name", "pattern", "role", "columns", "join", "feeds"}, key)
    pattern = chk.string(data.get("pattern"), f"{key}.pattern")
    role = data.get("role", "main")
    if role not in ("main", "related"):
        raise chk.fail(f"{key}.role", 'expected "main" or "related"')
    columns_data = chk.table(data.get("columns"), f"{key}.columns")
    if not columns_data:
        raise chk.fail(f"{key}.columns", "a file needs at least one column")
    columns = {
        name: _column(chk, f"{key}.columns.{name}", name, spec, codes)
        for name, spec in columns_data.items()
    }
    join: tuple[str, ...] = ()
    if role == "related":
        join = chk.strings(data.get("join"), f"{key}.join")
        for name in join:
            if name not in columns:
                raise chk.fail(f"{key}.join", f"{name!r} is not a column of this file")
    elif "join" in data:
        raise chk.fail(f"{key}.join", "only related files join the main file")
    feeds = frozenset(chk.strings(data["feeds"], f"{key}.feeds")) if "feeds" in data else None
    name = chk.string(data.get("name", pattern), f"{key}.name")
    return FileSpec(name, pattern, role, columns, join, feeds)


GENERIC_KEYS = {
    "name",
    "title",
    "target",
    "source",
    "encodings",
    "blank_values",
    "files",
    "codes",
    "key",
    "max_open_groups",
}


def parse_mapping(document: dict[str, Any], *, label: str, default_name: str) -> Mapping:
    """Check a parsed TOML document and build the ``Mapping`` (its target configured)."""
    from steadyhand.imports.mapping.targets import TargetConfigError, get_target, target_names

    chk = _Checker(label)
    name = chk.string(document.get("name", default_name), "name")
    target_name = chk.string(document.get("target", "incidents"), "target")
    if target_name not in target_names():
        raise chk.fail(
            "target", f"unknown target {target_name!r}; one of: {', '.join(target_names())}"
        )
    target = get_target(target_name)
    chk.unknown_keys(document, GENERIC_KEYS | set(target.sections), "")
    encodings = tuple(
        e.casefold()
        for e in chk.strings(document.get("encodings", ["utf-8", "cp1252"]), "encodings")
    )
    for enc in encodings:
        if enc not in ENCODINGS:
            raise chk.fail("encodings", f"unsupported encoding {enc!r}; one of: utf-8, cp1252")
    blanks = document.get("blank_values", [""])
    if not isinstance(blanks, list) or not all(isinstance(b, str) for b in blanks):
        raise chk.fail("blank_values", "expected a list of strings")
    codes_data = chk.table(document.get("codes", {}), "codes")
    codes = {n: _code_list(chk, n, d) for n, d in codes_data.items()}
    files_data = document.get("files")
    if not isinstance(files_data, list) or not files_data:
        raise chk.fail("files", "expected at least one [[files]] table")
    files = tuple(_file(chk, i, d, codes) for i, d in enumerate(files_data))
    mains = [f for f in files if f.role == "main"]
    if len(mains) != 1:
        raise chk.fail("files", f'expected exactly one file with role = "main", found {len(mains)}')
    key = chk.strings(document.get("key"), "key")
    for field_name in key:
        if field_name not in mains[0].columns:
            raise chk.fail("key", f"{field_name!r} is not a column of the main file")
    for spec in files:
        if spec.role == "related" and len(spec.join) != len(key):
            raise chk.fail(f"files.{spec.name}.join", f"needs {len(key)} field(s), like key")
    max_open = document.get("max_open_groups", 50_000)
    if not isinstance(max_open, int) or max_open < 1:
        raise chk.fail("max_open_groups", "expected a positive whole number")
    sections = {s: document[s] for s in target.sections if s in document}
    mapping = Mapping(
        name=name,
        title=str(document.get("title", name)),
        target=target_name,
        source=chk.string(document.get("source", f"import:{name}"), "source")[:60],
        path=label,
        encodings=encodings,
        blank_values=frozenset(fold(b) for b in blanks),
        files=files,
        codes=codes,
        key=key,
        max_open_groups=max_open,
        sections=sections,
    )
    try:
        config = target.configure(mapping)
    except TargetConfigError as exc:
        raise chk.fail(exc.key, exc.message) from None
    return Mapping(**{**mapping.__dict__, "config": config})


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A shipped mapping by name (``"seattle"``) or a mapping file by path."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = SHIPPED_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise MappingError(
            f"{name_or_path}: no such mapping; shipped mappings: "
            + ", ".join(shipped_mapping_names())
        )
    return load_mapping_text(
        path.read_text(encoding="utf-8"), label=path.name, default_name=path.stem
    )


def load_mapping_text(text: str, *, label: str, default_name: str) -> Mapping:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{label}: not valid TOML: {exc}") from None
    return parse_mapping(document, label=label, default_name=default_name)


def shipped_mapping_names() -> list[str]:
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.toml"))
