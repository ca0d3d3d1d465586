from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steadyhand.core.testing import SmallAgency
from steadyhand.stats.models import StatsState

pytestmark = pytest.mark.django_db


def test_refreshing_all_months_bumps_the_version(small_agency: SmallAgency) -> None:
    out = StringIO()
    call_command("stats-refresh", "--agency", small_agency.agency.slug, "--all", stdout=out)
    assert "Refreshed every month" in out.getvalue()
    assert StatsState.objects.get(agency=small_agency.agency).version >= 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agency", "nowhere", "--all"], "No agency"),
        (["--all", "--month", "2026-01"], "Name the months"),
        ([], "Name the months"),
        (["--month", "January"], "YYYY-MM"),
    ],
)
def test_refusals_say_what_to_type(
    small_agency: SmallAgency, args: list[str], message: str
) -> None:
    if "--agency" not in args:
        args = ["--agency", small_agency.agency.slug, *args]
    with pytest.raises(CommandError, match=message):
        call_command("stats-refresh", *args, stdout=StringIO())
