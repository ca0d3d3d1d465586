"""``steadyhand worker`` that stops in the middle of an incident load, for test_worker_kill.

Exactly the real worker, except that when the load is about to write its ``import.load`` audit
event — every incident written, the transaction not yet committed — it writes how many
incidents its transaction sees to the file ``MARKER`` and waits there to be killed with
SIGKILL. This makes "killed mid-load" a certainty instead of a race, at the worst moment for a
half-write. The hook sits on the database connection, so it does not depend on how the import
code is arranged.
"""

import os
import sys
import time
from pathlib import Path
from typing import Any


def main() -> None:
    import django

    django.setup()
    from django.db.backends.signals import connection_created

    marker = Path(os.environ["MARKER"])

    def pause_before_load_audit(
        execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        if (
            sql.lstrip().upper().startswith("INSERT")
            and "audit_auditevent" in sql
            and params
            and "import.load" in [str(p) for p in params]
        ):
            with context["connection"].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM incidents_incident")
                marker.write_text(str(cursor.fetchone()[0]))
            while True:
                time.sleep(1)
        return execute(sql, params, many, context)

    def install(sender: Any, connection: Any, **kwargs: Any) -> None:
        if pause_before_load_audit not in connection.execute_wrappers:
            connection.execute_wrappers.append(pause_before_load_audit)

    connection_created.connect(install)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["steadyhand", "worker", "--interval", "0.2", *sys.argv[1:]])


if __name__ == "__main__":
    main()
