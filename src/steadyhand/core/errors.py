"""Errors that services raise and views translate into pages."""


class SteadyhandError(Exception):
    """Base of every error a service raises on purpose."""


class NotFound(SteadyhandError):
    """The record does not exist *or* the actor may not see it.

    The two are deliberately indistinguishable so that a refusal never confirms that a record
    exists (Zulip's ``access_stream_by_id`` does the same).
    """


class PermissionDenied(SteadyhandError):
    """The actor may see the record but not do this to it."""

    def __init__(self, action: str, message: str | None = None) -> None:
        self.action = action
        super().__init__(message or f"You are not allowed to {action}.")


class ConflictError(SteadyhandError):
    """Someone else changed the record since it was read (optimistic locking)."""


class InvalidInput(SteadyhandError):
    """Input failed validation; ``errors`` maps field name to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{f}: {', '.join(m)}" for f, m in errors.items()))
