"""Job pages, their progress JSON, running work as a job, and the worker command."""

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.core.errors import InvalidInput
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.jobs.models import Job, JobStatus
from steadyhand.jobs.services import job_create, job_finish, job_mark_running, job_progress
from steadyhand.jobs.tasks import run_job

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _job(user: User, **params: Any) -> Job:
    return job_create(actor=actor_of(user), kind="test", title="Count the beans", params=params)


def test_a_running_job_page_has_a_bar_and_refreshes_itself(small_agency: SmallAgency) -> None:
    owner = make_user(small_agency.agency, [Role.OFFICER])
    job = _job(owner)
    job_mark_running(job_id=job.pk)
    job_progress(job_id=job.pk, done=40, total=160, message="Counting row 40")
    html = _client(owner).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert '<progress data-job-bar max="100" value="25"' in html
    assert "40 of 160 (25%)" in html
    assert "Counting row 40" in html
    # No JavaScript: a meta refresh every 2 s; with it, progress.js polls the JSON instead.
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert "steadyhand/progress.js" in html
    assert f'data-progress-url="{reverse("jobs:progress", args=[job.pk])}" data-polling' in html


def test_an_unsized_job_shows_an_indeterminate_bar(small_agency: SmallAgency) -> None:
    owner = make_user(small_agency.agency, [Role.OFFICER])
    job = _job(owner)
    job_mark_running(job_id=job.pk)
    html = _client(owner).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "<progress data-job-bar aria-label" in html
    assert 'value="' not in html.split("<progress", 1)[1].split(">", 1)[0]


def test_a_finished_job_shows_its_result_and_stops_refreshing(small_agency: SmallAgency) -> None:
    owner = make_user(small_agency.agency, [Role.OFFICER])
    job = _job(owner, link={"url": "/imports/roster/1/", "label": "Back to the import"})
    job_finish(job_id=job.pk, result={"valid_rows": 7})
    html = _client(owner).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "http-equiv" not in html
    assert "data-polling" not in html
    assert '<th scope="row">Valid rows</th><td>7</td>' in html
    assert '<a href="/imports/roster/1/">Back to the import</a>' in html


def test_a_failed_job_says_what_went_wrong(small_agency: SmallAgency) -> None:
    owner = make_user(small_agency.agency, [Role.OFFICER])
    job = _job(owner, link={"url": "https://elsewhere.example/", "label": "Phish"})
    job_finish(job_id=job.pk, error="The file vanished.")
    html = _client(owner).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "The file vanished." in html
    assert "elsewhere.example" not in html  # only local links are shown


def test_progress_json(small_agency: SmallAgency) -> None:
    owner = make_user(small_agency.agency, [Role.OFFICER])
    job = _job(owner)
    job_mark_running(job_id=job.pk)
    job_progress(job_id=job.pk, done=3, total=4, message="Almost")
    response = _client(owner).get(reverse("jobs:progress", args=[job.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "id": job.pk,
        "status": "running",
        "status_label": "Running",
        "done": 3,
        "total": 4,
        "percent": 75,
        "message": "Almost",
        "finished": False,
        "error": "",
    }


def test_another_users_job_is_not_found(small_agency: SmallAgency) -> None:
    a = small_agency
    owner = make_user(a.agency, [Role.OFFICER])
    job = _job(owner)
    other = _client(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)]))
    assert other.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("jobs:progress", args=[job.pk])).status_code == 404
    # The agency's administrator may follow every job of the agency.
    admin = _client(make_user(a.agency, [Role.AGENCY_ADMIN]))
    assert admin.get(reverse("jobs:detail", args=[job.pk])).status_code == 200


def test_another_agencys_job_is_not_found(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    job = _job(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    intruder = _client(make_user(other_agency.agency, [Role.AGENCY_ADMIN]))
    assert intruder.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert intruder.get(reverse("jobs:progress", args=[job.pk])).status_code == 404


def test_a_user_without_roles_is_refused(small_agency: SmallAgency) -> None:
    job = _job(make_user(small_agency.agency, [Role.OFFICER]))
    nobody = _client(make_user(small_agency.agency, []))
    assert nobody.get(reverse("jobs:detail", args=[job.pk])).status_code == 403


def test_run_job_records_success(small_agency: SmallAgency) -> None:
    user = make_user(small_agency.agency, [Role.AGENCY_ADMIN])
    job = _job(user)

    def work(actor: Any, progress: Any) -> dict[str, Any]:
        assert actor.user_id == user.pk
        progress(2, 2, "done")
        return {"beans": 2}

    assert run_job(job.pk, work) == {"beans": 2}
    job.refresh_from_db()
    assert (job.status, job.result, job.done, job.total) == (
        JobStatus.SUCCEEDED,
        {"beans": 2},
        2,
        2,
    )
    assert job.started_at is not None
    assert job.finished_at is not None


def test_run_job_shows_a_services_message(small_agency: SmallAgency) -> None:
    job = _job(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))

    def work(actor: Any, progress: Any) -> dict[str, Any]:
        raise InvalidInput({"file": ["Row 3 is odd."]})

    assert run_job(job.pk, work) == {"error": "file: Row 3 is odd."}
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "file: Row 3 is odd.")


def test_run_job_records_and_reraises_an_unexpected_error(small_agency: SmallAgency) -> None:
    job = _job(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))

    def work(actor: Any, progress: Any) -> dict[str, Any]:
        raise KeyError("beans")

    with pytest.raises(KeyError):
        run_job(job.pk, work)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("An unexpected error stopped the job (KeyError")


def test_a_deactivated_starter_cannot_run_their_job(small_agency: SmallAgency) -> None:
    user = make_user(small_agency.agency, [Role.AGENCY_ADMIN])
    job = _job(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    result = run_job(job.pk, lambda actor, progress: {"ran": True})
    assert "no longer active" in result["error"]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# A real transaction per step, as in production: the worker checks its connection between
# tasks, which would close a connection held open by a test-wide transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_queued_tasks(small_agency: SmallAgency) -> None:
    from steadyhand.imports.models import BatchStatus
    from steadyhand.imports.services import roster_upload
    from steadyhand.imports.tests.factories import admin_actor, fixture_bytes

    actor = admin_actor(small_agency.agency)
    with override_settings(TASKS=DB_TASKS):
        batch = roster_upload(
            actor=actor, file_name="r.csv", content=fixture_bytes("roster_valid.csv")
        )
        batch.refresh_from_db()
        assert batch.status == BatchStatus.UPLOADED  # queued, not run
        assert batch.job is not None
        assert batch.job.status == JobStatus.QUEUED
        call_command("worker", batch=True, verbosity=0)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert batch.job is not None
    assert batch.job.status == JobStatus.SUCCEEDED


def test_the_worker_refuses_a_backend_that_needs_none() -> None:
    with pytest.raises(CommandError, match="runs tasks without a worker"):
        call_command("worker", batch=True)


def test_a_title_longer_than_the_column_is_shortened_with_an_ellipsis(
    small_agency: SmallAgency,
) -> None:
    """Four long file names in a title: SQLite stored them, PostgreSQL refused the job."""
    job = job_create(actor=small_agency.system, kind="test", title="x" * 500)
    job.refresh_from_db()
    assert len(job.title) == 200
    assert job.title.endswith("…")
