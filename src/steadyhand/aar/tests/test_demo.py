import pytest

from steadyhand.aar.demo import build_demo_reviews
from steadyhand.aar.models import AfterActionReview, CaseLibraryEntry, EventNote, Lesson
from steadyhand.aar.tests.factories import Scene

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_walked_review_with_lessons_and_a_library_entry(scene: Scene) -> None:
    assert build_demo_reviews(agency=scene.agency.agency, seed=7) == 1
    aar = AfterActionReview.objects.get(incident=scene.incident)
    assert aar.facilitator_id == scene.agency.sergeant_a1.pk
    assert EventNote.objects.filter(aar=aar).count() == scene.incident.events.count()
    assert Lesson.objects.filter(aar=aar).exists()
    # The first review is offered for publication; it is published if everyone agreed.
    published = Lesson.objects.filter(aar=aar, published_in__isnull=False).exists()
    assert CaseLibraryEntry.objects.exists() == published
    assert build_demo_reviews(agency=scene.agency.agency, seed=7) == 0  # nothing left to open
