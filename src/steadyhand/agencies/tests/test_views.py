"""The agency admin's unit, member and settings pages: successes and refusals for every view."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.agencies.services import member_create
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency, make_user

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(small_agency: SmallAgency) -> Client:
    return _client(make_user(small_agency.agency, [Role.AGENCY_ADMIN], username="admin"))


@pytest.fixture
def officer(small_agency: SmallAgency) -> Client:
    user = make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1)
    return _client(user)


@pytest.fixture
def supervisor_a(small_agency: SmallAgency) -> Client:
    return _client(make_user(small_agency.agency, [(Role.SUPERVISOR, small_agency.precinct_a)]))


@pytest.fixture
def outsider(other_agency: SmallAgency) -> Client:
    """An agency admin of another agency."""
    return _client(make_user(other_agency.agency, [Role.AGENCY_ADMIN]))


def _member_post(member: Member, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "badge": member.badge,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "rank": member.rank,
        "unit": member.unit_id,
        "supervisor": member.supervisor_id or "",
        "hire_date": member.hire_date.isoformat(),
        "status": member.status,
        "reason": "",
        "version": member.version,
    }
    data.update(overrides)
    return data


def _unit_post(unit: Unit, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": unit.name,
        "code": unit.code,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "reason": "",
        "version": unit.version,
    }
    data.update(overrides)
    return data


# Unit tree -----------------------------------------------------------------------------------


def test_admin_sees_the_nested_unit_tree_with_counts(
    admin: Client, small_agency: SmallAgency
) -> None:
    response = admin.get(reverse("agencies:unit_list"))
    assert response.status_code == 200
    html = response.content.decode()
    # Squad A1 is listed inside Precinct A's nested list, before Precinct B.
    assert html.index("Precinct A") < html.index("Squad A1") < html.index("Precinct B")
    assert "0 here · 3 in all" in html  # Precinct A
    assert reverse("agencies:unit_create", args=[small_agency.squad_a1.pk]) in html


def test_a_user_without_any_role_is_refused_the_unit_tree(small_agency: SmallAgency) -> None:
    response = _client(make_user(small_agency.agency, [])).get(reverse("agencies:unit_list"))
    assert response.status_code == 403


def test_an_officer_sees_the_tree_without_admin_links(officer: Client) -> None:
    response = officer.get(reverse("agencies:unit_list"))
    assert response.status_code == 200
    assert "Add sub-unit" not in response.content.decode()


# Unit detail ---------------------------------------------------------------------------------


def test_admin_sees_a_unit_with_the_members_of_its_subtree(
    admin: Client, small_agency: SmallAgency
) -> None:
    response = admin.get(reverse("agencies:unit_detail", args=[small_agency.precinct_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for badge in ("S100", "O101", "O201"):
        assert badge in html
    assert "O301" not in html
    assert "Patrol Bureau" in html  # the breadcrumb of ancestors


def test_another_agency_gets_404_for_this_agencys_unit(
    outsider: Client, small_agency: SmallAgency
) -> None:
    response = outsider.get(reverse("agencies:unit_detail", args=[small_agency.precinct_a.pk]))
    assert response.status_code == 404
    assert "Precinct A" not in response.content.decode()


# Unit create ---------------------------------------------------------------------------------


def test_admin_creates_a_sub_unit(admin: Client, small_agency: SmallAgency) -> None:
    url = reverse("agencies:unit_create", args=[small_agency.precinct_a.pk])
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"name": "Squad A3", "code": "PA-3", "kind": "squad"})
    assert response.status_code == 302
    unit = Unit.objects.get(code="PA-3")
    assert unit.parent_id == small_agency.precinct_a.pk
    assert unit.path == f"{small_agency.precinct_a.path}{unit.pk}/"
    assert AuditEvent.objects.filter(action="unit.create", object_id=str(unit.pk)).exists()


def test_a_duplicate_unit_code_is_shown_on_the_code_field(
    admin: Client, small_agency: SmallAgency
) -> None:
    url = reverse("agencies:unit_create", args=[small_agency.precinct_a.pk])
    response = admin.post(url, {"name": "Dup", "code": "PB-1", "kind": "squad"})
    assert response.status_code == 400
    assert "already used by “Squad B1”" in response.content.decode()
    assert not Unit.objects.filter(name="Dup").exists()


def test_an_officer_cannot_create_a_unit(officer: Client, small_agency: SmallAgency) -> None:
    url = reverse("agencies:unit_create", args=[small_agency.precinct_a.pk])
    assert officer.get(url).status_code == 403
    assert officer.post(url, {"name": "X", "code": "X", "kind": "squad"}).status_code == 403
    assert not Unit.objects.filter(code="X").exists()


def test_another_agency_cannot_create_under_this_agencys_unit(
    outsider: Client, small_agency: SmallAgency
) -> None:
    url = reverse("agencies:unit_create", args=[small_agency.precinct_a.pk])
    response = outsider.post(url, {"name": "X", "code": "X", "kind": "squad"})
    assert response.status_code == 404
    assert not Unit.objects.filter(code="X").exists()


# Unit edit -----------------------------------------------------------------------------------


def test_admin_moves_a_unit_and_its_subtree_follows(
    admin: Client, small_agency: SmallAgency
) -> None:
    s = small_agency
    url = reverse("agencies:unit_edit", args=[s.precinct_a.pk])
    form = admin.get(url)
    assert form.status_code == 200
    assert 'name="version" value="1"' in form.content.decode()
    response = admin.post(url, _unit_post(s.precinct_a, parent=s.precinct_b.pk, reason="merger"))
    assert response.status_code == 302
    s.squad_a1.refresh_from_db()
    assert s.squad_a1.path == f"{s.precinct_b.path}{s.precinct_a.pk}/{s.squad_a1.pk}/"
    event = AuditEvent.objects.get(action="unit.update", object_id=str(s.precinct_a.pk))
    assert event.reason == "merger"
    assert "path" in event.changes


def test_moving_a_unit_under_its_own_sub_unit_is_refused_on_the_form(
    admin: Client, small_agency: SmallAgency
) -> None:
    s = small_agency
    url = reverse("agencies:unit_edit", args=[s.precinct_a.pk])
    response = admin.post(url, _unit_post(s.precinct_a, parent=s.squad_a1.pk))
    # The sub-unit is not even offered as a choice.
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    s.precinct_a.refresh_from_db()
    assert s.precinct_a.parent_id == s.bureau.pk


def test_a_stale_unit_edit_gets_409_and_the_first_edit_stays(
    admin: Client, small_agency: SmallAgency
) -> None:
    s = small_agency
    url = reverse("agencies:unit_edit", args=[s.precinct_a.pk])
    first = admin.post(url, _unit_post(s.precinct_a, name="First name"))
    assert first.status_code == 302
    second = admin.post(url, _unit_post(s.precinct_a, name="Second name"))  # same version 1
    assert second.status_code == 409
    assert "changed by someone else" in second.content.decode()
    s.precinct_a.refresh_from_db()
    assert (s.precinct_a.name, s.precinct_a.version) == ("First name", 2)


def test_an_officer_cannot_edit_a_unit(officer: Client, small_agency: SmallAgency) -> None:
    url = reverse("agencies:unit_edit", args=[small_agency.precinct_a.pk])
    assert officer.get(url).status_code == 403
    assert officer.post(url, _unit_post(small_agency.precinct_a, name="X")).status_code == 403
    small_agency.precinct_a.refresh_from_db()
    assert small_agency.precinct_a.name == "Precinct A"


def test_another_agency_gets_404_editing_this_agencys_unit(
    outsider: Client, small_agency: SmallAgency
) -> None:
    url = reverse("agencies:unit_edit", args=[small_agency.precinct_a.pk])
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, _unit_post(small_agency.precinct_a, name="X")).status_code == 404


# Member list ---------------------------------------------------------------------------------


def test_admin_searches_and_filters_members(admin: Client, small_agency: SmallAgency) -> None:
    url = reverse("agencies:member_list")
    everyone = admin.get(url)
    assert everyone.status_code == 200
    assert everyone.context["page"].paginator.count == 4
    by_unit = admin.get(url, {"unit": small_agency.precinct_a.pk})
    assert {m.badge for m in by_unit.context["page"]} == {"S100", "O101", "O201"}
    by_badge = admin.get(url, {"q": "O301"})
    assert [m.badge for m in by_badge.context["page"]] == ["O301"]
    on_leave = admin.get(url, {"status": "leave"})
    assert on_leave.context["page"].paginator.count == 0


def test_a_unit_filter_of_another_agency_is_rejected_not_applied(
    admin: Client, other_agency: SmallAgency
) -> None:
    response = admin.get(reverse("agencies:member_list"), {"unit": other_agency.precinct_a.pk})
    assert response.status_code == 200
    assert "unit" in response.context["filters"].errors
    assert response.context["page"].paginator.count == 4


def test_the_member_list_is_paginated_by_50(admin: Client, small_agency: SmallAgency) -> None:
    for n in range(47):
        member_create(
            actor=small_agency.system,
            badge=f"P{n:03}",
            first_name="Test",
            last_name=f"Zz{n:03}",
            rank="officer",
            unit=small_agency.squad_b1,
            hire_date=date(2020, 1, 1),
        )
    url = reverse("agencies:member_list")
    first = admin.get(url, {"unit": small_agency.precinct_b.pk})
    assert len(first.context["page"]) == 48
    everyone = admin.get(url)
    assert len(everyone.context["page"]) == 50
    assert "page=2" in everyone.content.decode()
    second = admin.get(url, {"page": 2})
    assert [m.badge for m in second.context["page"]] == ["P046"]


def test_a_scoped_supervisor_lists_only_their_subtree(
    supervisor_a: Client, small_agency: SmallAgency
) -> None:
    response = supervisor_a.get(reverse("agencies:member_list"))
    assert response.status_code == 200
    assert {m.badge for m in response.context["page"]} == {"S100", "O101", "O201"}
    assert "Add a member" not in response.content.decode()


def test_a_role_without_member_access_is_refused_the_member_list(
    small_agency: SmallAgency,
) -> None:
    analyst = _client(make_user(small_agency.agency, [Role.ANALYST]))
    assert analyst.get(reverse("agencies:member_list")).status_code == 403


# Member detail -------------------------------------------------------------------------------


def test_admin_reads_a_member_with_the_chain_of_command_and_the_read_is_audited(
    admin: Client, small_agency: SmallAgency
) -> None:
    member = small_agency.officer_a1
    response = admin.get(reverse("agencies:member_detail", args=[member.pk]))
    assert response.status_code == 200
    assert [boss.badge for boss, _ in response.context["chain"]] == ["S100"]
    html = response.content.decode()
    assert "O101" in html
    assert "Squad A1" in html
    event = AuditEvent.objects.get(action="member.read", object_id=str(member.pk))
    assert event.kind == "read"
    assert event.actor_label == "admin"


def test_a_supervisor_of_precinct_a_gets_404_for_a_member_of_precinct_b(
    supervisor_a: Client, small_agency: SmallAgency
) -> None:
    response = supervisor_a.get(
        reverse("agencies:member_detail", args=[small_agency.officer_b1.pk])
    )
    assert response.status_code == 404
    assert "O301" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="member.read").exists()
    inside = supervisor_a.get(reverse("agencies:member_detail", args=[small_agency.officer_a2.pk]))
    assert inside.status_code == 200


def test_another_agency_gets_404_for_this_agencys_member(
    outsider: Client, small_agency: SmallAgency
) -> None:
    response = outsider.get(reverse("agencies:member_detail", args=[small_agency.officer_a1.pk]))
    assert response.status_code == 404


def test_an_officer_reads_their_own_record_but_not_a_colleagues(
    officer: Client, small_agency: SmallAgency
) -> None:
    own = officer.get(reverse("agencies:member_detail", args=[small_agency.officer_a1.pk]))
    assert own.status_code == 200
    assert "Edit this member" not in own.content.decode()
    other = officer.get(reverse("agencies:member_detail", args=[small_agency.officer_a2.pk]))
    assert other.status_code == 404


# Member create -------------------------------------------------------------------------------


def test_admin_adds_a_member(admin: Client, small_agency: SmallAgency) -> None:
    url = reverse("agencies:member_create")
    assert admin.get(url).status_code == 200
    response = admin.post(
        url,
        {
            "badge": "N500",
            "first_name": "Test",
            "last_name": "Newhire",
            "rank": "recruit",
            "unit": small_agency.squad_a2.pk,
            "supervisor": small_agency.sergeant_a1.pk,
            "hire_date": "2024-06-03",
            "status": "active",
            "reason": "academy class 24-2",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(badge="N500")
    assert (member.agency_id, member.supervisor_id) == (
        small_agency.agency.pk,
        small_agency.sergeant_a1.pk,
    )
    assert AuditEvent.objects.filter(action="member.create", reason="academy class 24-2").exists()


def test_supervisor_and_unit_choices_are_limited_to_the_agency(
    admin: Client, small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    form = admin.get(reverse("agencies:member_create")).context["form"]
    assert {m.agency_id for m in form.fields["supervisor"].queryset} == {small_agency.agency.pk}
    assert {u.agency_id for u in form.fields["unit"].queryset} == {small_agency.agency.pk}
    response = admin.post(
        reverse("agencies:member_create"),
        {
            "badge": "N501",
            "first_name": "Test",
            "last_name": "Stray",
            "rank": "officer",
            "unit": other_agency.squad_a1.pk,
            "supervisor": other_agency.sergeant_a1.pk,
            "hire_date": "2024-06-03",
            "status": "active",
        },
    )
    assert response.status_code == 400
    assert {"unit", "supervisor"} <= set(response.context["form"].errors)
    assert not Member.objects.filter(badge="N501").exists()


def test_a_duplicate_badge_is_shown_on_the_badge_field(
    admin: Client, small_agency: SmallAgency
) -> None:
    data = _member_post(small_agency.officer_a2, badge="O101", last_name="Dup")
    response = admin.post(reverse("agencies:member_create"), data)
    assert response.status_code == 400
    assert "already held by" in response.context["form"].errors["badge"][0]


def test_an_officer_cannot_add_a_member(officer: Client, small_agency: SmallAgency) -> None:
    url = reverse("agencies:member_create")
    assert officer.get(url).status_code == 403
    data = _member_post(small_agency.officer_a2, badge="N502")
    assert officer.post(url, data).status_code == 403
    assert not Member.objects.filter(badge="N502").exists()


# Member edit ---------------------------------------------------------------------------------


def test_admin_edits_a_member_and_the_change_is_audited(
    admin: Client, small_agency: SmallAgency
) -> None:
    member = small_agency.officer_a2
    url = reverse("agencies:member_edit", args=[member.pk])
    form = admin.get(url)
    assert form.status_code == 200
    assert AuditEvent.objects.filter(action="member.read", object_id=str(member.pk)).exists()
    response = admin.post(url, _member_post(member, rank="detective", status="leave"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.rank, member.status, member.version) == ("detective", "leave", 2)
    event = AuditEvent.objects.get(action="member.update", object_id=str(member.pk))
    assert event.changes["rank"] == ["officer", "detective"]


def test_two_edits_from_the_same_version_the_second_gets_409(
    admin: Client, small_agency: SmallAgency
) -> None:
    member = small_agency.officer_a2
    url = reverse("agencies:member_edit", args=[member.pk])
    first = admin.post(url, _member_post(member, last_name="Firstedit"))
    assert first.status_code == 302
    second = admin.post(url, _member_post(member, last_name="Secondedit"))
    assert second.status_code == 409
    assert "Reload the page" in second.content.decode()
    member.refresh_from_db()
    assert (member.last_name, member.version) == ("Firstedit", 2)


def test_a_supervisor_cycle_is_refused_on_the_form(
    admin: Client, small_agency: SmallAgency
) -> None:
    sergeant = small_agency.sergeant_a1
    url = reverse("agencies:member_edit", args=[sergeant.pk])
    response = admin.post(url, _member_post(sergeant, supervisor=small_agency.officer_a1.pk))
    assert response.status_code == 400
    assert "own supervisor" in response.context["form"].errors["supervisor"][0]
    sergeant.refresh_from_db()
    assert sergeant.supervisor_id is None


def test_a_supervisor_cannot_edit_a_member_even_in_their_subtree(
    supervisor_a: Client, small_agency: SmallAgency
) -> None:
    member = small_agency.officer_a2
    url = reverse("agencies:member_edit", args=[member.pk])
    assert supervisor_a.get(url).status_code == 403
    assert supervisor_a.post(url, _member_post(member, last_name="X")).status_code == 403
    member.refresh_from_db()
    assert member.last_name == "O201"


def test_another_agency_gets_404_editing_this_agencys_member(
    outsider: Client, small_agency: SmallAgency
) -> None:
    member = small_agency.officer_a2
    url = reverse("agencies:member_edit", args=[member.pk])
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, _member_post(member, last_name="X")).status_code == 404
    member.refresh_from_db()
    assert member.last_name == "O201"


# Agency settings -----------------------------------------------------------------------------


def test_admin_requires_two_factor_for_roles_with_a_reason(
    admin: Client, small_agency: SmallAgency
) -> None:
    url = reverse("agencies:agency_settings")
    page = admin.get(url)
    assert page.status_code == 200
    assert 'type="checkbox"' in page.content.decode()
    response = admin.post(
        url, {"require_2fa_roles": ["supervisor", "commander"], "reason": "board decision"}
    )
    assert response.status_code == 302
    agency = Agency.objects.get(pk=small_agency.agency.pk)
    assert agency.require_2fa_roles == ["commander", "supervisor"]
    event = AuditEvent.objects.get(action="agency.configure")
    assert event.reason == "board decision"


def test_requiring_two_factor_for_admins_sends_the_admin_to_enrol(
    admin: Client, small_agency: SmallAgency
) -> None:
    url = reverse("agencies:agency_settings")
    admin.post(url, {"require_2fa_roles": ["agency_admin"], "reason": "policy"})
    response = admin.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor")


def test_agency_settings_need_a_reason_and_known_roles(
    admin: Client, small_agency: SmallAgency
) -> None:
    url = reverse("agencies:agency_settings")
    no_reason = admin.post(url, {"require_2fa_roles": ["supervisor"]})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.context["form"].errors
    unknown = admin.post(url, {"require_2fa_roles": ["wizard"], "reason": "x"})
    assert unknown.status_code == 400
    assert Agency.objects.get(pk=small_agency.agency.pk).require_2fa_roles == []
    assert not AuditEvent.objects.filter(action="agency.configure").exists()


def test_an_officer_cannot_change_agency_settings(
    officer: Client, small_agency: SmallAgency
) -> None:
    url = reverse("agencies:agency_settings")
    assert officer.get(url).status_code == 403
    response = officer.post(url, {"require_2fa_roles": ["officer"], "reason": "x"})
    assert response.status_code == 403
    assert Agency.objects.get(pk=small_agency.agency.pk).require_2fa_roles == []


def test_another_agencys_admin_changes_only_their_own_agency(
    outsider: Client, small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    response = outsider.post(
        reverse("agencies:agency_settings"),
        {"require_2fa_roles": ["supervisor"], "reason": "ours"},
    )
    assert response.status_code == 302
    assert Agency.objects.get(pk=other_agency.agency.pk).require_2fa_roles == ["supervisor"]
    assert Agency.objects.get(pk=small_agency.agency.pk).require_2fa_roles == []


def test_admin_renames_the_root_unit_which_keeps_no_parent(
    admin: Client, small_agency: SmallAgency
) -> None:
    root = small_agency.root
    url = reverse("agencies:unit_edit", args=[root.pk])
    assert "parent" not in admin.get(url).context["form"].fields
    response = admin.post(url, _unit_post(root, name="Renamed Agency"))
    assert response.status_code == 302
    root.refresh_from_db()
    assert (root.name, root.parent_id, root.path) == ("Renamed Agency", None, f"/{root.pk}/")
