"""steadyhand.jobs.recovery: which "running" tasks a starting worker puts back in the queue."""

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from steadyhand.access.roles import Role
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.jobs.models import Job, JobStatus
from steadyhand.jobs.recovery import MAX_ATTEMPTS, recover_orphaned_tasks, this_host, worker_id

pytestmark = pytest.mark.django_db


def _running(job: Job, *claims: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, args_kwargs={"args": [], "kwargs": {"job_id": job.pk}},
        task_path="steadyhand.imports.tasks.some_task", backend_name="default",
        run_after=timezone.now(), started_at=timezone.now(), worker_ids=list(claims),
    )  # fmt: skip


def _job(a: SmallAgency) -> Job:
    user = make_user(a.agency, [Role.AGENCY_ADMIN])
    return Job.objects.create(agency=a.agency, kind="t", title="t", started_by=user,
                              status=JobStatus.RUNNING)  # fmt: skip


def test_a_task_of_a_dead_worker_on_this_host_is_queued_again(small_agency: SmallAgency) -> None:
    job = _job(small_agency)
    task = _running(job, f"w1@{this_host()}:4000001")
    recovered = recover_orphaned_tasks(alive=lambda pid: False)
    assert recovered.requeued == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert "stopped unexpectedly" in job.message


def test_live_workers_other_hosts_and_foreign_ids_are_left_alone(
    small_agency: SmallAgency,
) -> None:
    job = _job(small_agency)
    alive = _running(job, f"w1@{this_host()}:4000002")
    elsewhere = _running(job, "w2@another-host.example:4000003")
    foreign = _running(job, "some-worker-id")
    recovered = recover_orphaned_tasks(alive=lambda pid: pid == 4000002)
    assert recovered.requeued == []
    for task in (alive, elsewhere, foreign):
        task.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING


def test_a_task_that_keeps_killing_its_worker_is_failed_not_retried(
    small_agency: SmallAgency,
) -> None:
    job = _job(small_agency)
    dead = f"w@{this_host()}:4000004"
    task = _running(job, *([dead] * MAX_ATTEMPTS))
    recovered = recover_orphaned_tasks(alive=lambda pid: False)
    assert recovered.failed == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "stopped unexpectedly 3 times" in job.error


def test_worker_ids_name_this_host_and_process_within_64_characters() -> None:
    made = worker_id("x" * 100)
    assert len(made) <= 64
    assert made.endswith(f":{__import__('os').getpid()}")
    assert "@" in made
