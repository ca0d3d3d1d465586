"""Builders for the policy tests: documents and versions made through the real services."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from django.test import Client

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Agency
from steadyhand.policy import services
from steadyhand.policy.models import PolicyDocument, PolicyVersion

SECTIONS = (
    ("1", "Purpose", "Members slow encounters down so that force is needed less often."),
    ("2", "Definitions", "Time, distance and cover means putting space between people."),
    ("3", "Duty", "Members shall use de-escalation when it is safe and feasible."),
)


def policy_system(agency: Agency) -> Actor:
    """The command line acting as a commander (may backdate a publication)."""
    return Actor.system(agency_id=agency.pk, label="policy-tests", roles=(Role.COMMANDER,))


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def make_document(
    actor: Actor, *, code: str = "DE-1", ranks: Sequence[str] = (), title: str = "De-escalation"
) -> PolicyDocument:
    return services.policy_document_create(
        actor=actor, code=code, title=title, kind="de_escalation", applies_to_ranks=list(ranks)
    )


def make_draft(
    actor: Actor,
    document: PolicyDocument,
    sections: Sequence[tuple[str, str, str]] | None = SECTIONS,
    *,
    ack_due_days: int = 30,
) -> PolicyVersion:
    """A new draft; with ``sections`` it replaces whatever was copied from the last version."""
    version = services.policy_version_create(
        actor=actor, document=document, summary="test", ack_due_days=ack_due_days
    )
    if sections is not None:
        for section in list(version.sections.all()):
            services.policy_section_delete(actor=actor, section=section, expected_version=None)
        for number, heading, text in sections:
            services.policy_section_add(
                actor=actor,
                version=version,
                expected_version=None,
                number=number,
                heading=heading,
                text=text,
            )
    version.refresh_from_db()
    return version


def make_published(
    actor: Actor,
    document: PolicyDocument,
    sections: Sequence[tuple[str, str, str]] | None = SECTIONS,
    *,
    published_on: date | None = None,
    ack_due_days: int = 30,
) -> PolicyVersion:
    """A published version; ``published_on`` needs a system actor (see ``policy_system``)."""
    version = make_draft(actor, document, sections, ack_due_days=ack_due_days)
    version = services.policy_version_approve(actor=actor, version=version)
    return services.policy_version_publish(
        actor=actor,
        version=version,
        published_at=noon(published_on) if published_on else None,
    )


def client_for(actor: Actor) -> Client:
    """A browser logged in as ``actor``'s user."""
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    return client
