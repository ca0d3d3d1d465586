"""Run in a subprocess by test_worker_kill: stage and check a large incident import in the
database named by DATABASE_URL, then request its load (which queues a task for the worker).

Prints one JSON line: the batch, its job, and the counts the check found.
"""

import csv
import json
import sys
from pathlib import Path

import django

RACES = ["White", "Black or African American", "Asian", "Hispanic or Latino"]
LEVELS = ["Level 1 - Use of Force", "Level 2 - Use of Force"]


def write_csv(path: Path, incidents: int) -> None:
    """Seattle's published layout; one or two rows (officer x subject) per incident."""
    with path.open("w", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(["ID", "Incident_Num", "Incident_Type", "Occured_date_time", "Precinct",
                      "Sector", "Beat", "Officer_ID", "Subject_ID", "Subject_Race",
                      "Subject_Gender"])  # fmt: skip
        row = 0
        for n in range(incidents):
            for officer in range(1 + n % 2):
                row += 1
                month, day = 1 + n % 12, 1 + n % 28
                out.writerow([f"R{row}", 100000 + n, LEVELS[n % 2],
                              f"{month:02d}/{day:02d}/2019 0{1 + n % 9}:15:00 PM", "North",
                              "UNION", "U1", 1000 + (n + officer) % 50, 5000 + n,
                              RACES[n % 4], "Male"])  # fmt: skip


def main(csv_path: str, incidents: int) -> None:
    django.setup()
    from steadyhand.access.roles import Role
    from steadyhand.core.testing import actor_of, make_agency, make_user
    from steadyhand.imports.incident_services import (
        incident_import_check,
        incident_import_create,
        incident_import_load_start,
    )
    from steadyhand.imports.models import LoadMode

    write_csv(Path(csv_path), incidents)
    a = make_agency("Worker Kill PD")
    actor = actor_of(make_user(a.agency, [Role.AGENCY_ADMIN], username="importer"))
    batch = incident_import_create(
        actor=actor, mapping="seattle", paths=[csv_path], check_in_background=False
    )
    batch = incident_import_check(actor=actor, batch=batch)
    mode = LoadMode.ALL if not batch.error_count else LoadMode.VALID_ONLY
    batch = incident_import_load_start(actor=actor, batch=batch, mode=mode)
    print(
        json.dumps(
            {
                "agency_id": a.agency.pk,
                "batch_id": batch.pk,
                "job_id": batch.job_id,
                "counts": batch.options.get("counts", {}),
                "errors": batch.error_count,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
