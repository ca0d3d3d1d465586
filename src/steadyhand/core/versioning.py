from django.db.models import Model

from steadyhand.core.errors import ConflictError


def check_version(instance: Model, expected_version: int | None) -> None:
    """Refuse the write if ``instance`` (read ``FOR UPDATE``) moved past ``expected_version``."""
    current = instance.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != current:
        raise ConflictError(
            f"{instance._meta.verbose_name} “{instance}” was changed by someone else while you "
            f"were editing (your copy is version {expected_version}, the saved one is {current}). "
            "Reload the page to see their change, then make yours again."
        )
    instance.version = current + 1  # type: ignore[attr-defined]


def model_changes(instance: Model, fields: dict[str, object]) -> dict[str, list[object]]:
    """Apply ``fields`` to ``instance``; return ``{field: [old, new]}`` for those that changed."""
    changes: dict[str, list[object]] = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(instance, name, new)
    return changes


def _plain(value: object) -> object:
    """A JSON-friendly version of a field value for the audit log."""
    if isinstance(value, Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
