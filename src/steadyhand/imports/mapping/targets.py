"""What a mapping loads into. A target reads its own sections of the mapping (``configure``),
turns one key's rows into one record (``build``) and counts what records hold (``count``).

``incidents`` is registered here. A second target (complaints: ``[complaint]``,
``[[allegations]]``, ``[complainant]``) registers itself the same way with ``register`` from
its own module, and adds its writer next to ``incident_writer``; the engine, the reader, the
value conversions and the batch flow stay as they are.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from steadyhand.imports.roster import RowError

if TYPE_CHECKING:
    from steadyhand.imports.mapping.engine import Row
    from steadyhand.imports.mapping.format import Mapping


class TargetConfigError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@dataclass
class Built:
    """One record built from one key's rows, or the problems that stop it."""

    record: Any = None
    errors: list[RowError] = field(default_factory=list)


class Target(Protocol):
    name: str
    # The top-level TOML sections this target reads.
    sections: frozenset[str]
    # The counts every report of this target shows, in order (besides rows and rejections).
    count_names: tuple[str, ...]

    def configure(self, mapping: "Mapping") -> Any: ...

    def build(
        self, mapping: "Mapping", key: tuple[str, ...], rows: Sequence["Row"], context: Any
    ) -> Built: ...

    def count(self, record: Any, counts: Counter[str], seen: dict[str, set[str]]) -> None: ...


_TARGETS: dict[str, Target] = {}
# Modules that register a target when imported; listed so that ``get_target`` finds them
# without the caller importing them first.
_TARGET_MODULES = {
    "incidents": "steadyhand.imports.mapping.incidents",
    "complaints": "steadyhand.imports.mapping.complaint_target",
}


def register(target: Target, module: str | None = None) -> None:
    _TARGETS[target.name] = target
    if module:
        _TARGET_MODULES[target.name] = module


def register_module(name: str, module: str) -> None:
    """Declare where target ``name`` lives without importing it yet."""
    _TARGET_MODULES[name] = module


def target_names() -> list[str]:
    return sorted(set(_TARGETS) | set(_TARGET_MODULES))


def get_target(name: str) -> Target:
    if name not in _TARGETS and name in _TARGET_MODULES:
        import importlib

        importlib.import_module(_TARGET_MODULES[name])
    return _TARGETS[name]
