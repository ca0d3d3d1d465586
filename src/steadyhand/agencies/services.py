"""Writes for agencies, units and members. Each: check permission, validate, save, audit."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency, Member, MemberStatus, Unit, UnitKind
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, PermissionDenied
from steadyhand.core.versioning import check_version, model_changes


def _full_clean(instance: Unit | Member | Agency, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from exc


@transaction.atomic
def agency_create(
    *, actor: Actor, name: str, slug: str, timezone: str = "America/Chicago", is_demo: bool = False
) -> Agency:
    """Create a tenant and its root unit. Only system actors (the CLI) create agencies."""
    if not actor.is_system:
        raise PermissionDenied("agency.create", "Agencies are created from the command line.")
    agency = Agency(name=name, slug=slug, timezone=timezone, is_demo=is_demo)
    _full_clean(agency)
    agency.save()
    audit_record(
        actor=actor,
        action="agency.create",
        obj=agency,
        agency_id=agency.pk,
        changes={"name": [None, name], "slug": [None, slug]},
    )
    root = Unit(agency=agency, name=name, code="ROOT", kind=UnitKind.AGENCY)
    _save_new_unit(root)
    audit_record(
        actor=actor,
        action="unit.create",
        obj=root,
        agency_id=agency.pk,
        changes={"name": [None, name], "kind": [None, UnitKind.AGENCY]},
    )
    return agency


@transaction.atomic
def agency_configure(
    *,
    actor: Actor,
    agency: Agency,
    require_2fa_roles: list[str],
    suppression_threshold: int | None = None,
    reason: str = "",
) -> Agency:
    """Change the agency's settings; ``suppression_threshold`` None keeps the current one."""
    ensure(actor, "agency.configure", agency)
    unknown = sorted(set(require_2fa_roles) - {r.value for r in Role})
    if unknown:
        raise InvalidInput({"require_2fa_roles": [f"Unknown role(s): {', '.join(unknown)}."]})
    if suppression_threshold is not None and not 2 <= suppression_threshold <= 1000:
        raise InvalidInput(
            {"suppression_threshold": ["Choose a whole number from 2 to 1000 (default 10)."]}
        )
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    wanted: dict[str, object] = {"require_2fa_roles": sorted(set(require_2fa_roles))}
    if suppression_threshold is not None:
        wanted["suppression_threshold"] = suppression_threshold
    changes = model_changes(agency, wanted)
    if changes:
        agency.save(update_fields=[*changes, "updated_at"])
        audit_record(
            actor=actor, action="agency.configure", obj=agency, changes=changes, reason=reason
        )
    return agency


def _save_new_unit(unit: Unit) -> None:
    # The path holds the unit's own id, known only after the first insert.
    unit.save()
    parent_path = unit.parent.path if unit.parent_id and unit.parent else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = unit.path.count("/") - 2
    unit.save(update_fields=["path", "depth"])


def _refuse_duplicate_code(*, unit: Unit) -> None:
    # The unique constraint would only say "Unit with this Agency and Code already exists";
    # name the unit that holds the code so the admin knows where to look.
    holder = (
        Unit.objects.filter(agency_id=unit.agency_id, code=unit.code).exclude(pk=unit.pk).first()
    )
    if holder is not None:
        raise InvalidInput(
            {"code": [f"Code “{unit.code}” is already used by “{holder}”; choose another code."]}
        )


def _check_kind(*, kind: str, is_root: bool) -> None:
    if is_root and kind != UnitKind.AGENCY:
        raise InvalidInput({"kind": ["The agency's root unit is always of kind 'agency'."]})
    if not is_root and kind == UnitKind.AGENCY:
        raise InvalidInput({"kind": ["Only the root of the tree is of kind 'agency'."]})


def _validate_parent(*, unit: Unit | None, parent: Unit, agency_id: int) -> None:
    if parent.agency_id != agency_id:
        raise InvalidInput({"parent": ["The parent unit belongs to another agency."]})
    if unit is not None and unit.pk and parent.path.startswith(unit.path):
        raise InvalidInput(
            {
                "parent": [
                    f"“{parent}” lies inside “{unit}”; a unit cannot be "
                    "moved under itself or its own sub-units."
                ]
            }
        )


@transaction.atomic
def unit_create(*, actor: Actor, parent: Unit, name: str, code: str, kind: str) -> Unit:
    ensure(actor, "unit.manage", parent)
    _validate_parent(unit=None, parent=parent, agency_id=actor.agency_id)
    _check_kind(kind=kind, is_root=False)
    unit = Unit(agency_id=actor.agency_id, parent=parent, name=name, code=code, kind=kind)
    _refuse_duplicate_code(unit=unit)
    _full_clean(unit)
    _save_new_unit(unit)
    audit_record(
        actor=actor,
        action="unit.create",
        obj=unit,
        changes={
            "name": [None, name],
            "code": [None, code],
            "kind": [None, kind],
            "parent": [None, parent.pk],
        },
    )
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    code: str,
    kind: str,
    parent: Unit | None,
    expected_version: int | None,
    reason: str = "",
) -> Unit:
    """Rename or move a unit. Moving rewrites the paths of its whole subtree in one UPDATE."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk, agency_id=actor.agency_id)
    ensure(actor, "unit.manage", unit)
    if (unit.parent_id is None) != (parent is None):
        raise InvalidInput(
            {"parent": ["The agency's root unit stays the root; every other unit needs a parent."]}
        )
    _check_kind(kind=kind, is_root=parent is None)
    if parent is not None:
        ensure(actor, "unit.manage", parent)
        _validate_parent(unit=unit, parent=parent, agency_id=actor.agency_id)
    check_version(unit, expected_version)
    old_path = unit.path
    changes = model_changes(unit, {"name": name, "code": code, "kind": kind, "parent": parent})
    if not changes:
        return unit
    if "code" in changes:
        _refuse_duplicate_code(unit=unit)
    _full_clean(unit, exclude=["path"])
    if "parent" in changes and parent is not None:
        new_path = f"{parent.path}{unit.pk}/"
        depth_shift = new_path.count("/") - old_path.count("/")
        Unit.objects.filter(agency_id=unit.agency_id, path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_shift,
        )
        unit.path = new_path
        unit.depth += depth_shift
        changes["path"] = [old_path, new_path]
    unit.save()
    audit_record(actor=actor, action="unit.update", obj=unit, changes=changes, reason=reason)
    return unit


def _validate_member_links(*, member: Member, actor: Actor) -> None:
    if member.unit.agency_id != actor.agency_id:
        raise InvalidInput({"unit": ["The unit belongs to another agency."]})
    holder = (
        Member.objects.filter(agency_id=actor.agency_id, badge=member.badge)
        .exclude(pk=member.pk)
        .first()
    )
    if holder is not None:
        raise InvalidInput(
            {"badge": [f"Badge {member.badge} is already held by {holder}; check the number."]}
        )
    supervisor = member.supervisor
    if supervisor is None:
        return
    if supervisor.agency_id != actor.agency_id:
        raise InvalidInput({"supervisor": ["The supervisor belongs to another agency."]})
    # Walk up the supervisor chain: a member may not (indirectly) supervise themselves.
    seen: set[int] = set()
    current: Member | None = supervisor
    while current is not None and current.pk not in seen:
        if member.pk and current.pk == member.pk:
            raise InvalidInput(
                {
                    "supervisor": [
                        "This would make the member their own "
                        "supervisor (directly or through others)."
                    ]
                }
            )
        seen.add(current.pk)
        current = current.supervisor


@transaction.atomic
def member_create(
    *,
    actor: Actor,
    badge: str,
    first_name: str,
    last_name: str,
    rank: str,
    unit: Unit,
    hire_date: date,
    supervisor: Member | None = None,
    status: str = MemberStatus.ACTIVE,
    shift: str = "",
    assignment: str = "",
    reason: str = "",
) -> Member:
    ensure(actor, "member.manage", unit)
    member = Member(
        agency_id=actor.agency_id,
        badge=badge.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        rank=rank,
        unit=unit,
        supervisor=supervisor,
        hire_date=hire_date,
        status=status,
        shift=shift,
        assignment=assignment,
    )
    _validate_member_links(member=member, actor=actor)
    _full_clean(member)
    member.save()
    audit_record(
        actor=actor,
        action="member.create",
        obj=member,
        reason=reason,
        changes={
            "badge": [None, member.badge],
            "rank": [None, rank],
            "unit": [None, unit.pk],
            "supervisor": [None, supervisor.pk if supervisor else None],
            "hire_date": [None, str(hire_date)],
            "status": [None, status],
            **({"shift": [None, shift]} if shift else {}),
            **({"assignment": [None, assignment]} if assignment else {}),
        },
    )
    return member


@transaction.atomic
def member_update(
    *,
    actor: Actor,
    member: Member,
    expected_version: int | None,
    badge: str,
    first_name: str,
    last_name: str,
    rank: str,
    unit: Unit,
    hire_date: date,
    supervisor: Member | None,
    status: str,
    shift: str | None = None,
    assignment: str | None = None,
    reason: str = "",
) -> Member:
    """Change a member's record; ``shift``/``assignment`` None keep the current value."""
    member = (
        Member.objects.select_for_update()
        .select_related("unit")
        .get(pk=member.pk, agency_id=actor.agency_id)
    )
    ensure(actor, "member.manage", member)
    ensure(actor, "member.manage", unit)
    check_version(member, expected_version)
    changes = model_changes(
        member,
        {
            "badge": badge.strip(),
            "first_name": first_name.strip(),
            "last_name": last_name.strip(),
            "rank": rank,
            "unit": unit,
            "hire_date": hire_date,
            "supervisor": supervisor,
            "status": status,
            "shift": member.shift if shift is None else shift,
            "assignment": member.assignment if assignment is None else assignment,
        },
    )
    if not changes:
        return member
    _validate_member_links(member=member, actor=actor)
    _full_clean(member)
    member.save()
    audit_record(actor=actor, action="member.update", obj=member, changes=changes, reason=reason)
    return member
