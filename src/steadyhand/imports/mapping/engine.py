"""Running a file set through a mapping: match files, check encodings and headers, stream and
convert rows, group them by the key, build records, report every problem.

``run`` is used twice with the same inputs: to check (``on_record`` None: nothing is kept but
counts and problems) and to load (``on_record`` receives each complete, problem-free record;
the writer batches them). The stored files are the staging area: the check records exactly what
the load will do, and the load re-derives it from the same bytes, streaming.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from steadyhand.imports.mapping.format import ColumnSpec, FileSpec, Mapping
from steadyhand.imports.mapping.grouping import Group, Grouper, ReopenedGroup
from steadyhand.imports.mapping.reader import (
    FileSource,
    Table,
    UndecodableFile,
    UnreadableFile,
    detect_encoding,
    open_table,
)
from steadyhand.imports.mapping.targets import get_target
from steadyhand.imports.mapping.values import (
    DateTimeParser,
    ValueProblem,
    age_band,
    fold,
    parse_bool,
    parse_decimal,
    parse_int,
    parse_time,
    split_values,
)
from steadyhand.imports.roster import RowError

ProgressCallback = Callable[[int, int | None, str], None]
# Problems kept in full on the batch; beyond this only counted (the CLI prints them all).
MAX_STORED_ERRORS = 20_000


class Row:
    """One converted row: typed ``values`` and the ``raw`` cells, by field name."""

    __slots__ = ("feeds", "file", "number", "raw", "values")

    def __init__(
        self,
        file: str,
        number: int,
        values: dict[str, Any],
        raw: dict[str, str],
        feeds: frozenset[str] | None,
    ) -> None:
        self.file = file
        self.number = number
        self.values = values
        self.raw = raw
        self.feeds = feeds

    def feeds_section(self, section: str) -> bool:
        return self.feeds is None or section in self.feeds


@dataclass
class Report:
    mapping: str
    files: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rejected_rows: set[tuple[str, int]] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)
    fatal: bool = False
    peak_open_groups: int = 0

    def add_error(self, error: RowError, on_error: Callable[[RowError], None] | None) -> None:
        self.error_count += 1
        if error.fatal:
            self.fatal = True
        else:
            self.rejected_rows.add((error.file_name, error.row))
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(error)
        if on_error is not None:
            on_error(error)

    def summary(self) -> dict[str, int]:
        out = {"rows": self.counts["rows"]}
        out.update({k: v for k, v in self.counts.items() if k != "rows"})
        out["rejected_rows"] = len(self.rejected_rows)
        out["errors"] = self.error_count
        return out


# What a cell became: (the cell after the column's rewrite, _OK/_BLANK/_BAD, value or reason).
_OK, _BLANK, _BAD = 0, 1, 2
# Distinct cells remembered per column; past this the column's cache starts again (memory stays
# bounded on columns of unique values such as ids).
CACHE_LIMIT = 50_000


class _Converter:
    """Turns the cells of one table's rows into typed values.

    Cells repeat (codes, dates, ids of an officer's many rows): each column remembers what each
    distinct cell became, problem included, so the conversion of a cell runs once per column.
    """

    def __init__(self, mapping: Mapping, table: Table, today: date) -> None:
        self.mapping = mapping
        self.table = table
        self.today = today
        self.name = table.source.name
        self.fields = [
            (name, table.positions[name], table.spec.columns[name], table.header_labels[name])
            for name in table.spec.columns
            if name in table.positions
        ]
        self._columns: list[tuple[str, int, ColumnSpec, str, dict[str, tuple[str, int, Any]]]] = [
            (name, index, column, label, {}) for name, index, column, label in self.fields
        ]
        self.missing = [name for name in table.spec.columns if name not in table.positions]
        self.blanks = mapping.blank_values
        self.blank_len = max((len(b) for b in self.blanks), default=0)
        self._parsers: dict[str, DateTimeParser] = {}

    def convert(self, number: int, cells: list[str]) -> tuple[Row | None, list[RowError]]:
        width = self.table.width
        if len(cells) != width:
            problem = self._width_problem(number, cells)
            if problem is not None:
                return None, [problem]
        values: dict[str, Any] = dict.fromkeys(self.missing)
        raw: dict[str, str] = dict.fromkeys(self.missing, "")
        errors: list[RowError] | None = None
        for name, index, column, label, cache in self._columns:
            source = cells[index]
            outcome = cache.get(source)
            if outcome is None:
                if len(cache) >= CACHE_LIMIT:
                    cache.clear()
                outcome = cache[source] = self._outcome(column, source)
            cell, status, value = outcome
            raw[name] = cell
            if status == _OK:
                values[name] = value.copy() if isinstance(value, list) else value
                continue
            values[name] = None
            if status == _BAD or column.required:
                if errors is None:
                    errors = []
                reason = value if status == _BAD else "a value is required"
                errors.append(RowError(self.name, number, label, cell, reason))
        if errors:
            return None, errors
        return Row(self.name, number, values, raw, self.table.spec.feeds), []

    def _width_problem(self, number: int, cells: list[str]) -> RowError | None:
        width = self.table.width
        if len(cells) < width:
            label = next(
                (
                    lbl
                    for _n, i, _c, lbl in sorted(self.fields, key=lambda f: f[1])
                    if i >= len(cells)
                ),
                "",
            )
            return RowError(
                self.name,
                number,
                label,
                f"{len(cells)} cells",
                f"truncated row: it has {len(cells)} cells but the header has {width} columns",
            )
        if any(c.strip() for c in cells[width:]):
            return RowError(
                self.name,
                number,
                "",
                f"{len(cells)} cells",
                f"the row has {len(cells)} cells but the header has {width} columns; is a "
                "value with a comma missing its quotes?",
            )
        return None

    def _outcome(self, column: ColumnSpec, source: str) -> tuple[str, int, Any]:
        cell = column.cell(source) if column.rewrite is not None else source
        stripped = cell.strip()
        if not stripped or (len(stripped) <= self.blank_len and fold(stripped) in self.blanks):
            return cell, _BLANK, None
        try:
            return cell, _OK, self._value(column, cell)
        except ValueProblem as exc:
            return cell, _BAD, str(exc)

    def _value(self, column: ColumnSpec, cell: str) -> Any:
        kind = column.type
        if kind == "text":
            return cell.strip()
        if kind == "code":
            if column.split:
                codes = [self._code(column, part) for part in split_values(cell, column.split)]
                return [c for c in codes if c != ""] or None
            code = self._code(column, cell)
            return None if code == "" else code  # "" (not False): a value mapped to nothing
        if kind == "int":
            return parse_int(cell)
        if kind == "age_band":
            return age_band(parse_int(cell))
        if kind == "decimal":
            return parse_decimal(cell)
        if kind == "bool":
            return parse_bool(cell, column.true_words, column.false_words)
        if kind == "time":
            return parse_time(cell, column.formats)
        parser = self._parsers.get(column.field)
        if parser is None:
            parser = self._parsers[column.field] = DateTimeParser(column.formats)
        if kind == "date":
            value = parser(cell).date()
            day = value
        else:  # datetime
            value = parser(cell)
            day = value.date()
        if not column.allow_future and day > self.today:
            raise ValueProblem(f"the date is in the future (today is {self.today.isoformat()})")
        if day.year < 1900:
            raise ValueProblem("the date is before 1900")
        return value

    def _code(self, column: ColumnSpec, cell: str) -> str:
        assert column.codes is not None
        codes = self.mapping.codes[column.codes]
        code = codes.lookup(cell)
        if code is None and codes.unknown == "default":
            code = codes.default
        if code is not None:
            if codes.into == "booleans":
                return code == "true"  # type: ignore[return-value]
            return code
        if codes.unknown == "keep":
            return cell.strip()
        known = sorted({k for k in codes.values})
        shown = ", ".join(repr(k) for k in known[:8]) + (" …" if len(known) > 8 else "")
        raise ValueProblem(
            f"unknown value for code list {codes.name!r} (known, ignoring case: {shown})"
        )


def match_files(
    mapping: Mapping, sources: Sequence[FileSource]
) -> tuple[dict[str, list[FileSource]], list[RowError]]:
    """Which file of the mapping each source is; every spec needs at least one file."""
    matched: dict[str, list[FileSource]] = defaultdict(list)
    errors: list[RowError] = []
    for source in sources:
        spec = mapping.file_for(source.name)
        if spec is None:
            patterns = ", ".join(f.pattern for f in mapping.files)
            errors.append(
                RowError(
                    source.name,
                    0,
                    "",
                    "",
                    f"the file name matches none of the mapping's patterns ({patterns})",
                    True,
                )
            )
        else:
            matched[spec.name].append(source)
    for spec in mapping.files:
        if not matched.get(spec.name):
            errors.append(
                RowError(
                    spec.pattern,
                    0,
                    "",
                    "",
                    f"no file matching {spec.pattern!r} was given "
                    f"(the mapping's {spec.role} file {spec.name!r})",
                    True,
                )
            )
    return {k: sorted(v, key=lambda s: s.name) for k, v in matched.items()}, errors


def run(
    mapping: Mapping,
    sources: Sequence[FileSource],
    *,
    context: Any,
    today: date,
    on_record: Callable[[Any], None] | None = None,
    on_error: Callable[[RowError], None] | None = None,
    progress: ProgressCallback | None = None,
) -> Report:
    """Check (and, with ``on_record``, hand over for loading) every record of ``sources``.

    Only records none of whose rows has a problem reach ``on_record``: a record loads whole or
    not at all. After a fatal problem (file, encoding, header, grouping) no record is handed on.
    """
    target = get_target(mapping.target)
    report = Report(mapping=mapping.name)
    matched, errors = match_files(mapping, sources)
    for error in errors:
        report.add_error(error, on_error)
    encodings: dict[str, str] = {}
    for source in (s for group in matched.values() for s in group):
        try:
            encodings[source.name] = detect_encoding(source, mapping.encodings)
        except UndecodableFile as exc:
            report.add_error(
                RowError(
                    source.name,
                    exc.line,
                    "",
                    f"0x{exc.byte:02x}",
                    f"wrong encoding: {exc}; save the file as UTF-8 and import it again",
                    True,
                ),
                on_error,
            )
        except UnreadableFile as exc:
            report.add_error(_unreadable(exc), on_error)
    if report.fatal:
        return report
    specs = {f.name: f for f in mapping.files}
    tables: list[Table] = []
    for spec_name, group in matched.items():
        for source in group:
            table, header_errors = open_table(source, specs[spec_name], encodings[source.name])
            for error in header_errors:
                report.add_error(error, on_error)
            if table is not None:
                tables.append(table)
    try:
        if report.fatal:
            return report
        related = _index_related(
            mapping, [t for t in tables if t.spec.role == "related"], today, report, on_error
        )
        main_tables = [t for t in tables if t.spec.role == "main"]
        total = sum(s.size or 0 for s in (t.source for t in main_tables)) or None
        grouper = Grouper(mapping.max_open_groups)
        handed = 0

        def finish(group: Group) -> None:
            nonlocal handed
            rows = group.rows + related.pop(group.key, [])
            bad = [r for r in rows if isinstance(r, _BadRow)]
            good = [r for r in rows if isinstance(r, Row)]
            if bad:
                report.counts["rejected_records"] += 1
                return
            built = target.build(mapping, group.key, good, context)
            if built.errors:
                for error in built.errors:
                    report.add_error(error, on_error)
                report.counts["rejected_records"] += 1
                return
            target.count(built.record, report.counts, seen)
            report.counts["valid_rows"] += sum(1 for r in group.rows if isinstance(r, Row))
            if on_record is not None and not report.fatal:
                on_record(built.record)
            handed += 1

        seen: dict[str, set[str]] = defaultdict(set)
        done_bytes = 0
        key_fields = mapping.key
        for table in main_tables:
            converter = _Converter(mapping, table, today)
            rows_in_file = 0
            for number, cells in table.records:
                if not cells:  # a blank line
                    continue
                rows_in_file += 1
                row, row_errors = converter.convert(number, cells)
                for error in row_errors:
                    report.add_error(error, on_error)
                key = _key_of(table, cells, key_fields, row)
                item: Row | _BadRow = row if row is not None else _BadRow(table.source.name, number)
                if key is None:
                    if row is not None:
                        report.add_error(
                            RowError(table.source.name, number, "", "", "the key is blank"),
                            on_error,
                        )
                    continue
                try:
                    for closed in grouper.add(key, item):
                        finish(closed)
                except ReopenedGroup as exc:
                    report.add_error(
                        RowError(
                            table.source.name,
                            number,
                            ", ".join(table.header_labels.get(k, k) for k in key_fields),
                            "/".join(key),
                            str(exc),
                            True,
                        ),
                        on_error,
                    )
                    return report
                if progress is not None and rows_in_file % 5000 == 0:
                    # Bytes read so far (of a .gz file: decompressed bytes, so capped at its size).
                    position = table.stream.buffer.tell()  # type: ignore[attr-defined]
                    progress(
                        done_bytes + min(position, table.source.size or position),
                        total,
                        f"{table.source.name}: row {number}",
                    )
            report.counts["rows"] += rows_in_file
            report.files.append(
                {"name": table.source.name, "encoding": table.encoding, "rows": rows_in_file}
            )
            done_bytes += table.source.size or 0
        for closed in grouper.finish():
            finish(closed)
        report.peak_open_groups = grouper.peak_open
        join_labels = {
            t.source.name: ", ".join(t.header_labels.get(k, k) for k in t.spec.join)
            for t in tables
            if t.spec.role == "related"
        }
        for key, rows in related.items():
            for r in rows:
                report.add_error(
                    RowError(
                        r.file,
                        r.number,
                        join_labels.get(r.file, ""),
                        "/".join(key),
                        "no record of the main file has this key",
                    ),
                    on_error,
                )
        if progress is not None:
            progress(total or 0, total, f"Read {report.counts['rows']} rows")
        return report
    except UnreadableFile as exc:
        # The CSV reader gave up part way through a file: fatal, so no record loads (a record
        # whose rows came before the problem may have more rows after it).
        report.add_error(_unreadable(exc), on_error)
        return report
    finally:
        for table in tables:
            table.close()


def _unreadable(exc: UnreadableFile) -> RowError:
    return RowError(exc.file_name, exc.row, "", "", exc.reason, True)


class _BadRow:
    """A row with problems, kept in its group so that the whole record is left out."""

    __slots__ = ("file", "number")

    def __init__(self, file: str, number: int) -> None:
        self.file = file
        self.number = number


def _key_of(
    table: Table, cells: list[str], fields: tuple[str, ...], row: Row | None
) -> tuple[str, ...] | None:
    parts = []
    for name in fields:
        index = table.positions.get(name)
        value = cells[index].strip() if index is not None and index < len(cells) else ""
        column = table.spec.columns[name]
        if value and column.rewrite is not None:
            value = column.cell(value).strip()
        if not value:
            return None
        parts.append(value)
    return tuple(parts)


def _index_related(
    mapping: Mapping, tables: list[Table], today: date, report: Report,
    on_error: Callable[[RowError], None] | None,
) -> dict[tuple[str, ...], list[Any]]:  # fmt: skip
    """Related files are read whole into an index by key (they are the smaller files: one row
    per officer, subject, weapon, … of a record); the main file streams past them."""
    index: dict[tuple[str, ...], list[Any]] = defaultdict(list)
    for table in tables:
        converter = _Converter(mapping, table, today)
        count = 0
        for number, cells in table.records:
            if not cells:
                continue
            count += 1
            row, row_errors = converter.convert(number, cells)
            for error in row_errors:
                report.add_error(error, on_error)
            key = _key_of(table, cells, table.spec.join, row)
            if key is None:
                continue
            index[key].append(row if row is not None else _BadRow(table.source.name, number))
        report.counts["related_rows"] += count
        report.files.append({"name": table.source.name, "encoding": table.encoding, "rows": count})
    return index


def iter_problems(report: Report) -> Iterator[str]:
    for error in report.errors:
        yield str(error)


def spec_of(mapping: Mapping, name: str) -> FileSpec:
    return next(f for f in mapping.files if f.name == name)
