"""Who is acting: a user's identity and grants, resolved once per request, free of the ORM."""

from dataclasses import dataclass, field

from steadyhand.access.roles import Role


@dataclass(frozen=True)
class Grant:
    """A role held by an actor, over the whole agency (``unit_path is None``) or a unit subtree."""

    role: Role
    unit_id: int | None = None
    unit_path: str | None = None

    @property
    def agency_wide(self) -> bool:
        return self.unit_path is None

    def covers(self, unit_path: str | None) -> bool:
        """Does this grant reach a record filed under ``unit_path`` (None: agency-level record)?"""
        if self.unit_path is None:
            return True
        return unit_path is not None and unit_path.startswith(self.unit_path)


@dataclass(frozen=True)
class Actor:
    """The subject of every permission check and the author of every audit event.

    ``user_id`` is None for system actors (demo generation, migrations run from the CLI), which
    still carry explicit grants so that nothing bypasses ``can``, and for the public actor of a
    public page (``access.decorators.public_actor``), which holds no role at all.
    """

    agency_id: int
    user_id: int | None
    label: str
    grants: tuple[Grant, ...] = ()
    member_id: int | None = None
    member_unit_path: str | None = None
    verified_2fa: bool = False
    is_system: bool = False
    roles: frozenset[Role] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(g.role for g in self.grants))

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def grants_for(self, roles: frozenset[Role]) -> tuple[Grant, ...]:
        return tuple(g for g in self.grants if g.role in roles)

    @classmethod
    def system(cls, *, agency_id: int, label: str, roles: tuple[Role, ...]) -> "Actor":
        return cls(
            agency_id=agency_id,
            user_id=None,
            label=f"system:{label}",
            grants=tuple(Grant(role=r) for r in roles),
            is_system=True,
        )
