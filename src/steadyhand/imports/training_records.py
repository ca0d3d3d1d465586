"""Read and check a training-records CSV. Pure: no database, no Django, no writes.

Two layouts are understood:

* ``standard`` — Steadyhand's own: ``badge, course_code, completed_on[, hours][, score]``, one
  completed course per row.
* ``cit40`` — the Chicago Police Department's list of officers certified in the 40-hour
  Crisis Intervention Team course (``CIT_40HR_Certified.csv``): ``star_badge`` (the star, i.e.
  badge, number), ``session_end_date`` (``YYYY-MM-DD HH:MM``), ``date_of_appointment``, ``gender``
  and two spreadsheet serial-date columns. Every row is a completion of the one course the
  importer chooses (e.g. "CIT-40"); gender and the serial dates are not used.

Like the roster check (``imports.roster``, whose building blocks this module shares) the caller
passes what the database knows (``TrainingContext``) and gets a ``TrainingReport``: the rows
that would be recorded, the rows skipped because the completion is already recorded, and every
problem, each naming the file, the spreadsheet row, the column, the value and the reason. A row
whose badge matches no member is such a problem: it is reported, never dropped silently.

The formats are documented for users in ``docs/importing-training.md``.
"""

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from steadyhand.imports.roster import (
    MAX_FILE_BYTES,
    ProgressCallback,
    RowError,
    UndecodableFile,
    _letter,
    cell_shape_problems,
    count_records,
    decode,
    iter_records,
    normalise_header,
)

NO_MEMBER = "no member with this badge"
MAX_HOURS = Decimal("999.99")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})$")
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


class FileFormat(StrEnum):
    STANDARD = "standard"
    CIT40 = "cit40"

    @property
    def label(self) -> str:
        return LAYOUTS[self].label


FORMAT_NAMES: tuple[str, ...] = tuple(f.value for f in FileFormat)


@dataclass(frozen=True)
class Layout:
    """Where a format keeps each value, and which of its columns are read at all."""

    label: str
    columns: tuple[str, ...]  # every column the format may have
    required: tuple[str, ...]  # columns that must be present
    badge: str
    completed_on: str
    course_code: str = ""  # "" when the importer chooses one course for the whole file
    hours: str = ""
    score: str = ""
    appointed_on: str = ""  # checked against the member's hire date when present
    accepts_time: bool = False  # the date column may carry a time of day, which is dropped


LAYOUTS: dict[FileFormat, Layout] = {
    FileFormat.STANDARD: Layout(
        label="Steadyhand training records (badge, course_code, completed_on, hours, score)",
        columns=("badge", "course_code", "completed_on", "hours", "score"),
        required=("badge", "course_code", "completed_on"),
        badge="badge",
        completed_on="completed_on",
        course_code="course_code",
        hours="hours",
        score="score",
    ),
    FileFormat.CIT40: Layout(
        label="Chicago CIT 40-hour certification list (star_badge, session_end_date, …)",
        columns=(
            "star_badge",
            "date_of_appointment",
            "gender",
            "session_end_date",
            "date_of_appointment_excel_serial",
            "session_end_date_excel_serial",
        ),
        required=("star_badge", "session_end_date"),
        badge="star_badge",
        completed_on="session_end_date",
        appointed_on="date_of_appointment",
        accepts_time=True,
    ),
}


def file_size_problem(size: int) -> str:
    """Why a file of ``size`` bytes cannot be imported, or "" if it can."""
    if size == 0:
        return "The file is empty. Choose the training-records CSV file again."
    if size > MAX_FILE_BYTES:
        return (
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into several files and import them "
            "one after another."
        )
    return ""


@dataclass(frozen=True)
class MemberRef:
    id: int
    badge: str
    hire_date: date | None = None


@dataclass(frozen=True)
class CourseRef:
    id: int
    code: str
    hours: Decimal  # the course's total, credited when the file gives no hours


@dataclass(frozen=True)
class TrainingContext:
    """What the database says, read once before checking a file."""

    members: Mapping[str, MemberRef]  # by badge
    courses: Mapping[str, CourseRef]  # by code
    # Completions already recorded, as (member id, course id, completion date).
    recorded: frozenset[tuple[int, int, date]]
    today: date
    # The course every row is a completion of (cit40), or the one used when a standard file's
    # course_code cell is empty; "" for none.
    course_code: str = ""


class RowAction(StrEnum):
    RECORD = "record"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class TrainingRow:
    """A row without problems: a completion to record, or one already recorded (skipped)."""

    row: int
    badge: str
    member_id: int
    course_id: int
    course_code: str
    completed_on: date
    hours: Decimal | None
    score: Decimal | None
    action: RowAction = RowAction.RECORD
    note: str = ""  # why a duplicate is skipped

    def plan_entry(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "badge": self.badge,
            "member_id": self.member_id,
            "course_id": self.course_id,
            "course_code": self.course_code,
            "completed_on": self.completed_on.isoformat(),
            "hours": None if self.hours is None else str(self.hours),
            "score": None if self.score is None else str(self.score),
            "action": str(self.action),
            "note": self.note,
        }


@dataclass(frozen=True)
class TrainingReport:
    file_name: str
    file_format: FileFormat
    encoding: str
    row_count: int
    rows: tuple[TrainingRow, ...]  # to record
    duplicates: tuple[TrainingRow, ...]  # already recorded: skipped
    errors: tuple[RowError, ...]

    @property
    def fatal(self) -> bool:
        return any(e.fatal for e in self.errors)

    @property
    def unmatched_rows(self) -> int:
        return len({e.row for e in self.errors if e.reason == NO_MEMBER})

    @property
    def counts(self) -> dict[str, int]:
        error_rows = len({e.row for e in self.errors if not e.fatal})
        return {
            "rows": self.row_count,
            "valid_rows": len(self.rows),
            "error_rows": error_rows,
            "errors": len(self.errors),
            "duplicates": len(self.duplicates),
            "matched": 0 if self.fatal else self.row_count - self.unmatched_rows,
            "unmatched": self.unmatched_rows,
        }


def unmatched_count(errors: Sequence[RowError]) -> int:
    """Rows whose badge matched no member, among stored problems."""
    return len({e.row for e in errors if e.reason == NO_MEMBER})


@dataclass
class _Draft:
    row: int
    values: dict[str, str]
    errors: list[RowError] = field(default_factory=list)


class _Checker:
    def __init__(self, file_name: str, file_format: FileFormat, context: TrainingContext) -> None:
        self.file_name = file_name
        self.layout = LAYOUTS[file_format]
        self.ctx = context
        # Badges compared without leading zeros too ("04568" and "4568"), when that is unique.
        self._unpadded: dict[str, list[MemberRef]] = {}
        for member in context.members.values():
            self._unpadded.setdefault(member.badge.lstrip("0"), []).append(member)
        self._seen: dict[tuple[int, int, date], int] = {}

    def error(
        self, row: int, column: str, value: str, reason: str, *, fatal: bool = False
    ) -> RowError:
        return RowError(self.file_name, row, column, value, reason, fatal)

    # -- the header ------------------------------------------------------------------------

    def header(self, cells: Sequence[str]) -> tuple[dict[str, int], set[int], list[RowError]]:
        layout = self.layout
        positions: dict[str, int] = {}
        blank: set[int] = set()
        errors: list[RowError] = []
        for index, raw in enumerate(cells):
            name = normalise_header(raw)
            if not name:
                blank.add(index)
            elif name not in layout.columns:
                errors.append(
                    self.error(
                        1,
                        raw.strip(),
                        raw.strip(),
                        f"unknown column for the {self.layout.label.split(' (')[0]} format; its "
                        f"columns are: {', '.join(layout.columns)}. Is this the right format?",
                        fatal=True,
                    )
                )
            elif name in positions:
                errors.append(
                    self.error(
                        1,
                        name,
                        raw.strip(),
                        f"the column appears twice (columns {_letter(positions[name])} and "
                        f"{_letter(index)})",
                        fatal=True,
                    )
                )
            else:
                positions[name] = index
        for name in layout.required:
            if name == layout.course_code and self.ctx.course_code:
                continue  # the chosen course stands in for a missing column
            if name not in positions:
                errors.append(self.error(1, name, "", "required column is missing", fatal=True))
        if not layout.course_code and not self.ctx.course_code:
            errors.append(
                self.error(
                    1,
                    "",
                    "",
                    "choose the course these records are completions of (e.g. CIT-40)",
                    fatal=True,
                )
            )
        elif self.ctx.course_code and self.ctx.course_code not in self.ctx.courses:
            errors.append(
                self.error(
                    1,
                    "",
                    self.ctx.course_code,
                    "the chosen course is not in the agency's catalogue",
                    fatal=True,
                )
            )
        return positions, blank, errors

    # -- one row ---------------------------------------------------------------------------

    def row(
        self,
        row: int,
        cells: Sequence[str],
        positions: Mapping[str, int],
        blank: set[int],
        width: int,
    ) -> tuple[_Draft, TrainingRow | None]:
        values = {name: "" for name in self.layout.columns}
        for name, index in positions.items():
            if index < len(cells):
                values[name] = cells[index].strip()
        draft = _Draft(row=row, values=values)
        add = draft.errors.append
        for column, value, reason in cell_shape_problems(cells, blank, width):
            add(self.error(row, column, value, reason))
        member = self._member(draft)
        course = self._course(draft)
        completed_on = self._date(draft)
        hours = self._decimal(draft, self.layout.hours, Decimal("0.01"), MAX_HOURS, "hours")
        score = self._decimal(draft, self.layout.score, Decimal("0"), Decimal("100"), "score")
        if member is not None:
            self._appointment(draft, member)
        if draft.errors or member is None or course is None or completed_on is None:
            return draft, None
        key = (member.id, course.id, completed_on)
        action, note = RowAction.RECORD, ""
        if key in self.ctx.recorded:
            action, note = RowAction.DUPLICATE, "already recorded"
        elif key in self._seen:
            action, note = RowAction.DUPLICATE, f"the same completion is on row {self._seen[key]}"
        else:
            self._seen[key] = row
        return draft, TrainingRow(
            row=row,
            badge=member.badge,
            member_id=member.id,
            course_id=course.id,
            course_code=course.code,
            completed_on=completed_on,
            hours=hours,
            score=score,
            action=action,
            note=note,
        )

    def _member(self, draft: _Draft) -> MemberRef | None:
        column = self.layout.badge
        badge = draft.values[column].lstrip("#").strip()
        if not badge:
            draft.errors.append(self.error(draft.row, column, "", "required value is missing"))
            return None
        member = self.ctx.members.get(badge)
        if member is None:
            candidates = self._unpadded.get(badge.lstrip("0"), [])
            member = candidates[0] if len(candidates) == 1 else None
        if member is None:
            draft.errors.append(self.error(draft.row, column, badge, NO_MEMBER))
        return member

    def _course(self, draft: _Draft) -> CourseRef | None:
        column = self.layout.course_code
        code = draft.values[column] if column else ""
        if not code:
            code = self.ctx.course_code
            if not code:
                draft.errors.append(
                    self.error(
                        draft.row,
                        column,
                        "",
                        "required value is missing (or choose a course for the whole file)",
                    )
                )
                return None
        course = self.ctx.courses.get(code)
        if course is None:
            folded = [c for c in self.ctx.courses.values() if c.code.casefold() == code.casefold()]
            course = folded[0] if len(folded) == 1 else None
        if course is None:
            draft.errors.append(
                self.error(
                    draft.row,
                    column,
                    code,
                    "unknown course code; no course of the agency's catalogue has this code",
                )
            )
        return course

    def _parse_date(self, draft: _Draft, column: str, *, with_time: bool) -> date | None:
        raw = draft.values[column]
        match = (_DATE_TIME if with_time else _DATE).match(raw)
        if match is None:
            example = "2016-07-22 16:00" if with_time else "2016-07-22"
            draft.errors.append(
                self.error(draft.row, column, raw, f"not a date in YYYY-MM-DD form, e.g. {example}")
            )
            return None
        try:
            return date.fromisoformat(match.group(1))
        except ValueError:
            draft.errors.append(self.error(draft.row, column, raw, "no such date in the calendar"))
            return None

    def _date(self, draft: _Draft) -> date | None:
        column = self.layout.completed_on
        if not draft.values[column]:
            draft.errors.append(self.error(draft.row, column, "", "required value is missing"))
            return None
        parsed = self._parse_date(draft, column, with_time=self.layout.accepts_time)
        if parsed is not None and parsed > self.ctx.today:
            draft.errors.append(
                self.error(
                    draft.row,
                    column,
                    draft.values[column],
                    f"the completion date is in the future (today is {self.ctx.today.isoformat()})",
                )
            )
            return None
        return parsed

    def _decimal(
        self, draft: _Draft, column: str, low: Decimal, high: Decimal, what: str
    ) -> Decimal | None:
        raw = draft.values[column] if column else ""
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            draft.errors.append(self.error(draft.row, column, raw, f"the {what} is not a number"))
            return None
        if not (low <= value <= high) or value != value.quantize(Decimal("0.01")):
            draft.errors.append(
                self.error(
                    draft.row,
                    column,
                    raw,
                    f"the {what} must be between {low} and {high}, with at most two decimals",
                )
            )
            return None
        return value

    def _appointment(self, draft: _Draft, member: MemberRef) -> None:
        """A star number passes to another officer when its holder leaves. If the file's
        appointment date is not the matched member's hire date, the row is probably about
        someone else who held the same star: crediting it to this member would be wrong."""
        column = self.layout.appointed_on
        if not column or not draft.values[column] or member.hire_date is None:
            return
        appointed = self._parse_date(draft, column, with_time=False)
        if appointed is not None and appointed != member.hire_date:
            draft.errors.append(
                self.error(
                    draft.row,
                    column,
                    draft.values[column],
                    f"the member with badge {member.badge} was hired on "
                    f"{member.hire_date.isoformat()}, not on this date; the badge may have "
                    "belonged to another officer. Check whom this row is about",
                )
            )


def _sort_key(columns: Sequence[str]) -> Any:
    def key(error: RowError) -> tuple[int, int, str]:
        column = columns.index(error.column) + 1 if error.column in columns else 0
        return (error.row, column, error.reason)

    return key


def validate_training(
    *,
    file_name: str,
    content: bytes,
    file_format: FileFormat | str,
    context: TrainingContext,
    progress: ProgressCallback | None = None,
) -> TrainingReport:
    """Check every row of ``content`` and say what loading it would record. Writes nothing."""
    file_format = FileFormat(file_format)
    checker = _Checker(file_name, file_format, context)
    sort_key = _sort_key(LAYOUTS[file_format].columns)

    def fatal(errors: list[RowError], encoding: str = "", rows: int = 0) -> TrainingReport:
        return TrainingReport(
            file_name, file_format, encoding, rows, (), (), tuple(sorted(errors, key=sort_key))
        )

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
    drafts = 0
    found: list[TrainingRow] = []
    errors: list[RowError] = []
    done = 0
    try:
        header = next(records, None)
        if header is None or not any(c.strip() for c in header[1]):
            columns = ", ".join(LAYOUTS[file_format].required)
            return fatal(
                [
                    checker.error(
                        1,
                        "",
                        "",
                        f"the file is empty; the first row must be the header ({columns})",
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
                drafts += 1
                draft, checked = checker.row(row, cells, positions, blank, width)
                errors.extend(draft.errors)
                if checked is not None:
                    found.append(checked)
            if progress is not None:
                progress(done, data_total, f"Checked row {row}")
    except csv.Error as exc:
        return fatal(
            [checker.error(done + 2, "", "", f"the file is not valid CSV here: {exc}", fatal=True)],
            encoding,
            drafts,
        )
    if not drafts:
        return fatal(
            [checker.error(2, "", "", "the file has a header but no rows of records", fatal=True)],
            encoding,
        )
    to_record = tuple(r for r in found if r.action == RowAction.RECORD)
    duplicates = tuple(r for r in found if r.action == RowAction.DUPLICATE)
    if progress is not None:
        progress(done, done, f"Checked {drafts} rows: {len(errors)} problems found")
    return TrainingReport(
        file_name,
        file_format,
        encoding,
        drafts,
        to_record,
        duplicates,
        tuple(sorted(errors, key=sort_key)),
    )
