"""Which rows belong to an agency: every model's foreign-key path to ``Agency``, found from the
app registry so that a model added later is backed up without anyone remembering to list it.

A model with no path fails loudly (``BackupError`` naming it) unless it is listed in
``GLOBAL_MODELS`` with the reason its rows belong to no single agency.
"""

from collections import deque
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from steadyhand.agencies.models import Agency


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message says why and what to do."""


# Rows shared by every agency or not worth restoring; model label → why.
GLOBAL_MODELS: dict[str, str] = {
    "contenttypes.contenttype": "created by migrate, shared by all agencies",
    "auth.permission": "created by migrate, shared by all agencies",
    "auth.group": "Django groups are not used for Steadyhand roles; shared if present",
    "auth.group_permissions": "belongs to the shared auth.Group",
    "sessions.session": "logins; people sign in again after a restore",
    "axes.accessattempt": "login throttling by username and address, not agency data",
    "axes.accessattemptexpiration": "login throttling, not agency data",
    "axes.accesslog": "login throttling, not agency data",
    "axes.accessfailurelog": "login throttling, not agency data",
    "django_tasks_database.dbtaskresult": "the task queue; a restore does not re-run tasks",
    "complaints.submissionattempt": "rate-limit entries of the public form (hashed client)",
}


@dataclass(frozen=True)
class AgencyPath:
    """How to select ``model``'s rows of one agency: ``filter(**{lookup: agency_id})``."""

    model: type[models.Model]
    lookup: str

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def _forward_fks(model: type[models.Model]) -> list[models.ForeignKey[models.Model, models.Model]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is not model
    ]


def agency_path(model: type[models.Model]) -> AgencyPath:
    """The shortest foreign-key path from ``model`` to ``Agency``.

    Every hop but the last must be NOT NULL: a row whose path stops at a null would silently
    drop out of the backup. The last hop (the ``agency`` field itself) may be null — such rows
    (a platform operator's account) belong to no agency.
    """
    if model is Agency:
        return AgencyPath(model, "pk")
    queue: deque[tuple[type[models.Model], str, int]] = deque([(model, "", 0)])
    seen = {model}
    while queue:
        current, prefix, depth = queue.popleft()
        for fk in _forward_fks(current):
            target = fk.related_model
            assert isinstance(target, type)
            lookup = f"{prefix}{fk.name}"
            if target is Agency:
                return AgencyPath(model, lookup)
            if fk.null or target in seen or depth >= 6:
                continue
            seen.add(target)
            queue.append((target, f"{lookup}__", depth + 1))
    raise BackupError(
        f"Cannot tell which agency a {model._meta.label} row belongs to: it has no chain of "
        "required foreign keys leading to Agency. Give it one, or list it in "
        "steadyhand.backup.discovery.GLOBAL_MODELS with the reason it belongs to no agency."
    )


def agency_models() -> list[AgencyPath]:
    """Every model holding agency rows (through tables included), parents before children
    where the foreign keys allow it, so a restore reads naturally; cycles are fine because
    constraints are checked at the end of the restore's transaction."""
    paths = [
        agency_path(m)
        for m in apps.get_models(include_auto_created=True)
        if m._meta.label_lower not in GLOBAL_MODELS and m._meta.managed and not m._meta.proxy
    ]
    by_model = {p.model: p for p in paths}
    ordered: list[AgencyPath] = []
    placed: set[type[models.Model]] = set()
    visiting: set[type[models.Model]] = set()

    def place(model: type[models.Model]) -> None:
        if model in placed or model in visiting:
            return
        visiting.add(model)
        for fk in _forward_fks(model):
            if fk.related_model in by_model:
                place(fk.related_model)  # type: ignore[arg-type]
        visiting.discard(model)
        placed.add(model)
        ordered.append(by_model[model])

    for path in paths:
        place(path.model)
    return ordered
