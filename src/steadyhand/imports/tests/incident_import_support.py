"""Shared helpers for the incident import tests: where the data is, and running a mapping."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from steadyhand.imports.mapping.engine import Report, run
from steadyhand.imports.mapping.format import load_mapping
from steadyhand.imports.mapping.reader import FileSource
from steadyhand.imports.mapping_context import ImportContext

PROJECT = Path(__file__).resolve().parents[4]
REAL_DATA = PROJECT.parent / "shared" / "data" / "use-of-force"
EXCERPTS = Path(__file__).resolve().parent / "data"
TODAY = date(2026, 1, 1)

REAL_FILES = {
    "seattle": ["seattle/Use_Of_Force.csv"],
    "austin": [f"austin/R2R_{year}.csv" for year in (2014, 2015, 2016, 2017)],
    "new_orleans": ["new-orleans/NOPD_Use_of_Force_Incidents.csv"],
    "minneapolis": ["minneapolis/mn_police_use_of_force.csv"],
}
EXCERPT_FILES = {
    "seattle": ["Use_Of_Force.csv"],
    "austin": ["R2R_2014.csv", "R2R_2017.csv"],
    "new_orleans": ["NOPD_Use_of_Force_Incidents.csv"],
    "minneapolis": ["mn_police_use_of_force.csv"],
}


def real_paths(mapping: str) -> list[Path]:
    paths = [REAL_DATA / p for p in REAL_FILES[mapping]]
    if not all(p.is_file() for p in paths):
        pytest.skip(f"the real data ({REAL_DATA}) is not here")
    return paths


def excerpt_paths(mapping: str) -> list[Path]:
    return [EXCERPTS / p for p in EXCERPT_FILES[mapping]]


def check(mapping: str, paths: list[Path], on_record: Any = None) -> Report:
    ctx = ImportContext(agency_id=0, timezone="America/Chicago", root_unit_id=0, unit_ids={},
                        today=TODAY)  # fmt: skip
    return run(
        load_mapping(mapping), [FileSource.from_path(p) for p in paths], context=ctx,
        today=TODAY, on_record=on_record,
    )  # fmt: skip
