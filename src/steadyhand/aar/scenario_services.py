"""A trainer drafts a simulator scenario from a closed after-action review.

Kept apart from ``services.py`` (the review's writes). Nothing is stored: the draft is text the
trainer downloads and tunes. The read is audited like any other AAR write, with record ids only
(see the ``services`` module docstring): the auditor may see that a draft was made, not its text.
"""

from django.db import transaction

from steadyhand.aar.deidentify import find_problems
from steadyhand.aar.locks import lock_aar
from steadyhand.aar.models import AfterActionReview, EventNote
from steadyhand.aar.scenario_draft import checked_texts, draft_scenario_toml
from steadyhand.aar.selectors import known_identifiers
from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput


@transaction.atomic
def aar_scenario_draft(*, actor: Actor, aar: AfterActionReview) -> str:
    """The draft scenario TOML of a closed review the actor may publish from.

    Refused while the review is open (its account is not settled), and if the generated text
    fails the case library's de-identification check (it should not: it is built from codes).
    """
    locked = lock_aar(actor=actor, aar=aar)  # NotFound outside the actor's agency
    ensure(actor, "aar.publish", locked)
    ensure(actor, "aar.view", locked)
    if locked.is_open:
        raise InvalidInput(
            {"status": ["Close the review first: a scenario is drafted from a settled account."]}
        )
    # The free text that may reach the draft (call type, the review's alternatives) decides
    # which badge and case numbers to look up.
    free_text = [
        locked.incident.call_type,
        *EventNote.objects.filter(aar_id=locked.pk).values_list("alternative", flat=True),
    ]
    known = known_identifiers(aar=locked, texts=free_text)
    generated = checked_texts(locked, known)
    problems = [p for text in generated for p in find_problems(text, known)]
    if problems:
        raise InvalidInput({"draft": problems})
    text = draft_scenario_toml(locked, known)
    audit_record(actor=actor, action="aar.scenario_draft", obj=locked, changes={"aar": locked.pk})
    return text
