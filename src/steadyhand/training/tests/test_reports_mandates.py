"""Mandates as data: create, change, delete, the example rule sets, and who may do it."""

from decimal import Decimal

import pytest
from django.test import Client

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.training.models import Mandate, ParityGroup, Setting, Topic
from steadyhand.training.services.mandates import (
    EXAMPLE_ICAT,
    EXAMPLE_REFRESHERS,
    mandate_create,
    mandate_delete,
    mandate_load_example_rule_sets,
    mandate_update,
)
from steadyhand.training.tests.factories_reports import make_topic


@pytest.fixture
def deesc(small_agency: SmallAgency) -> Topic:
    return make_topic(small_agency.agency, "de_escalation", ParityGroup.DE_ESCALATION)


def _trainer(a: SmallAgency):  # type: ignore[no-untyped-def]
    return actor_of(make_user(a.agency, [Role.TRAINER]))


def _last_event(a: SmallAgency) -> AuditEvent:
    event = AuditEvent.objects.filter(agency_id=a.agency.pk).order_by("-seq").first()
    assert event is not None
    return event


def test_create_is_validated_and_audited(small_agency: SmallAgency, deesc: Topic) -> None:
    a = small_agency
    m = mandate_create(
        actor=_trainer(a),
        name="Annual",
        topic=deesc,
        hours=Decimal("4"),
        period_months=12,
        ranks=["sergeant", "officer", "officer"],
        setting=Setting.IN_SERVICE,
        reason="state rule",
    )
    assert m.ranks == ["officer", "sergeant"]
    event = _last_event(a)
    assert (event.action, event.object_id, event.reason) == (
        "mandate.create",
        str(m.pk),
        "state rule",
    )
    assert event.changes["hours"] == [None, "4"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours": Decimal("0")}, "hours"),
        ({"period_months": 0}, "period_months"),
        ({"period_months": 241}, "period_months"),
        ({"ranks": ["general"]}, "ranks"),
        ({"setting": "online"}, "setting"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_mandates_are_refused_with_the_field(
    small_agency: SmallAgency, deesc: Topic, changes: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {
        "name": "Annual",
        "topic": deesc,
        "hours": Decimal("4"),
        "period_months": 12,
    }
    args.update(changes)
    with pytest.raises(InvalidInput) as caught:
        mandate_create(actor=_trainer(small_agency), **args)  # type: ignore[arg-type]
    assert field in caught.value.errors
    assert not Mandate.objects.exists()


def test_a_topic_of_another_agency_is_refused(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    foreign = make_topic(other_agency.agency, "de_escalation", ParityGroup.DE_ESCALATION)
    with pytest.raises(InvalidInput) as caught:
        mandate_create(
            actor=_trainer(small_agency),
            name="x",
            topic=foreign,
            hours=Decimal("1"),
            period_months=12,
        )
    assert "topic" in caught.value.errors


def test_names_are_unique_within_a_rule_set(small_agency: SmallAgency, deesc: Topic) -> None:
    actor = _trainer(small_agency)
    args = {"topic": deesc, "hours": Decimal("4"), "period_months": 12}
    mandate_create(actor=actor, name="Annual", rule_set="State", **args)  # type: ignore[arg-type]
    mandate_create(actor=actor, name="Annual", rule_set="County", **args)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="already exists"):
        mandate_create(actor=actor, name="Annual", rule_set="State", **args)  # type: ignore[arg-type]


def test_update_refuses_a_stale_copy(small_agency: SmallAgency, deesc: Topic) -> None:
    actor = _trainer(small_agency)
    m = mandate_create(
        actor=actor, name="Annual", topic=deesc, hours=Decimal("4"), period_months=12
    )
    seen = m.updated_at
    fields = {"name": "Annual", "topic": deesc, "period_months": 12}
    mandate_update(actor=actor, mandate=m, expected_updated_at=seen, hours=Decimal("6"), **fields)  # type: ignore[arg-type]
    with pytest.raises(ConflictError):
        mandate_update(
            actor=actor,
            mandate=m,
            expected_updated_at=seen,
            hours=Decimal("8"),
            **fields,  # type: ignore[arg-type]
        )
    m.refresh_from_db()
    assert m.hours == Decimal("6")
    event = _last_event(small_agency)
    assert event.action == "mandate.update"
    assert event.changes == {"hours": ["4.00", "6"]}


def test_delete_is_audited(small_agency: SmallAgency, deesc: Topic) -> None:
    actor = _trainer(small_agency)
    m = mandate_create(
        actor=actor, name="Annual", topic=deesc, hours=Decimal("4"), period_months=12
    )
    mandate_delete(actor=actor, mandate=m, reason="repealed")
    assert not Mandate.objects.exists()
    event = _last_event(small_agency)
    assert (event.action, event.reason) == ("mandate.delete", "repealed")
    assert event.changes["name"] == ["Annual", None]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.AGENCY_ADMIN])
def test_roles_without_mandate_manage_cannot_write(
    small_agency: SmallAgency, deesc: Topic, role: Role
) -> None:
    actor = actor_of(make_user(small_agency.agency, [role]))
    with pytest.raises(PermissionDenied):
        mandate_create(actor=actor, name="x", topic=deesc, hours=Decimal("1"), period_months=1)
    with pytest.raises(PermissionDenied):
        mandate_load_example_rule_sets(actor=actor)
    assert not Mandate.objects.exists()


def test_a_trainer_of_another_agency_cannot_touch_this_agencys_mandate(
    small_agency: SmallAgency, other_agency: SmallAgency, deesc: Topic
) -> None:
    m = mandate_create(
        actor=_trainer(small_agency), name="A", topic=deesc, hours=Decimal("1"), period_months=1
    )
    with pytest.raises(Mandate.DoesNotExist):
        mandate_delete(actor=_trainer(other_agency), mandate=m)
    assert Mandate.objects.filter(pk=m.pk).exists()


# Example rule sets ----------------------------------------------------------------------------


def test_example_rule_sets_load_once_and_are_labelled(small_agency: SmallAgency) -> None:
    a = small_agency
    commander = actor_of(make_user(a.agency, [Role.COMMANDER]))
    first = mandate_load_example_rule_sets(actor=commander)
    assert len(first.created) == 3
    rows = {
        (m.rule_set, m.topic.code, m.hours, m.period_months, m.setting)
        for m in Mandate.objects.filter(agency=a.agency).select_related("topic")
    }
    assert rows == {
        (EXAMPLE_ICAT, "de_escalation", Decimal("16.00"), 60, ""),
        (EXAMPLE_REFRESHERS, "de_escalation", Decimal("4.00"), 12, Setting.IN_SERVICE),
        (EXAMPLE_REFRESHERS, "crisis_intervention", Decimal("4.00"), 12, Setting.IN_SERVICE),
    }
    assert all(m.rule_set.startswith("Example:") for m in Mandate.objects.all())
    assert all("(example)" in m.name for m in Mandate.objects.all())
    # Topics were missing, so they were created (and audited) with the standard codes.
    assert Topic.objects.filter(agency=a.agency).count() == 2
    assert AuditEvent.objects.filter(agency_id=a.agency.pk, action="topic.create").count() == 2
    events_before = AuditEvent.objects.filter(agency_id=a.agency.pk).count()
    second = mandate_load_example_rule_sets(actor=commander)
    assert second.created == []
    assert second.already_there == 3
    assert Mandate.objects.count() == 3
    assert Topic.objects.count() == 2
    assert AuditEvent.objects.filter(agency_id=a.agency.pk).count() == events_before


def test_examples_reuse_the_agencys_own_topics(small_agency: SmallAgency, deesc: Topic) -> None:
    crisis = make_topic(small_agency.agency, "cit", ParityGroup.DE_ESCALATION)
    mandate_load_example_rule_sets(actor=_trainer(small_agency))
    assert {m.topic_id for m in Mandate.objects.all()} == {deesc.pk, crisis.pk}
    assert Topic.objects.count() == 2


def test_an_edited_example_is_left_alone(small_agency: SmallAgency) -> None:
    actor = _trainer(small_agency)
    mandate_load_example_rule_sets(actor=actor)
    Mandate.objects.filter(rule_set=EXAMPLE_ICAT).update(hours=Decimal("24"))
    mandate_load_example_rule_sets(actor=actor)
    assert Mandate.objects.get(rule_set=EXAMPLE_ICAT).hours == Decimal("24")


def test_each_agency_gets_its_own_examples(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    mandate_load_example_rule_sets(actor=_trainer(small_agency))
    mandate_load_example_rule_sets(actor=_trainer(other_agency))
    assert Mandate.objects.filter(agency=small_agency.agency).count() == 3
    assert Mandate.objects.filter(agency=other_agency.agency).count() == 3


# Pages ----------------------------------------------------------------------------------------


def _client(a: SmallAgency, roles: list[Role]) -> Client:
    client = Client()
    client.force_login(make_user(a.agency, roles))  # type: ignore[arg-type]
    return client


def test_a_trainer_manages_mandates_in_the_browser(small_agency: SmallAgency, deesc: Topic) -> None:
    client = _client(small_agency, [Role.TRAINER])
    assert client.get("/training/reports/mandates/").status_code == 200
    response = client.post(
        "/training/reports/mandates/new/",
        {
            "name": "Annual",
            "rule_set": "",
            "topic": deesc.pk,
            "hours": "4",
            "period_months": "12",
            "setting": "in_service",
            "ranks": ["officer", "sergeant"],
            "due_soon_days": "30",
            "active": "on",
        },
    )
    assert response.status_code == 302
    m = Mandate.objects.get()
    assert (m.hours, m.period_months, m.ranks, m.due_soon_days) == (
        Decimal("4.00"),
        12,
        ["officer", "sergeant"],
        30,
    )
    page = client.get("/training/reports/mandates/").content.decode()
    assert "4 h of De Escalation in every rolling 12 months, in-service courses only" in page
    edit = client.get(f"/training/reports/mandates/{m.pk}/edit/")
    assert edit.status_code == 200
    stamp = edit.context["form"].initial["updated_at"]
    data = {
        "name": "Annual",
        "topic": deesc.pk,
        "hours": "6",
        "period_months": "12",
        "due_soon_days": "30",
        "updated_at": stamp,
    }
    assert client.post(f"/training/reports/mandates/{m.pk}/edit/", data).status_code == 302
    m.refresh_from_db()
    assert (m.hours, m.active, m.setting) == (Decimal("6.00"), False, "")
    # The same stale form again: someone else's change must not be overwritten silently.
    stale = client.post(f"/training/reports/mandates/{m.pk}/edit/", {**data, "hours": "9"})
    assert stale.status_code == 409
    m.refresh_from_db()
    assert m.hours == Decimal("6.00")
    bad = client.post("/training/reports/mandates/new/", {**data, "name": "B", "hours": "0"})
    assert bad.status_code == 400
    assert client.post(f"/training/reports/mandates/{m.pk}/delete/", {}).status_code == 302
    assert not Mandate.objects.exists()


def test_examples_button(small_agency: SmallAgency) -> None:
    client = _client(small_agency, [Role.COMMANDER])
    response = client.post("/training/reports/mandates/examples/", follow=True)
    assert response.status_code == 200
    assert "Added 3 example mandates" in response.content.decode()
    again = client.post("/training/reports/mandates/examples/", follow=True).content.decode()
    assert "already loaded" in again
    assert Mandate.objects.count() == 3
    page = client.get("/training/reports/mandates/").content.decode()
    assert page.count("example, not law") == 3


def test_mandate_pages_refuse_supervisors_and_other_agencies(
    small_agency: SmallAgency, other_agency: SmallAgency, deesc: Topic
) -> None:
    m = mandate_create(
        actor=_trainer(small_agency), name="A", topic=deesc, hours=Decimal("1"), period_months=1
    )
    supervisor = _client(small_agency, [Role.SUPERVISOR])
    assert supervisor.get("/training/reports/mandates/").status_code == 403
    assert supervisor.post(f"/training/reports/mandates/{m.pk}/delete/").status_code == 403
    outsider = _client(other_agency, [Role.TRAINER])
    assert outsider.get(f"/training/reports/mandates/{m.pk}/edit/").status_code == 404
    assert outsider.post(f"/training/reports/mandates/{m.pk}/delete/").status_code == 404
    assert Mandate.objects.filter(pk=m.pk).exists()
