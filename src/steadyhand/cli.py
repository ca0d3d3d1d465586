"""The ``steadyhand`` command: Django's ``manage.py`` plus Steadyhand's own commands.

``steadyhand demo``, ``steadyhand serve``, ``steadyhand audit verify``, ``steadyhand worker`` and
``steadyhand import-roster`` are management commands in the domain apps; everything Django offers
(``migrate``, ``createsuperuser``, ``check`` …) works too.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steadyhand.config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["steadyhand", *(sys.argv[1:] if argv is None else argv)])
