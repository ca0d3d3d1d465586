"""JSON for what files and people type: PostgreSQL's ``jsonb`` cannot hold a NUL character.

A CSV file's bytes can contain NUL (``\\x00``), and the import reports quote cells and headers
back to the user. ``json`` writes NUL as ``\\u0000``, which PostgreSQL refuses ("unsupported
Unicode escape sequence") and SQLite accepts, so the same file failed on one database only.
Strings are stored with U+2400 SYMBOL FOR NULL instead: the user still sees where it was.
"""

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

NUL = "\x00"
NUL_SHOWN = "\u2400"


def without_nul(value: Any) -> Any:
    """``value`` with every NUL in its strings (keys included) shown as ␀."""
    if isinstance(value, str):
        return value.replace(NUL, NUL_SHOWN)
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [without_nul(v) for v in value]
    return value


class StorableJSONEncoder(DjangoJSONEncoder):
    """For JSON fields that hold text from files: storable on every database we support."""

    def encode(self, o: Any) -> str:
        return super().encode(without_nul(o))
