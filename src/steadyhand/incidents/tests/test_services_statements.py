"""Each involved member's own statement, and the duty to intervene."""

import pytest

from steadyhand.core.errors import InvalidInput, NotFound, PermissionDenied
from steadyhand.incidents import services
from steadyhand.incidents.models import Incident, Statement, StatementStatus
from steadyhand.incidents.tests.report_factories import People, force_report, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(people: People) -> Incident:
    incident = force_report(people.officer)
    services.involvement_add(
        actor=people.officer, incident=incident, expected_version=None,
        badge=people.agency.officer_a2.badge, role_on_scene="cover",
    )  # fmt: skip
    return services.incident_submit(actor=people.officer, incident=incident, expected_version=None)


def _answer(people: People, statement: Statement, **overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "actor": people.partner,
        "statement": statement,
        "expected_version": statement.version,
        "text": "I covered from the doorway.",
        "witnessed_force": True,
        "intervened": None,
        "intervention_note": "",
    }
    fields.update(overrides)
    return fields


def test_each_member_on_scene_owes_a_statement(people: People, submitted: Incident) -> None:
    assert Statement.objects.filter(involvement__incident=submitted).count() == 2
    statement = services.statement_open(actor=people.partner, incident=submitted)
    assert statement.involvement.member == people.agency.officer_a2


def test_witnessed_force_needs_the_intervention_answer(people: People, submitted: Incident) -> None:
    statement = services.statement_open(actor=people.partner, incident=submitted)
    saved = services.statement_save(**_answer(people, statement))  # type: ignore[arg-type]
    assert saved.status == StatementStatus.DRAFT
    with pytest.raises(InvalidInput) as exc:
        services.statement_submit(**_answer(people, saved))  # type: ignore[arg-type]
    assert "whether you intervened" in exc.value.errors["intervened"][0]
    done = services.statement_submit(**_answer(people, saved, intervened=False))  # type: ignore[arg-type]
    assert (done.status, done.intervened) == (StatementStatus.SUBMITTED, False)
    with pytest.raises(InvalidInput, match="no longer changes"):
        services.statement_save(**_answer(people, done, intervened=True))  # type: ignore[arg-type]


def test_an_empty_statement_is_not_submitted(people: People, submitted: Incident) -> None:
    statement = services.statement_open(actor=people.partner, incident=submitted)
    with pytest.raises(InvalidInput) as exc:
        services.statement_submit(**_answer(people, statement, text=" ", witnessed_force=False))  # type: ignore[arg-type]
    assert set(exc.value.errors) == {"text"}


def test_no_one_writes_someone_elses_statement(people: People, submitted: Incident) -> None:
    statement = services.statement_open(actor=people.partner, incident=submitted)
    with pytest.raises(PermissionDenied):
        services.statement_save(**_answer(people, statement, actor=people.officer))  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.statement_save(**_answer(people, statement, actor=people.sergeant))  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        services.statement_save(**_answer(people, statement, actor=people.officer_b))  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        services.statement_open(actor=people.officer_b, incident=submitted)
    assert fresh(submitted).pk == submitted.pk
