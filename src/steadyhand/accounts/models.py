"""Logins (User) and the roles they hold (RoleAssignment)."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from steadyhand.access.policy import Scope
from steadyhand.access.roles import ROLE_CHOICES, Role
from steadyhand.agencies.models import Agency, Member, Unit


class User(AbstractUser):
    """A login. Belongs to one agency; may be linked to the member it represents.

    Platform operators created with ``createsuperuser`` have no agency and no roles: they can
    run the CLI but see no agency's records through the pages (``can`` grants nothing to them).
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="user_account"
    )

    def access_scope(self) -> Scope:
        unit_path = self.member.unit.path if self.member_id and self.member else None
        return Scope(agency_id=self.agency_id or 0, unit_path=unit_path, owner_user_id=self.pk)


class RoleAssignment(models.Model):
    """``user`` holds ``role`` over the whole agency (``unit`` empty) or over a unit subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=ROLE_CHOICES)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="role_assignment_unique"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(unit__isnull=True),
                name="role_assignment_unique_agency_wide",
            ),
        ]
        ordering = ["user_id", "role"]

    def __str__(self) -> str:
        where = self.unit.name if self.unit_id and self.unit else "whole agency"
        return f"{Role(self.role).label} — {where}"
