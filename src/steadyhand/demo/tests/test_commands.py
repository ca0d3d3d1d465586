"""``steadyhand demo`` and ``steadyhand serve`` as a user runs them."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from steadyhand.agencies.models import Agency, Member
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency
from steadyhand.demo.generator import DEMO_PASSWORD
from steadyhand.demo.management.commands import serve
from steadyhand.demo.plan import LOGIN_BASES


def run_demo(*args: str) -> str:
    """The command as a user runs it, without the two-year history that the history tests
    (test_incident_history.py, test_training_history.py) check."""
    out = StringIO()
    call_command("demo", "--officers", "60", "--roster-only", "--verbosity", "0", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_prints_the_logins_and_passwords_in_demo_mode(settings: Settings) -> None:
    settings.DEMO_MODE = True
    output = run_demo("--url", "http://localhost:9000/")
    assert "Created the demo agency" in output
    assert "http://localhost:9000/" in output
    for base in LOGIN_BASES:
        assert f"\n  {base} " in output
    assert output.count(DEMO_PASSWORD) == len(LOGIN_BASES)
    assert "Supervisor · North Squad 1" in output


@pytest.mark.django_db
def test_demo_hides_passwords_outside_demo_mode(settings: Settings) -> None:
    settings.DEMO_MODE = False
    output = run_demo()
    assert DEMO_PASSWORD not in output
    assert "password" not in output.splitlines()[2], "no password column"
    assert "Passwords are hidden outside demo mode" in output
    for base in LOGIN_BASES:
        assert f"\n  {base} " in output


@pytest.mark.django_db
def test_running_demo_again_reuses_the_agency_and_creates_nothing() -> None:
    run_demo("--seed", "4")
    agency = Agency.objects.get(slug="demo")
    members = Member.objects.filter(agency=agency).count()
    events = AuditEvent.objects.filter(agency_id=agency.pk).count()

    output = run_demo("--seed", "5")

    assert "Reusing the existing demo agency" in output
    assert "\n  officer " in output
    assert Agency.objects.filter(is_demo=True).count() == 1
    assert Member.objects.filter(agency=agency).count() == members
    assert AuditEvent.objects.filter(agency_id=agency.pk).count() == events


@pytest.mark.django_db
def test_force_new_refuses_an_existing_slug_and_says_what_to_do() -> None:
    run_demo()
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=r"already exists.*another --slug"):
        run_demo("--force-new")
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_force_new_with_a_free_slug_creates_a_second_demo_agency() -> None:
    run_demo()
    output = run_demo("--force-new", "--slug", "demo-two")
    assert "Created the demo agency" in output
    assert "\n  demo-two-officer " in output
    assert Agency.objects.filter(is_demo=True).count() == 2


@pytest.mark.django_db
def test_demo_never_touches_a_real_agency(small_agency: SmallAgency) -> None:
    members = Member.objects.filter(agency=small_agency.agency).count()
    with pytest.raises(CommandError, match="real agency"):
        run_demo("--slug", small_agency.agency.slug)
    assert Member.objects.filter(agency=small_agency.agency).count() == members
    assert not Agency.objects.filter(is_demo=True).exists()


@pytest.mark.django_db
def test_the_full_demo_reports_its_history() -> None:
    out = StringIO()
    call_command("demo", "--officers", "30", "--as-of", "2026-06-01", "--verbosity", "0",
                 stdout=out)  # fmt: skip
    assert "two years of incidents up to 2026-06-01" in out.getvalue()
    agency = Agency.objects.get(slug="demo")
    assert agency.incidents.exists()


def test_roster_only_and_a_history_date_are_refused_together() -> None:
    with pytest.raises(CommandError, match="--roster-only leaves it out"):
        call_command("demo", "--roster-only", "--as-of", "2026-06-01", stdout=StringIO())


@pytest.mark.django_db
def test_demo_refuses_an_out_of_range_size() -> None:
    with pytest.raises(CommandError, match="between 30 and 5000"):
        call_command("demo", "--officers", "5", stdout=StringIO())
    assert not Agency.objects.exists()


class FakeWorker:
    pid = 4242

    def __init__(self) -> None:
        self.terminated = False

    def poll(self) -> int | None:
        return 0 if self.terminated else None

    def terminate(self) -> None:
        self.terminated = True

    def wait(self, timeout: float | None = None) -> int:
        return 0


@pytest.fixture
def fake_serve(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace migrate, runserver and the worker process; keep everything else real."""
    calls: dict[str, Any] = {"commands": [], "workers": []}

    def fake_call_command(name: str, *args: Any, **kwargs: Any) -> None:
        calls["commands"].append((name, args, kwargs))
        if name == "runserver":
            raise KeyboardInterrupt  # the user pressing Ctrl-C

    def fake_start_worker() -> FakeWorker:
        worker = FakeWorker()
        calls["workers"].append(worker)
        return worker

    monkeypatch.setattr(serve, "call_command", fake_call_command)
    monkeypatch.setattr(serve, "start_worker", fake_start_worker)
    monkeypatch.setattr(serve, "SERVE_OFFICERS", 60)
    return calls


@pytest.mark.django_db
def test_serve_migrates_creates_the_demo_runs_the_server_and_stops_the_worker(
    fake_serve: dict[str, Any], settings: Settings
) -> None:
    settings.DEMO_MODE = True
    out = StringIO()
    with pytest.raises(KeyboardInterrupt):
        call_command("serve", "--addr", "127.0.0.1:8123", "--verbosity", "0", stdout=out)

    names = [name for name, _, _ in fake_serve["commands"]]
    assert names == ["migrate", "runserver"]
    _, args, kwargs = fake_serve["commands"][1]
    assert args == ("127.0.0.1:8123",)
    assert kwargs == {"use_reloader": False, "insecure_serving": True}
    assert Agency.objects.get(slug="demo").is_demo
    output = out.getvalue()
    assert "http://127.0.0.1:8123/" in output
    assert DEMO_PASSWORD in output
    [worker] = fake_serve["workers"]
    assert worker.terminated, "the worker stops when the server exits"


@pytest.mark.django_db
def test_serve_leaves_an_existing_agency_alone_and_can_skip_the_worker(
    fake_serve: dict[str, Any], small_agency: SmallAgency
) -> None:
    out = StringIO()
    with pytest.raises(KeyboardInterrupt):
        call_command("serve", "--no-worker", "--verbosity", "0", stdout=out)
    assert not Agency.objects.filter(is_demo=True).exists()
    assert fake_serve["workers"] == []
    assert "log in with your agency's accounts" in out.getvalue()
