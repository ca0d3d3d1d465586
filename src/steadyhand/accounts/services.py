"""Writes for logins and role assignments."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.access.roles import Role
from steadyhand.accounts.models import RoleAssignment, User
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput({"password": list(exc.messages)}) from exc


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    member: Member | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
) -> User:
    """Create a login in the actor's agency. ``validate=False`` only for demo accounts."""
    agency = Agency.objects.get(pk=actor.agency_id)
    ensure(actor, "account.manage", agency)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput({"username": [f"The username “{username}” is taken."]})
    if member is not None:
        if member.agency_id != actor.agency_id:
            raise InvalidInput({"member": ["That member belongs to another agency."]})
        if User.objects.filter(member=member).exists():
            raise InvalidInput({"member": [f"{member} already has a login."]})
        first_name = first_name or member.first_name
        last_name = last_name or member.last_name
    user = User(
        username=username,
        email=email,
        agency=agency,
        member=member,
        first_name=first_name,
        last_name=last_name,
    )
    if validate:
        _check_password(password, user)
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from exc
    user.save()
    audit_record(
        actor=actor,
        action="account.create",
        obj=user,
        changes={
            "username": [None, username],
            "member": [None, member.pk if member else None],
        },
    )
    return user


@transaction.atomic
def user_set_active(*, actor: Actor, user: User, active: bool, reason: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk, agency_id=actor.agency_id)
    ensure(actor, "account.manage", user)
    if actor.user_id == user.pk and not active:
        raise InvalidInput({"active": ["You cannot deactivate your own account."]})
    if user.is_active != active:
        audit_record(
            actor=actor,
            action="account.activate" if active else "account.deactivate",
            obj=user,
            changes={"is_active": [user.is_active, active]},
            reason=reason,
        )
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_set_password(*, actor: Actor, user: User, password: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk, agency_id=actor.agency_id)
    if actor.user_id != user.pk:
        ensure(actor, "account.manage", user)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    # The new hash itself is never written to the log.
    audit_record(actor=actor, action="account.set_password", obj=user)
    return user


@transaction.atomic
def role_grant(
    *, actor: Actor, user: User, role: str, unit: Unit | None = None, reason: str = ""
) -> RoleAssignment:
    ensure(actor, "role.assign", user)
    if role not in {r.value for r in Role}:
        raise InvalidInput({"role": [f"Unknown role “{role}”."]})
    if user.agency_id != actor.agency_id:
        raise InvalidInput({"user": ["That user belongs to another agency."]})
    if unit is not None:
        if unit.agency_id != actor.agency_id:
            raise InvalidInput({"unit": ["That unit belongs to another agency."]})
        ensure(actor, "role.assign", unit)
    if RoleAssignment.objects.filter(user=user, role=role, unit=unit).exists():
        raise InvalidInput({"role": [f"{user.username} already holds {Role(role).label} there."]})
    assignment = RoleAssignment.objects.create(
        user=user, role=role, unit=unit, granted_by_id=actor.user_id
    )
    audit_record(
        actor=actor,
        action="role.grant",
        obj=user,
        reason=reason,
        changes={
            "role": [None, role],
            "unit": [None, unit.pk if unit else None],
        },
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Actor, assignment: RoleAssignment, reason: str = "") -> None:
    assignment = RoleAssignment.objects.select_related("user").get(
        pk=assignment.pk, user__agency_id=actor.agency_id
    )
    ensure(actor, "role.assign", assignment.user)
    if assignment.user_id == actor.user_id and assignment.role == Role.AGENCY_ADMIN:
        raise InvalidInput(
            {"role": ["You cannot remove your own administrator role; ask another administrator."]}
        )
    audit_record(
        actor=actor,
        action="role.revoke",
        obj=assignment.user,
        reason=reason,
        changes={
            "role": [assignment.role, None],
            "unit": [assignment.unit_id, None],
        },
    )
    assignment.delete()
