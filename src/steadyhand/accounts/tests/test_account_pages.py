"""The agency admin manages logins and role assignments through pages that call services."""

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.models import RoleAssignment, User
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(small_agency: SmallAgency) -> Client:
    client = Client()
    client.force_login(make_user(small_agency.agency, [Role.AGENCY_ADMIN], username="admin"))
    return client


def test_admin_creates_an_account_linked_to_a_member(
    admin_client: Client, small_agency: SmallAgency
) -> None:
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "new.officer",
            "password": "a-long-enough-passphrase",
            "member": small_agency.officer_a2.pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new.officer")
    assert user.agency_id == small_agency.agency.pk
    assert user.member_id == small_agency.officer_a2.pk
    event = AuditEvent.objects.get(action="account.create", object_id=str(user.pk))
    assert event.actor_label == "admin"
    assert "password" not in str(event.changes)


def test_weak_password_is_refused_with_the_reason_and_nothing_is_written(
    admin_client: Client,
) -> None:
    response = admin_client.post(
        reverse("accounts:user_create"), {"username": "weak", "password": "12345678"}
    )
    assert response.status_code == 400
    assert b"too short" in response.content
    assert not User.objects.filter(username="weak").exists()


def test_duplicate_username_is_refused(admin_client: Client, small_agency: SmallAgency) -> None:
    make_user(small_agency.agency, [], username="taken")
    response = admin_client.post(
        reverse("accounts:user_create"),
        {"username": "TAKEN", "password": "a-long-enough-passphrase"},
    )
    assert response.status_code == 400
    assert "is taken" in response.content.decode()


def test_admin_grants_a_role_scoped_to_a_unit_then_revokes_it(
    admin_client: Client, small_agency: SmallAgency
) -> None:
    target = make_user(small_agency.agency, [], username="sgt")
    url = reverse("accounts:role_grant", args=[target.pk])
    response = admin_client.post(
        url, {"role": "supervisor", "unit": small_agency.precinct_a.pk, "reason": "promoted"}
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=target)
    assert (assignment.role, assignment.unit_id) == ("supervisor", small_agency.precinct_a.pk)
    assert AuditEvent.objects.filter(action="role.grant", reason="promoted").exists()

    again = admin_client.post(url, {"role": "supervisor", "unit": small_agency.precinct_a.pk})
    assert again.status_code == 400
    assert RoleAssignment.objects.filter(user=target).count() == 1

    revoke = reverse("accounts:role_revoke", args=[target.pk, assignment.pk])
    assert admin_client.post(revoke).status_code == 302
    assert not RoleAssignment.objects.filter(user=target).exists()
    assert AuditEvent.objects.filter(action="role.revoke").exists()


def test_unit_of_another_agency_cannot_scope_a_role(
    admin_client: Client, small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    target = make_user(small_agency.agency, [], username="x")
    response = admin_client.post(
        reverse("accounts:role_grant", args=[target.pk]),
        {"role": "supervisor", "unit": other_agency.precinct_a.pk},
    )
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(user=target).exists()


def test_deactivated_account_cannot_log_in(admin_client: Client, small_agency: SmallAgency) -> None:
    target = make_user(small_agency.agency, [Role.OFFICER], username="leaving")
    response = admin_client.post(
        reverse("accounts:user_set_active", args=[target.pk]),
        {"active": "0", "reason": "separated"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    login = Client().post(
        "/accounts/login/", {"username": "leaving", "password": "correct-horse-battery-staple"}
    )
    assert login.status_code == 200  # the form again, not a redirect into the app


def test_admin_cannot_remove_their_own_admin_role(small_agency: SmallAgency) -> None:
    admin = make_user(small_agency.agency, [Role.AGENCY_ADMIN], username="solo")
    client = Client()
    client.force_login(admin)
    assignment = RoleAssignment.objects.get(user=admin)
    response = client.post(reverse("accounts:role_revoke", args=[admin.pk, assignment.pk]))
    assert response.status_code == 400
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


@pytest.mark.parametrize(
    "name",
    [
        "accounts:user_detail",
        "accounts:role_grant",
        "accounts:user_set_active",
        "accounts:user_set_password",
    ],
)
def test_accounts_of_another_agency_are_not_found(
    admin_client: Client, other_agency: SmallAgency, name: str
) -> None:
    stranger = make_user(other_agency.agency, [Role.OFFICER], username="stranger")
    response = admin_client.post(reverse(name, args=[stranger.pk]), {"active": "0"})
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active


def test_officer_is_refused_the_account_pages(small_agency: SmallAgency) -> None:
    client = Client()
    client.force_login(make_user(small_agency.agency, [Role.OFFICER]))
    assert client.get(reverse("accounts:user_list")).status_code == 403
    response = client.post(
        reverse("accounts:user_create"), {"username": "sneaky", "password": "a-long-passphrase"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_logins_are_audited(small_agency: SmallAgency) -> None:
    make_user(small_agency.agency, [Role.OFFICER], username="logger")
    Client().post(
        "/accounts/login/", {"username": "logger", "password": "correct-horse-battery-staple"}
    )
    assert AuditEvent.objects.filter(action="account.login", actor_label="logger").exists()
