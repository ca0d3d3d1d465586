"""The roles of PRODUCT.md. ``public`` is not a role: it is the absence of a login."""

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    COMMANDER = "commander"
    TRAINER = "trainer"
    INTERNAL_AFFAIRS = "internal_affairs"
    ANALYST = "analyst"
    AUDITOR = "auditor"
    AGENCY_ADMIN = "agency_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.OFFICER: "Officer",
    Role.SUPERVISOR: "Supervisor",
    Role.COMMANDER: "Commander",
    Role.TRAINER: "Trainer",
    Role.INTERNAL_AFFAIRS: "Internal affairs",
    Role.ANALYST: "Analyst",
    Role.AUDITOR: "Auditor",
    Role.AGENCY_ADMIN: "Agency administrator",
}

ROLE_CHOICES = [(role.value, role.label) for role in Role]
