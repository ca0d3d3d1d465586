"""Writes for mandates (training requirements as data) and the parity target ratio.

Each: check permission, validate, save, audit — in one transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.agencies.models import Rank
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.versioning import model_changes
from steadyhand.training.models import Mandate, ParityGroup, Setting, Topic, TrainingSettings

MAX_PERIOD_MONTHS = 240
MAX_TARGET_RATIO = Decimal("99.99")


def _full_clean(
    instance: Mandate | Topic | TrainingSettings, exclude: list[str] | None = None
) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from exc


def _normalise_ranks(ranks: Iterable[str]) -> list[str]:
    chosen = sorted({str(r) for r in ranks})
    unknown = [r for r in chosen if r not in Rank.values]
    if unknown:
        raise InvalidInput(
            {"ranks": [f"Unknown rank(s): {', '.join(unknown)}. Use: {', '.join(Rank.values)}."]}
        )
    return chosen


def _validate(mandate: Mandate, *, actor: Actor) -> None:
    errors: dict[str, list[str]] = {}
    if mandate.topic.agency_id != actor.agency_id:
        errors["topic"] = ["The topic belongs to another agency."]
    if mandate.hours is None or mandate.hours <= 0:
        errors["hours"] = ["Enter the hours required, more than 0 (e.g. 4 or 16)."]
    if not 1 <= (mandate.period_months or 0) <= MAX_PERIOD_MONTHS:
        errors["period_months"] = [
            f"The rolling period is between 1 and {MAX_PERIOD_MONTHS} months (e.g. 12 or 60)."
        ]
    if mandate.setting not in ("", *Setting.values):
        errors["setting"] = ["Choose academy, in-service, or leave empty for either."]
    if errors:
        raise InvalidInput(errors)
    _full_clean(mandate)
    clash = (
        Mandate.objects.filter(
            agency_id=mandate.agency_id, rule_set=mandate.rule_set, name=mandate.name
        )
        .exclude(pk=mandate.pk)
        .exists()
    )
    if clash:
        where = f"rule set “{mandate.rule_set}”" if mandate.rule_set else "no rule set"
        raise InvalidInput(
            {"name": [f"A mandate named “{mandate.name}” already exists in {where}."]}
        )


def _snapshot(mandate: Mandate) -> dict[str, list[object]]:
    return {
        "name": [None, mandate.name],
        "rule_set": [None, mandate.rule_set],
        "topic": [None, mandate.topic_id],
        "hours": [None, str(mandate.hours)],
        "period_months": [None, mandate.period_months],
        "ranks": [None, list(mandate.ranks)],
        "setting": [None, mandate.setting],
        "due_soon_days": [None, mandate.due_soon_days],
        "active": [None, mandate.active],
    }


@transaction.atomic
def mandate_create(
    *,
    actor: Actor,
    name: str,
    topic: Topic,
    hours: Decimal,
    period_months: int,
    rule_set: str = "",
    ranks: Iterable[str] = (),
    setting: str = "",
    due_soon_days: int = 60,
    active: bool = True,
    reason: str = "",
) -> Mandate:
    ensure(actor, "mandate.manage", Scope(agency_id=actor.agency_id))
    mandate = Mandate(
        agency_id=actor.agency_id,
        name=name.strip(),
        rule_set=rule_set.strip(),
        topic=topic,
        hours=hours,
        period_months=period_months,
        ranks=_normalise_ranks(ranks),
        setting=setting,
        due_soon_days=due_soon_days,
        active=active,
    )
    _validate(mandate, actor=actor)
    mandate.save()
    audit_record(
        actor=actor, action="mandate.create", obj=mandate, changes=_snapshot(mandate), reason=reason
    )
    return mandate


@transaction.atomic
def mandate_update(
    *,
    actor: Actor,
    mandate: Mandate,
    expected_updated_at: datetime | None,
    name: str,
    topic: Topic,
    hours: Decimal,
    period_months: int,
    rule_set: str = "",
    ranks: Iterable[str] = (),
    setting: str = "",
    due_soon_days: int = 60,
    active: bool = True,
    reason: str = "",
) -> Mandate:
    """Change a mandate. Mandates carry no version number, so the time of the last save the
    editor saw (``expected_updated_at``) guards against overwriting someone else's change."""
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk, agency_id=actor.agency_id)
    ensure(actor, "mandate.manage", Scope(agency_id=mandate.agency_id))
    if expected_updated_at is not None and expected_updated_at != mandate.updated_at:
        raise ConflictError(
            f"Mandate “{mandate}” was changed by someone else while you were editing. "
            "Reload the page to see their change, then make yours again."
        )
    changes = model_changes(
        mandate,
        {
            "name": name.strip(),
            "rule_set": rule_set.strip(),
            "topic": topic,
            "hours": hours,
            "period_months": period_months,
            "ranks": _normalise_ranks(ranks),
            "setting": setting,
            "due_soon_days": due_soon_days,
            "active": active,
        },
    )
    if not changes:
        return mandate
    _validate(mandate, actor=actor)
    mandate.save()
    audit_record(actor=actor, action="mandate.update", obj=mandate, changes=changes, reason=reason)
    return mandate


@transaction.atomic
def mandate_delete(*, actor: Actor, mandate: Mandate, reason: str = "") -> None:
    """Remove a mandate. Nothing refers to a mandate (compliance is computed, never stored), so
    deleting loses no record; to pause a rule instead, make it inactive."""
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk, agency_id=actor.agency_id)
    ensure(actor, "mandate.manage", Scope(agency_id=mandate.agency_id))
    snapshot = {field: [values[1], None] for field, values in _snapshot(mandate).items()}
    audit_record(actor=actor, action="mandate.delete", obj=mandate, changes=snapshot, reason=reason)
    mandate.delete()


# Example rule sets ---------------------------------------------------------------------------

EXAMPLE_ICAT = "Example: ICAT-style de-escalation"
EXAMPLE_REFRESHERS = "Example: annual in-service refreshers"
EXAMPLE_NOTE = (
    "Example rule set shipped with Steadyhand to show how mandates work; it is not any "
    "state's law. Edit or delete it to match your own requirements."
)


@dataclass(frozen=True)
class _ExampleTopic:
    codes: tuple[str, ...]
    name: str
    parity_group: str


# Codes, names and parity groups as in the catalogue's standard topics
# (``services/catalogue.py``), so an agency set up with them gets no duplicate topic.
DEESC_TOPIC = _ExampleTopic(
    ("de_escalation", "de-escalation", "deescalation"), "De-escalation", ParityGroup.DE_ESCALATION
)
CRISIS_TOPIC = _ExampleTopic(
    ("crisis_intervention", "crisis-intervention", "crisis", "cit"),
    "Crisis intervention",
    ParityGroup.DE_ESCALATION,
)


@dataclass(frozen=True)
class _ExampleMandate:
    rule_set: str
    name: str
    topic: _ExampleTopic
    hours: Decimal
    period_months: int
    setting: str


EXAMPLE_MANDATES = (
    _ExampleMandate(
        EXAMPLE_ICAT,
        "16 hours of de-escalation every 60 months (example)",
        DEESC_TOPIC,
        Decimal("16"),
        60,
        "",
    ),
    _ExampleMandate(
        EXAMPLE_REFRESHERS,
        "4 hours of in-service de-escalation every 12 months (example)",
        DEESC_TOPIC,
        Decimal("4"),
        12,
        Setting.IN_SERVICE,
    ),
    _ExampleMandate(
        EXAMPLE_REFRESHERS,
        "4 hours of in-service crisis intervention every 12 months (example)",
        CRISIS_TOPIC,
        Decimal("4"),
        12,
        Setting.IN_SERVICE,
    ),
)


def _example_topic(*, actor: Actor, spec: _ExampleTopic) -> Topic:
    """The agency's topic for an example: by code, else by name, else a new one (audited)."""
    topics = Topic.objects.filter(agency_id=actor.agency_id)
    found = (
        topics.filter(code__in=spec.codes).order_by("pk").first()
        or topics.filter(name__iexact=spec.name).order_by("pk").first()
    )
    if found is not None:
        return found
    topic = Topic(
        agency_id=actor.agency_id,
        code=spec.codes[0],
        name=spec.name,
        parity_group=spec.parity_group,
    )
    _full_clean(topic)
    topic.save()
    audit_record(
        actor=actor,
        action="topic.create",
        obj=topic,
        changes={
            "code": [None, topic.code],
            "name": [None, topic.name],
            "parity_group": [None, topic.parity_group],
        },
        reason="needed by an example mandate rule set",
    )
    return topic


@dataclass(frozen=True)
class ExampleLoad:
    created: list[Mandate]
    already_there: int


@transaction.atomic
def mandate_load_example_rule_sets(*, actor: Actor) -> ExampleLoad:
    """Add the two example rule sets; running it again adds nothing (idempotent).

    An example mandate that already exists (same rule set and name) is left as it is, even if
    the agency has edited it since.
    """
    ensure(actor, "mandate.manage", Scope(agency_id=actor.agency_id))
    created: list[Mandate] = []
    already = 0
    for spec in EXAMPLE_MANDATES:
        if Mandate.objects.filter(
            agency_id=actor.agency_id, rule_set=spec.rule_set, name=spec.name
        ).exists():
            already += 1
            continue
        created.append(
            mandate_create(
                actor=actor,
                name=spec.name,
                rule_set=spec.rule_set,
                topic=_example_topic(actor=actor, spec=spec.topic),
                hours=spec.hours,
                period_months=spec.period_months,
                setting=spec.setting,
                reason=EXAMPLE_NOTE,
            )
        )
    return ExampleLoad(created=created, already_there=already)


# Parity target -----------------------------------------------------------------------------


@transaction.atomic
def training_settings_set_parity_target(
    *, actor: Actor, ratio: Decimal | str, reason: str = ""
) -> TrainingSettings:
    """Set the de-escalation : use-of-force ratio below which units are flagged."""
    ensure(actor, "mandate.manage", Scope(agency_id=actor.agency_id))
    try:
        value = Decimal(str(ratio)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInput({"parity_target_ratio": ["Enter a number such as 1 or 1.5."]}) from None
    if not Decimal("0") < value <= MAX_TARGET_RATIO:
        raise InvalidInput(
            {
                "parity_target_ratio": [
                    f"The target ratio is more than 0 and at most {MAX_TARGET_RATIO} "
                    "(1 means as many de-escalation hours as use-of-force hours)."
                ]
            }
        )
    settings_row, _ = TrainingSettings.objects.select_for_update().get_or_create(
        agency_id=actor.agency_id
    )
    old = Decimal(settings_row.parity_target_ratio).quantize(Decimal("0.01"))
    if old == value:
        return settings_row
    settings_row.parity_target_ratio = value
    _full_clean(settings_row, exclude=["agency"])
    settings_row.save()
    audit_record(
        actor=actor,
        action="training_settings.update",
        obj=settings_row,
        changes={"parity_target_ratio": [str(old), str(value)]},
        reason=reason,
    )
    return settings_row
