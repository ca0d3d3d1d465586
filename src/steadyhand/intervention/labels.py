"""How a flag's stored numbers read on its page: factor names, rates per 100 calls, the peer
group in words. Pure presentation; the numbers themselves come from the scoring run."""

from dataclasses import dataclass

from steadyhand.agencies.models import Assignment, Shift, Unit
from steadyhand.analytics.early_warning import WITHIN_INCIDENT
from steadyhand.analytics.early_warning.data import KEY_SEPARATOR
from steadyhand.intervention.inputs import ASSIGNMENT_NOT_RECORDED, SHIFT_NOT_RECORDED
from steadyhand.intervention.models import Flag

FACTOR_LABELS = {
    "force": "Uses of force",
    "complaint": "Complaint allegations",
    "injury": "Injuries to the member",
    WITHIN_INCIDENT: "Force compared with colleagues at the same incidents",
}

# Rates read per 100 calls attended: "2.5 per 100 calls" rather than "0.025".
PER = 100


def factor_label(factor: str) -> str:
    return FACTOR_LABELS.get(factor, factor.replace("_", " ").capitalize())


@dataclass(frozen=True)
class FactorRow:
    """One factor of a flag, as its page shows it."""

    factor: str
    label: str
    within_incident: bool
    observed: float
    expected: float
    member_rate: float | None  # per 100 calls
    peer_rate: float | None  # per 100 calls: the peers' mean
    raw_ratio: float | None
    shrunk_ratio: float
    shrunk_rate: float | None  # per 100 calls, after shrinkage toward the peers
    prob_above_peers: float
    contribution: float
    weight: float
    incidents: int | None


def factor_rows(flag: Flag) -> list[FactorRow]:
    rows = []
    for f in flag.factors:
        name = str(f["factor"])
        observed, expected = float(f["observed"]), float(f["expected"])
        peer = f.get("peer_rate")
        within = name == WITHIN_INCIDENT or peer is None
        rows.append(
            FactorRow(
                factor=name,
                label=factor_label(name),
                within_incident=within,
                observed=observed,
                expected=expected,
                member_rate=None if within or not flag.exposure else PER * observed / flag.exposure,
                peer_rate=None if within else PER * float(peer),
                raw_ratio=observed / expected if expected > 0 else None,
                shrunk_ratio=float(f["shrunk_ratio"]),
                shrunk_rate=None if within else PER * float(peer) * float(f["shrunk_ratio"]),
                prob_above_peers=float(f["prob_above_peers"]),
                contribution=float(f["contribution"]),
                weight=float(f.get("weight", 1.0)),
                incidents=_count(f.get("incidents")),
            )
        )
    return rows


def _count(value: object) -> int | None:
    """A stored count, or ``None`` when the run recorded none (or something else)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


@dataclass(frozen=True)
class PeerGroup:
    unit: str
    shift: str
    assignment: str


def peer_group(flag: Flag) -> PeerGroup:
    """The flag's peer group in words (it is stored as "unit path / shift / assignment")."""
    parts = flag.peer_group.split(KEY_SEPARATOR)
    if len(parts) != 3:
        return PeerGroup(unit=flag.peer_group, shift="", assignment="")
    path, shift, assignment = parts
    unit = Unit.objects.filter(agency_id=flag.agency_id, path=path).first()
    return PeerGroup(
        unit=unit.name if unit else flag.unit.name,
        shift=_choice(Shift, shift, SHIFT_NOT_RECORDED),
        assignment=_choice(Assignment, assignment, ASSIGNMENT_NOT_RECORDED),
    )


def _choice(choices: type[Shift] | type[Assignment], value: str, missing: str) -> str:
    if value == missing:
        return "not recorded"
    labels = dict(choices.choices)
    return str(labels.get(value, value))
