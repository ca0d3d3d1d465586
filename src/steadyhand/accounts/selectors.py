"""Reads about logins: who is acting, which accounts an admin may see."""

from django.db.models import QuerySet

from steadyhand.access.actor import Actor, Grant
from steadyhand.access.policy import can
from steadyhand.access.roles import Role
from steadyhand.accounts.models import RoleAssignment, User
from steadyhand.core.errors import NotFound


def actor_for_user(user: User, *, verified_2fa: bool = False) -> Actor | None:
    """The actor a logged-in user acts as, or None for a login with no agency (platform ops)."""
    if user.agency_id is None or not user.is_active:
        return None
    assignments = RoleAssignment.objects.filter(user=user).select_related("unit")
    grants = tuple(
        Grant(role=Role(a.role), unit_id=a.unit_id, unit_path=a.unit.path if a.unit else None)
        for a in assignments
    )
    member = user.member if user.member_id else None
    return Actor(
        agency_id=user.agency_id,
        user_id=user.pk,
        label=user.username,
        grants=grants,
        member_id=user.member_id,
        member_unit_path=member.unit.path if member else None,
        verified_2fa=verified_2fa,
    )


def two_factor_required(*, user: User) -> bool:
    """Does the user's agency require a second factor for any role this user holds?"""
    if user.agency_id is None or user.agency is None:
        return False
    required = set(user.agency.require_2fa_roles or [])
    if not required:
        return False
    return RoleAssignment.objects.filter(user=user, role__in=required).exists()


def user_list_visible(*, actor: Actor) -> QuerySet[User]:
    if not can(actor, "account.view"):
        return User.objects.none()
    return (
        User.objects.filter(agency_id=actor.agency_id)
        .select_related("member")
        .prefetch_related("role_assignments__unit")
        .order_by("username")
    )


def user_get_visible(*, actor: Actor, user_id: int) -> User:
    user = User.objects.filter(pk=user_id, agency_id=actor.agency_id).first()
    if user is None or not can(actor, "account.view", user):
        raise NotFound(f"No user {user_id}.")
    return user
