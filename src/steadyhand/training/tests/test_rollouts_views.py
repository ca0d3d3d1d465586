"""Roll-out pages in the browser's terms: who may see, create, randomize; what they see."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.training.models import RolloutPlan, WaveAssignment
from steadyhand.training.services.rollouts import rollout_assign, rollout_randomize
from steadyhand.training.tests.factories_rollouts import (
    add_members,
    analyst,
    make_course,
    make_plan,
    trainer,
)

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _as(sa: SmallAgency, *roles: Role | tuple[Role, object]) -> Client:
    return _client(make_user(sa.agency, list(roles)))  # type: ignore[arg-type]


@pytest.fixture
def plan(small_agency: SmallAgency) -> RolloutPlan:
    add_members(small_agency, small_agency.squad_a1, 4)
    add_members(small_agency, small_agency.squad_b1, 5)
    return make_plan(small_agency, analyst(small_agency))


@pytest.fixture
def randomized(small_agency: SmallAgency, plan: RolloutPlan) -> RolloutPlan:
    rollout_randomize(actor=analyst(small_agency), plan=plan, unit=small_agency.root, seed=1234)
    plan.refresh_from_db()
    return plan


def _create_post(course_id: int, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "DE-16 waves",
        "course": course_id,
        "level": "member",
        "strata": "precinct,shift",
        "wave_count": 4,
        "first_start": "2026-01-01",
        "months_per_wave": 6,
        "wave_dates": "",
    }
    data.update(overrides)
    return data


# List and create -----------------------------------------------------------------------------


def test_commander_sees_the_list_but_no_create_button(
    small_agency: SmallAgency, plan: RolloutPlan
) -> None:
    response = _as(small_agency, Role.COMMANDER).get(reverse("training:rollout_list"))
    assert response.status_code == 200
    assert plan.name in response.content.decode()
    assert reverse("training:rollout_create") not in response.content.decode()


def test_officer_cannot_see_roll_out_plans(small_agency: SmallAgency, plan: RolloutPlan) -> None:
    client = _as(small_agency, Role.OFFICER)
    assert client.get(reverse("training:rollout_list")).status_code == 403
    assert client.get(reverse("training:rollout_detail", args=[plan.pk])).status_code == 403


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COMMANDER, Role.SUPERVISOR])
def test_roles_without_manage_cannot_create(small_agency: SmallAgency, role: Role) -> None:
    course = make_course(small_agency.agency.pk)
    client = _as(small_agency, role)
    assert client.get(reverse("training:rollout_create")).status_code == 403
    response = client.post(reverse("training:rollout_create"), _create_post(course.pk))
    assert response.status_code == 403
    assert not RolloutPlan.objects.exists()


def test_analyst_creates_a_plan_with_generated_waves(small_agency: SmallAgency) -> None:
    course = make_course(small_agency.agency.pk)
    client = _as(small_agency, Role.ANALYST)
    assert client.get(reverse("training:rollout_create")).status_code == 200
    response = client.post(reverse("training:rollout_create"), _create_post(course.pk))
    plan = RolloutPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training:rollout_detail", args=[plan.pk])
    waves = list(plan.waves.values_list("starts_on", "ends_on"))
    assert [(str(s), str(e)) for s, e in waves] == [
        ("2026-01-01", "2026-06-30"),
        ("2026-07-01", "2026-12-31"),
        ("2027-01-01", "2027-06-30"),
        ("2027-07-01", "2027-12-31"),
    ]
    assert plan.strata == ["precinct", "shift"]


def test_wave_dates_listed_by_hand_override_the_generator(small_agency: SmallAgency) -> None:
    course = make_course(small_agency.agency.pk)
    client = _as(small_agency, Role.TRAINER)
    dates = "2026-01-05 2026-02-27\n2026-03-02, 2026-05-29\n"
    client.post(reverse("training:rollout_create"), _create_post(course.pk, wave_dates=dates))
    plan = RolloutPlan.objects.get()
    assert [str(w.ends_on) for w in plan.waves.all()] == ["2026-02-27", "2026-05-29"]


def test_a_bad_plan_is_shown_again_with_the_reason(small_agency: SmallAgency) -> None:
    course = make_course(small_agency.agency.pk)
    client = _as(small_agency, Role.ANALYST)
    response = client.post(
        reverse("training:rollout_create"),
        _create_post(course.pk, level="unit", wave_dates="2026-02-01 2026-01-01"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "ends (2026-01-01) before it starts" in body
    assert "Strata for a unit-level plan" in body
    assert not RolloutPlan.objects.exists()


# Detail --------------------------------------------------------------------------------------


def test_detail_shows_reproducibility_and_balance(
    small_agency: SmallAgency, randomized: RolloutPlan
) -> None:
    response = _as(small_agency, Role.COMMANDER).get(
        reverse("training:rollout_detail", args=[randomized.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"Reproduces from seed 1234:\s*<strong>yes</strong>", body)
    assert randomized.result_hash in body
    assert 'id="balance"' in body
    assert "Precinct A · Squad A1" in body


def test_analyst_sees_the_balance_but_not_who_is_in_which_wave(
    small_agency: SmallAgency, randomized: RolloutPlan
) -> None:
    body = (
        _as(small_agency, Role.ANALYST)
        .get(reverse("training:rollout_detail", args=[randomized.pk]))
        .content.decode()
    )
    assert 'id="balance"' in body
    assert 'id="assignments"' not in body
    assert small_agency.officer_a1.badge not in body


def test_supervisor_sees_only_members_of_their_chain(
    small_agency: SmallAgency, randomized: RolloutPlan
) -> None:
    sa = small_agency
    client = _as(sa, (Role.SUPERVISOR, sa.squad_a1))
    body = client.get(reverse("training:rollout_detail", args=[randomized.pk])).content.decode()
    assert 'id="assignments"' in body
    assert f"#{sa.officer_a1.badge}" in body
    assert f"#{sa.officer_b1.badge}" not in body
    assert f"#{sa.officer_a2.badge}" not in body


def test_trainer_sees_everyone(small_agency: SmallAgency, randomized: RolloutPlan) -> None:
    body = (
        _as(small_agency, Role.TRAINER)
        .get(reverse("training:rollout_detail", args=[randomized.pk]))
        .content.decode()
    )
    rows = WaveAssignment.objects.filter(plan=randomized).count()
    assert body.count("(#") == rows


def test_a_plan_of_another_agency_is_not_found(
    other_agency: SmallAgency, randomized: RolloutPlan
) -> None:
    client = _as(other_agency, Role.ANALYST)
    assert client.get(reverse("training:rollout_detail", args=[randomized.pk])).status_code == 404
    response = client.post(
        reverse("training:rollout_randomize", args=[randomized.pk]), {"unit": 1, "seed": 1}
    )
    assert response.status_code == 404


# Randomize, assign, lock ---------------------------------------------------------------------


def test_randomize_preview_then_post_locks_the_plan(
    small_agency: SmallAgency, plan: RolloutPlan
) -> None:
    sa = small_agency
    client = _as(sa, Role.ANALYST)
    url = reverse("training:rollout_randomize", args=[plan.pk])
    preview = client.get(url, {"unit": sa.root.pk}).content.decode()
    assert "13 candidates by stratum" in preview
    assert "Precinct B · Squad B1" in preview
    response = client.post(url, {"unit": sa.root.pk, "seed": "77"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.locked
    assert plan.seed == 77
    detail = client.get(reverse("training:rollout_detail", args=[plan.pk])).content.decode()
    assert "Randomized with seed 77" in detail
    assert "Randomize and lock</a>" not in detail
    again = client.post(url, {"unit": sa.root.pk, "seed": "78"})
    assert again.status_code == 400
    assert "is locked" in again.content.decode()
    plan.refresh_from_db()
    assert plan.seed == 77


def test_commander_cannot_randomize(small_agency: SmallAgency, plan: RolloutPlan) -> None:
    client = _as(small_agency, Role.COMMANDER)
    url = reverse("training:rollout_randomize", args=[plan.pk])
    assert client.post(url, {"unit": small_agency.root.pk, "seed": "1"}).status_code == 403
    plan.refresh_from_db()
    assert not plan.locked


def test_assign_by_hand_with_badges_and_lock(small_agency: SmallAgency, plan: RolloutPlan) -> None:
    sa = small_agency
    client = _as(sa, Role.TRAINER)
    assign = reverse("training:rollout_assign", args=[plan.pk])
    response = client.post(
        assign, {"wave": 2, "targets": f"{sa.officer_a1.badge}, {sa.officer_b1.badge}"}
    )
    assert response.status_code == 302
    assert WaveAssignment.objects.filter(plan=plan, wave__number=2).count() == 2
    client.post(assign, {"wave": 1, "targets": "NOPE-1"})
    assert WaveAssignment.objects.filter(plan=plan).count() == 2
    client.post(assign, {"wave": 1, "remove": "on", "targets": sa.officer_b1.badge})
    assert list(WaveAssignment.objects.filter(plan=plan).values_list("member_id", flat=True)) == [
        sa.officer_a1.pk
    ]
    client.post(reverse("training:rollout_lock", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.locked
    assert not plan.randomized
    body = client.get(reverse("training:rollout_detail", args=[plan.pk])).content.decode()
    assert "assigned by hand" in body
    assert "Reproduces from seed" not in body


def test_assign_to_a_locked_plan_changes_nothing(
    small_agency: SmallAgency, randomized: RolloutPlan
) -> None:
    sa = small_agency
    before = dict(
        WaveAssignment.objects.filter(plan=randomized).values_list("member_id", "wave__number")
    )
    client = _as(sa, Role.TRAINER)
    client.post(
        reverse("training:rollout_assign", args=[randomized.pk]),
        {"wave": 3, "targets": sa.officer_a1.badge},
        follow=True,
    )
    after = dict(
        WaveAssignment.objects.filter(plan=randomized).values_list("member_id", "wave__number")
    )
    assert after == before


def test_edit_a_draft_plan(small_agency: SmallAgency, plan: RolloutPlan) -> None:
    client = _as(small_agency, Role.ANALYST)
    url = reverse("training:rollout_edit", args=[plan.pk])
    form = client.get(url).content.decode()
    assert "2026-01-01 2026-03-31" in form
    response = client.post(
        url, {"name": "Renamed", "strata": "precinct", "wave_dates": "2026-01-01 2026-12-31"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.name == "Renamed"
    assert plan.waves.count() == 1


def test_unit_level_plan_lists_squads_with_their_member_counts(
    small_agency: SmallAgency,
) -> None:
    sa = small_agency
    actor = trainer(sa)
    plan = make_plan(sa, actor, level="unit", strata=("precinct",))
    rollout_assign(actor=actor, plan=plan, wave_number=1, units=[sa.squad_a1])
    client = _client(make_user(sa.agency, [Role.TRAINER]))
    client.post(reverse("training:rollout_lock", args=[plan.pk]))
    body = client.get(reverse("training:rollout_detail", args=[plan.pk])).content.decode()
    assert "Squad A1 (PA-1)" in body
    assert "<td>2</td>" in body  # sergeant and officer of squad A1 when locked
