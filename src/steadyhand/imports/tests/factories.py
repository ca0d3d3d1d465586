"""Helpers for import tests: fixture files, an importing admin, a checked batch."""

from pathlib import Path

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Agency
from steadyhand.core.testing import actor_of, make_user
from steadyhand.imports.models import ImportBatch
from steadyhand.imports.services import roster_upload, roster_validate

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_path(name: str) -> Path:
    return FIXTURES / name


def fixture_bytes(name: str) -> bytes:
    return fixture_path(name).read_bytes()


def make_admin(agency: Agency, username: str | None = None) -> User:
    return make_user(agency, [Role.AGENCY_ADMIN], username=username)


def admin_actor(agency: Agency) -> Actor:
    return actor_of(make_admin(agency))


def checked_batch(actor: Actor, name: str, content: bytes | None = None) -> ImportBatch:
    """Upload ``name`` (a fixture, unless ``content`` is given) and check it in-process."""
    batch = roster_upload(
        actor=actor,
        file_name=name,
        content=fixture_bytes(name) if content is None else content,
        check_in_background=False,
    )
    return roster_validate(actor=actor, batch=batch)
