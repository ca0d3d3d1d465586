"""Read and check a member roster CSV. Pure: no database, no Django, no writes.

The caller passes what the database knows (``RosterContext``: ranks, statuses, units, existing
members, today's date) and gets back a ``RosterReport``: the rows that can be loaded, what
loading each would do (create a member, update one, or change nothing), and every problem
found. Each problem names the file, the row as a spreadsheet numbers it (the header is row 1),
the column, the value and the reason, so a records clerk can fix the file without guessing.

The format is documented for users in ``docs/importing-roster.md``.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

COLUMNS = (
    "badge",
    "first_name",
    "last_name",
    "rank",
    "unit_code",
    "supervisor_badge",
    "hire_date",
    "status",
)
REQUIRED_COLUMNS = COLUMNS[:-1]
REQUIRED_VALUES = ("badge", "first_name", "last_name", "rank", "unit_code", "hire_date")
MAX_LENGTHS = {"badge": 20, "first_name": 80, "last_name": 80}
ENCODINGS = ("utf-8-sig", "cp1252")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEADER_SPACE = re.compile(r"[\s\-]+")

ProgressCallback = Callable[[int, int | None, str], None]

# About 100,000 rows; a larger roster is split into several files.
MAX_FILE_BYTES = 10 * 1024 * 1024


def file_size_problem(size: int) -> str:
    """Why a file of ``size`` bytes cannot be imported, or "" if it can."""
    if size == 0:
        return "The file is empty. Choose the roster CSV file again."
    if size > MAX_FILE_BYTES:
        return (
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split the roster into several files and "
            "import them one after another."
        )
    return ""


class RowAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"

    @property
    def label(self) -> str:
        return {"create": "New member", "update": "Update", "unchanged": "No change"}[self.value]


@dataclass(frozen=True)
class RowError:
    """One problem: where it is (file, row, column), what was there, and why it is wrong.

    ``row`` counts like a spreadsheet: the header is row 1, the first member is row 2. A problem
    with the whole file (its encoding, a missing column) is reported on the row it was found on
    with ``fatal`` set: no row of such a file can be loaded.
    """

    file_name: str
    row: int
    column: str
    value: str
    reason: str
    fatal: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RowError":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def __str__(self) -> str:
        where = f"{self.file_name}:{self.row}:{self.column or '-'}"
        shown = f" (value: {self.value!r})" if self.value else ""
        return f"{where}: {self.reason}{shown}"


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    # May the importing actor add or change members in this unit (``member.manage``)?
    manageable: bool = True


@dataclass(frozen=True)
class ExistingMember:
    id: int
    version: int
    badge: str
    first_name: str
    last_name: str
    rank: str
    unit_code: str
    supervisor_badge: str
    hire_date: date
    status: str
    manageable: bool = True


@dataclass(frozen=True)
class RosterContext:
    """What the database says, read once before checking a file."""

    ranks: Mapping[str, str]  # value -> label, e.g. "sergeant" -> "Sergeant"
    statuses: Mapping[str, str]
    units: Mapping[str, UnitRef]  # by code
    existing: Mapping[str, ExistingMember]  # by badge
    today: date
    default_status: str = "active"


@dataclass(frozen=True)
class RosterRow:
    """A row that can be loaded, with typed values and what loading it would do.

    ``status`` is empty when the file leaves it blank: a new member is then active and an
    existing member keeps their current status.
    """

    row: int
    badge: str
    first_name: str
    last_name: str
    rank: str
    unit_code: str
    supervisor_badge: str
    hire_date: date
    status: str
    action: RowAction
    member_id: int | None = None
    version: int | None = None

    def plan_entry(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "badge": self.badge,
            "name": f"{self.first_name} {self.last_name}",
            "action": str(self.action),
            "member_id": self.member_id,
            "version": self.version,
        }


@dataclass(frozen=True)
class RosterReport:
    file_name: str
    encoding: str
    row_count: int
    rows: tuple[RosterRow, ...]
    errors: tuple[RowError, ...]

    @property
    def fatal(self) -> bool:
        return any(e.fatal for e in self.errors)

    @property
    def error_rows(self) -> frozenset[int]:
        return frozenset(e.row for e in self.errors if not e.fatal)

    @property
    def counts(self) -> dict[str, int]:
        actions = [r.action for r in self.rows]
        return {
            "rows": self.row_count,
            "valid_rows": len(self.rows),
            "error_rows": self.row_count - len(self.rows),
            "errors": len(self.errors),
            "create": actions.count(RowAction.CREATE),
            "update": actions.count(RowAction.UPDATE),
            "unchanged": actions.count(RowAction.UNCHANGED),
        }


class UndecodableFile(ValueError):
    def __init__(self, line: int, byte: int) -> None:
        self.line = line
        self.byte = byte
        super().__init__(f"byte 0x{byte:02x} on line {line} is neither UTF-8 nor Windows-1252")


def decode(content: bytes) -> tuple[str, str]:
    """The file's text and the encoding that read it: UTF-8 (a BOM is dropped), else cp1252.

    Spreadsheets on Windows save "CSV" as cp1252 and "CSV UTF-8" with a BOM; both are common in
    records offices. A file that is neither raises ``UndecodableFile`` naming the line.
    """
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise UndecodableFile(line, content[exc.start]) from None


def normalise_header(name: str) -> str:
    """``" First Name "`` and ``"first-name"`` both mean ``first_name``."""
    return _HEADER_SPACE.sub("_", name.strip().lower())


def iter_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(row, cells)`` for every CSV record, numbered as a spreadsheet numbers rows.

    A quoted value may span lines; a spreadsheet still shows it as one row, so rows count
    records, not lines. Raises ``csv.Error`` for text that is not CSV.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    yield from enumerate(reader, start=1)


def count_records(text: str) -> int | None:
    try:
        return sum(1 for _ in iter_records(text))
    except csv.Error:
        return None


@dataclass
class _Draft:
    """A row being checked; typed values are filled in as each check passes."""

    row: int
    values: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    rank: str = ""
    status: str = ""
    hire_date: date | None = None
    existing: ExistingMember | None = None

    @property
    def badge(self) -> str:
        return self.values["badge"]

    @property
    def supervisor(self) -> str:
        return self.values["supervisor_badge"]


class _Checker:
    def __init__(self, file_name: str, context: RosterContext) -> None:
        self.file_name = file_name
        self.ctx = context
        self._ranks = _lookup(context.ranks)
        self._statuses = _lookup(context.statuses)
        self._units_folded: dict[str, list[UnitRef]] = defaultdict(list)
        for unit in context.units.values():
            self._units_folded[unit.code.casefold()].append(unit)

    def error(
        self, row: int, column: str, value: str, reason: str, *, fatal: bool = False
    ) -> RowError:
        return RowError(self.file_name, row, column, value, reason, fatal)

    # -- the header ------------------------------------------------------------------------

    def header(self, cells: Sequence[str]) -> tuple[dict[str, int], set[int], list[RowError]]:
        """Map column name -> position; also the positions with blank headers."""
        positions: dict[str, int] = {}
        blank: set[int] = set()
        errors: list[RowError] = []
        for index, raw in enumerate(cells):
            name = normalise_header(raw)
            if not name:
                blank.add(index)
            elif name not in COLUMNS:
                errors.append(
                    self.error(
                        1,
                        raw.strip(),
                        raw.strip(),
                        "unknown column; the columns are: "
                        f"{', '.join(COLUMNS)}. Rename or remove it.",
                        fatal=True,
                    )
                )
            elif name in positions:
                errors.append(
                    self.error(
                        1,
                        name,
                        raw.strip(),
                        f"the column appears twice (columns "
                        f"{_letter(positions[name])} and {_letter(index)})",
                        fatal=True,
                    )
                )
            else:
                positions[name] = index
        for name in REQUIRED_COLUMNS:
            if name not in positions:
                errors.append(self.error(1, name, "", "required column is missing", fatal=True))
        return positions, blank, errors

    # -- one row on its own ----------------------------------------------------------------

    def row(
        self,
        row: int,
        cells: Sequence[str],
        positions: Mapping[str, int],
        blank: set[int],
        width: int,
    ) -> _Draft:
        # A short row (trailing empty cells dropped by some spreadsheets) reads as blanks.
        values = {name: "" for name in COLUMNS}
        for name, index in positions.items():
            if index < len(cells):
                values[name] = cells[index].strip()
        draft = _Draft(row=row, values=values)
        add = draft.errors.append
        for column, value, reason in cell_shape_problems(cells, blank, width):
            add(self.error(row, column, value, reason))
        for name in REQUIRED_VALUES:
            if not values[name]:
                add(self.error(row, name, "", "required value is missing"))
        for name, limit in MAX_LENGTHS.items():
            if len(values[name]) > limit:
                add(self.error(row, name, values[name], f"too long: at most {limit} characters"))
        self._check_choices(draft)
        self._check_unit(draft)
        self._check_hire_date(draft)
        self._check_existing(draft)
        if draft.badge and draft.supervisor == draft.badge:
            add(
                self.error(
                    row,
                    "supervisor_badge",
                    draft.supervisor,
                    "a member cannot be their own supervisor",
                )
            )
        return draft

    def _check_choices(self, draft: _Draft) -> None:
        rank = draft.values["rank"]
        if rank:
            draft.rank = self._ranks.get(rank.casefold(), "")
            if not draft.rank:
                draft.errors.append(
                    self.error(
                        draft.row,
                        "rank",
                        rank,
                        f"unknown rank; allowed values: {', '.join(self.ctx.ranks)}",
                    )
                )
        status = draft.values["status"]
        if status:
            draft.status = self._statuses.get(status.casefold(), "")
            if not draft.status:
                draft.errors.append(
                    self.error(
                        draft.row,
                        "status",
                        status,
                        "unknown status; allowed values: "
                        f"{', '.join(self.ctx.statuses)} (or leave it "
                        "empty)",
                    )
                )

    def _unit(self, code: str) -> UnitRef | None:
        exact = self.ctx.units.get(code)
        if exact is not None:
            return exact
        folded = self._units_folded.get(code.casefold(), [])
        return folded[0] if len(folded) == 1 else None

    def _check_unit(self, draft: _Draft) -> None:
        code = draft.values["unit_code"]
        if not code:
            return
        unit = self._unit(code)
        if unit is None:
            draft.errors.append(
                self.error(
                    draft.row,
                    "unit_code",
                    code,
                    "unknown unit code; no unit of the agency has this "
                    "code (the Units page lists them)",
                )
            )
        elif not unit.manageable:
            draft.errors.append(
                self.error(
                    draft.row,
                    "unit_code",
                    code,
                    f"you may not add or change members in “{unit.name}”"
                    " (it is outside the units of your role)",
                )
            )
        else:
            draft.values["unit_code"] = unit.code

    def _check_hire_date(self, draft: _Draft) -> None:
        raw = draft.values["hire_date"]
        if not raw:
            return
        parsed: date | None = None
        if _DATE.match(raw):
            try:
                parsed = date.fromisoformat(raw)
            except ValueError:
                draft.errors.append(
                    self.error(draft.row, "hire_date", raw, "no such date in the calendar")
                )
                return
        if parsed is None:
            draft.errors.append(
                self.error(
                    draft.row, "hire_date", raw, "not a date in YYYY-MM-DD form, e.g. 2019-07-01"
                )
            )
        elif parsed > self.ctx.today:
            draft.errors.append(
                self.error(
                    draft.row,
                    "hire_date",
                    raw,
                    f"hire date is in the future (today is {self.ctx.today.isoformat()})",
                )
            )
        else:
            draft.hire_date = parsed

    def _check_existing(self, draft: _Draft) -> None:
        draft.existing = self.ctx.existing.get(draft.badge) if draft.badge else None
        if draft.existing is not None and not draft.existing.manageable:
            draft.errors.append(
                self.error(
                    draft.row,
                    "badge",
                    draft.badge,
                    "this badge belongs to an existing member in a unit "
                    "you may not manage, so the row cannot update them",
                )
            )

    # -- rows against each other -----------------------------------------------------------

    def across_rows(self, drafts: list[_Draft]) -> None:
        by_badge: dict[str, list[_Draft]] = defaultdict(list)
        for d in drafts:
            if d.badge:
                by_badge[d.badge].append(d)
        for badge, group in by_badge.items():
            if len(group) < 2:
                continue
            for d in group:
                others = ", ".join(str(o.row) for o in group if o is not d)
                d.errors.append(
                    self.error(
                        d.row,
                        "badge",
                        badge,
                        f"duplicate badge: it also appears on row {others}; "
                        "each member may appear only once",
                    )
                )
        for d in drafts:
            sup = d.supervisor
            if sup and sup != d.badge and sup not in by_badge and sup not in self.ctx.existing:
                d.errors.append(
                    self.error(
                        d.row,
                        "supervisor_badge",
                        sup,
                        "unknown supervisor badge: no existing member has it "
                        "and no row of this file has it",
                    )
                )
        self._cycles(drafts, by_badge)
        self._cascade(drafts, by_badge)

    def _cycles(self, drafts: list[_Draft], by_badge: Mapping[str, list[_Draft]]) -> None:
        """Find supervisor loops in the chain as it would be after loading.

        Every member has at most one supervisor, so the chain is a graph with one edge per
        node: walking up from each badge and marking the walk finds each loop once, in linear
        time, however long the chains are.
        """
        sup_of = {b: m.supervisor_badge for b, m in self.ctx.existing.items() if m.supervisor_badge}
        for badge, group in by_badge.items():
            sup_of.pop(badge, None)
            if group[0].supervisor:
                sup_of[badge] = group[0].supervisor
        state: dict[str, int] = {}  # 1: on the current walk, 2: done
        for start in by_badge:
            walk: list[str] = []
            node: str | None = start
            while node is not None and node not in state:
                state[node] = 1
                walk.append(node)
                node = sup_of.get(node)
            if node is not None and state[node] == 1:
                loop = walk[walk.index(node) :]
                if len(loop) > 1:  # a member naming themselves is reported on its own
                    shown = " → ".join([*loop, loop[0]])
                    for badge in loop:
                        for d in by_badge.get(badge, []):
                            d.errors.append(
                                self.error(
                                    d.row,
                                    "supervisor_badge",
                                    d.supervisor,
                                    f"supervisor cycle: {shown}; a member cannot supervise "
                                    "themselves, directly or through others",
                                )
                            )
            for badge in walk:
                state[badge] = 2

    def _cascade(self, drafts: list[_Draft], by_badge: Mapping[str, list[_Draft]]) -> None:
        """A row whose supervisor is new in this file needs that row loaded first."""
        reports: dict[str, list[_Draft]] = defaultdict(list)
        for d in drafts:
            if d.supervisor and d.supervisor not in self.ctx.existing:
                reports[d.supervisor].append(d)
        pending = [d for d in drafts if d.errors]
        while pending:
            bad = pending.pop()
            for d in reports.get(bad.badge, []):
                if not d.errors:
                    rows = ", ".join(str(s.row) for s in by_badge[bad.badge])
                    d.errors.append(
                        self.error(
                            d.row,
                            "supervisor_badge",
                            d.supervisor,
                            f"the supervisor's own row (row {rows}) has "
                            "errors, so this row cannot be loaded without it",
                        )
                    )
                    pending.append(d)

    # -- the outcome -----------------------------------------------------------------------

    def finish(self, draft: _Draft) -> RosterRow:
        v = draft.values
        if draft.errors or draft.hire_date is None:
            raise ValueError(f"row {draft.row} has errors and cannot be loaded")
        existing = draft.existing
        action = RowAction.CREATE
        if existing is not None:
            same = (
                existing.first_name == v["first_name"]
                and existing.last_name == v["last_name"]
                and existing.rank == draft.rank
                and existing.unit_code == v["unit_code"]
                and existing.supervisor_badge == v["supervisor_badge"]
                and existing.hire_date == draft.hire_date
                and (not draft.status or existing.status == draft.status)
            )
            action = RowAction.UNCHANGED if same else RowAction.UPDATE
        return RosterRow(
            row=draft.row,
            badge=draft.badge,
            first_name=v["first_name"],
            last_name=v["last_name"],
            rank=draft.rank,
            unit_code=v["unit_code"],
            supervisor_badge=v["supervisor_badge"],
            hire_date=draft.hire_date,
            status=draft.status,
            action=action,
            member_id=existing.id if existing else None,
            version=existing.version if existing else None,
        )


def _lookup(choices: Mapping[str, str]) -> dict[str, str]:
    """Accept a choice by its value or its label, in any case: "Sergeant", "SERGEANT"."""
    found = {label.casefold(): value for value, label in choices.items()}
    found.update({value.casefold(): value for value in choices})
    return found


def cell_shape_problems(
    cells: Sequence[str], blank: set[int], width: int
) -> list[tuple[str, str, str]]:
    """(column, value, reason) for a row that does not fit its header: more cells than header
    columns (often a value with a comma but no quotes), or a value under a blank header."""
    problems = []
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        problems.append((
            "",
            f"{len(cells)} cells",
            f"the row has {len(cells)} cells but the header has {width} columns; is a value "
            "with a comma missing its quotes?",
        ))  # fmt: skip
    for index in sorted(blank):
        if index < len(cells) and cells[index].strip():
            problems.append((
                f"column {_letter(index)}",
                cells[index].strip(),
                "a value in a column without a header; add the header or remove the value",
            ))  # fmt: skip
    return problems


def _letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _sort_key(error: RowError) -> tuple[int, int, str]:
    column = COLUMNS.index(error.column) + 1 if error.column in COLUMNS else 0
    return (error.row, column, error.reason)


def validate_roster(
    *,
    file_name: str,
    content: bytes,
    context: RosterContext,
    progress: ProgressCallback | None = None,
) -> RosterReport:
    """Check every row of ``content`` and say what loading it would do. Writes nothing."""
    checker = _Checker(file_name, context)

    def fatal(errors: list[RowError], encoding: str = "", rows: int = 0) -> RosterReport:
        return RosterReport(file_name, encoding, rows, (), tuple(sorted(errors, key=_sort_key)))

    try:
        text, encoding = decode(content)
    except UndecodableFile as exc:
        return fatal(
            [
                checker.error(
                    exc.line,
                    "",
                    f"0x{exc.byte:02x}",
                    "the file is neither UTF-8 nor Windows-1252 text; save it from the spreadsheet "
                    "as “CSV UTF-8” and upload it again",
                    fatal=True,
                )
            ]
        )
    total = count_records(text)
    data_total = total - 1 if total else None
    records = iter_records(text)
    drafts: list[_Draft] = []
    done = 0
    try:
        header = next(records, None)
        if header is None or not any(c.strip() for c in header[1]):
            return fatal(
                [
                    checker.error(
                        1,
                        "",
                        "",
                        "the file is empty; the first row must be "
                        f"the header: {', '.join(COLUMNS)}",
                        fatal=True,
                    )
                ],
                encoding,
            )
        positions, blank, header_errors = checker.header(header[1])
        if header_errors:
            return fatal(header_errors, encoding, data_total or 0)
        width = len(header[1])
        for row, cells in records:
            done += 1
            if any(c.strip() for c in cells):
                drafts.append(checker.row(row, cells, positions, blank, width))
            if progress is not None:
                progress(done, data_total, f"Checked row {row}")
    except csv.Error as exc:
        return fatal(
            [checker.error(done + 2, "", "", f"the file is not valid CSV here: {exc}", fatal=True)],
            encoding,
            len(drafts),
        )
    if not drafts:
        return fatal(
            [checker.error(2, "", "", "the file has a header but no member rows", fatal=True)],
            encoding,
        )
    checker.across_rows(drafts)
    errors = sorted((e for d in drafts for e in d.errors), key=_sort_key)
    rows = tuple(checker.finish(d) for d in drafts if not d.errors)
    if progress is not None:
        progress(done, done, f"Checked {len(drafts)} rows: {len(errors)} problems found")
    return RosterReport(file_name, encoding, len(drafts), rows, tuple(errors))


def load_order(rows: Sequence[RosterRow]) -> list[RosterRow]:
    """``rows`` with every supervisor before the members they supervise (file order otherwise).

    Loading in this order means each member's supervisor already holds their final values when
    the member is written, so the service's own loop check sees the chain as it will end up.
    """
    by_badge = {r.badge: r for r in rows}
    placed: set[str] = set()
    ordered: list[RosterRow] = []
    for row in rows:
        stack: list[RosterRow] = []
        on_stack: set[str] = set()
        node: RosterRow | None = row
        while node is not None and node.badge not in placed:
            if node.badge in on_stack:
                raise ValueError(f"supervisor cycle through badge {node.badge}")
            stack.append(node)
            on_stack.add(node.badge)
            node = by_badge.get(node.supervisor_badge)
        for pending in reversed(stack):
            placed.add(pending.badge)
            ordered.append(pending)
    return ordered
