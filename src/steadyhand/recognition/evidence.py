"""What in an incident suggests a commendation: the brief's "commend officers who successfully
de-escalate", read from the record.

An incident is a candidate when the subject resisted (defensive resistance or worse) or was
armed and no force was used, or when force was used but stayed at least two levels below the
resistance faced (``force_factor`` ≤ −2, Alpert & Dunham). The same rule is a database filter
(``candidate_q``, for lists) and a Python reading of one incident (``evidence_for``, for the
reasons shown next to it); a test holds them together.
"""

from django.db.models import Exists, F, OuterRef, Q

from steadyhand import vocabulary as v
from steadyhand.incidents.models import Incident, Subject

# Resistance at or above this, met without force, is worth a supervisor's look.
RESISTED = v.Resistance.DEFENSIVE
# Force at least this many levels below the resistance faced.
FAR_BELOW = -2
NOT_ARMED = ("none", "unknown")


def _armed_subjects() -> Exists:
    return Exists(Subject.objects.filter(incident=OuterRef("pk")).exclude(armed_with__in=NOT_ARMED))


def candidate_q() -> Q:
    no_force = Q(force_used=False) & (
        Q(highest_resistance__gte=int(RESISTED)) | Q(_armed_subjects())
    )
    far_below = Q(
        force_used=True,
        highest_force_level__isnull=False,
        highest_resistance__isnull=False,
        highest_resistance__gte=F("highest_force_level") + abs(FAR_BELOW),
    )
    return no_force | far_below


def evidence_for(incident: Incident) -> list[str]:
    """The reasons ``incident`` suggests a commendation, in words (empty: it does not)."""
    reasons: list[str] = []
    resistance = incident.highest_resistance
    weapons = sorted(
        {
            v.ARMED_WITH.get(s.armed_with, s.armed_with).lower()
            for s in incident.subjects.all()
            if s.armed_with not in NOT_ARMED
        }
    )
    if not incident.force_used:
        if resistance is not None and resistance >= RESISTED:
            reasons.append(
                f"The subject's resistance reached “{v.RESISTANCE_LABELS[v.Resistance(resistance)]}"
                "” and no force was used."
            )
        if weapons:
            reasons.append(f"The subject was armed ({', '.join(weapons)}) and no force was used.")
        return reasons
    force = incident.highest_force_level
    if force is not None and resistance is not None:
        factor = v.force_factor(force, resistance)
        if factor <= FAR_BELOW:
            reasons.append(
                f"Force stayed {-factor} levels below the resistance faced: "
                f"“{v.FORCE_LEVEL_LABELS[v.ForceLevel(force)]}” against "
                f"“{v.RESISTANCE_LABELS[v.Resistance(resistance)]}”."
            )
    return reasons


def evidence_text(incident: Incident, reasons: list[str]) -> str:
    """The narrative of a nomination taken from a suggestion (the nominator may add to it)."""
    lines = [f"Suggested from the record of incident {incident.case_number}:"]
    lines += [f"- {r}" for r in reasons]
    if incident.de_escalation_attempted:
        lines.append("- The report records that de-escalation was attempted.")
    return "\n".join(lines)
