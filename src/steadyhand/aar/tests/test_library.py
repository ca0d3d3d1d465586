"""Case-library publication: only agreed lessons, only de-identified text, readable by all."""

import pytest

from steadyhand.aar import services
from steadyhand.aar.deidentify import KnownIdentifiers, find_problems
from steadyhand.aar.models import CaseLibraryEntry, Lesson
from steadyhand.aar.selectors import library_entries
from steadyhand.aar.tests.factories import Scene, reviewed
from steadyhand.core.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db

CLEAN = {
    "title": "Person in crisis: distance buys time",
    "summary": "Two officers met a person in crisis in a residence in early spring 2026.",
    "lessons_text": "Create distance before giving commands.",
    "training_recommendations": "Add a distance drill to in-service training.",
}


def _agree_all(scene: Scene, lesson: Lesson) -> None:
    for who in (scene.officer, scene.partner):
        services.lesson_agree(actor=who, lesson=lesson, agree=True)


def _publish(scene: Scene, lesson: Lesson, **overrides: str) -> CaseLibraryEntry:
    return services.case_library_publish(
        actor=scene.trainer,
        aar=lesson.aar,
        lessons=[lesson],
        **{**CLEAN, **overrides},  # type: ignore[arg-type]
    )


def test_a_trainer_publishes_agreed_lessons(scene: Scene) -> None:
    _, lesson = reviewed(scene)
    _agree_all(scene, lesson)
    entry = _publish(scene, lesson)
    assert Lesson.objects.get(pk=lesson.pk).published_in_id == entry.pk
    assert entry.period.startswith(str(scene.incident.occurred_at.year))
    assert "Q" in entry.period
    kinds = [step["kind"] for step in entry.event_sequence]
    assert kinds == list(scene.incident.events.order_by("sequence").values_list("kind", flat=True))
    force = next(step for step in entry.event_sequence if step["kind"] == "force")
    assert force["alternative"] == "create_distance"
    assert force["decision_point"] is True
    # Every member reads it, internal affairs included: it is de-identified.
    for who in (scene.bystander, scene.ia, scene.officer):
        assert list(library_entries(actor=who)) == [entry]


def test_a_lesson_not_agreed_by_everyone_stays_in_the_review(scene: Scene) -> None:
    _, lesson = reviewed(scene)
    services.lesson_agree(actor=scene.officer, lesson=lesson, agree=True)
    with pytest.raises(InvalidInput, match="not been agreed by every participant"):
        _publish(scene, lesson)
    assert not CaseLibraryEntry.objects.exists()


@pytest.mark.parametrize("who", ["sergeant", "commander", "officer", "ia"])
def test_only_trainers_publish(scene: Scene, who: str) -> None:
    _, lesson = reviewed(scene)
    _agree_all(scene, lesson)
    with pytest.raises(PermissionDenied):
        services.case_library_publish(
            actor=getattr(scene, who), aar=lesson.aar, lessons=[lesson], **CLEAN
        )
    assert not CaseLibraryEntry.objects.exists()


def _refusals(scene: Scene) -> dict[str, str]:
    a = scene.agency
    return {
        "participant's last name": f"Officer {a.officer_a1.last_name} stepped back.",
        "participant's name in lower case": f"then {a.officer_a2.last_name.lower()} spoke",
        "another member's name": f"Sergeant {a.officer_b1.last_name} arrived later.",
        "facilitator's name": f"{a.sergeant_a1.last_name} led the review.",
        "badge number": f"The cover officer ({a.officer_a2.badge}) waited.",
        "badge pattern": "The officer, badge 4471, waited.",
        "case number": f"See {scene.incident.case_number} for details.",
        "location": f"It happened at the {scene.incident.location.lower()}.",
        "street address": "They met at 4410 N. Clark Street near the park.",
        "ISO date": "On 2026-03-14 the call came in.",
        "US date": "On 3/14/2026 the call came in.",
        "month day": "On March 14th the call came in.",
        "day month": "On the 14 March the call came in.",
    }


def test_the_de_identification_check_refuses_identifying_text(scene: Scene) -> None:
    _, lesson = reviewed(scene)
    _agree_all(scene, lesson)
    for why, text in _refusals(scene).items():
        with pytest.raises(InvalidInput) as exc:
            _publish(scene, lesson, summary=text)
        assert list(exc.value.errors) == ["summary"], why
        assert "Contains" in exc.value.errors["summary"][0], why
    # Every field is checked, not only the summary.
    for field in ("title", "lessons_text", "training_recommendations"):
        with pytest.raises(InvalidInput) as exc:
            _publish(scene, lesson, **{field: scene.incident.case_number})
        assert exc.value.errors
    assert not CaseLibraryEntry.objects.exists()
    # The control: month and year, or a season, are allowed; so is the clean text.
    _publish(scene, lesson, summary="In March 2026, in spring, two officers met a person.")


def test_ordinary_words_that_are_surnames_elsewhere_pass_unless_written_as_names() -> None:
    known = KnownIdentifiers(agency_names=frozenset({"long", "young"}))
    assert find_problems("A long talk with a young man.", known) == []
    assert find_problems("Officer Long talked.", known)
    assert find_problems("OFFICER LONG TALKED.", known)
    assert find_problems("In March 2026 and in winter.", KnownIdentifiers()) == []
