"""The demo agency's complaints: a few a month, most about an incident (force draws more of
them), some about nothing on record, with allegations against members and findings.

Deterministic for a seed: one ``random.Random``, incidents visited in the order they were
written. Closed complaints have findings; the last months' are still open, as in a real
internal-affairs caseload.
"""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from steadyhand.agencies.models import Agency, Member
from steadyhand.complaints.models import Allegation, Complainant, Complaint, ComplaintStatus
from steadyhand.demo.encounters import AGE_SHARES, RACE_SHARES, Encounter, month_starts

# Chance that an incident draws a complaint.
COMPLAINT_AFTER_FORCE = 0.05
COMPLAINT_AFTER_OTHER = 0.0012
UNLINKED_PER_MONTH = 0.7
OPEN_DAYS = 45  # received this recently: not yet assigned
INVESTIGATION_DAYS = (60, 200)

CHANNELS = {"public_form": 35, "phone": 25, "in_person": 15, "email": 15, "internal": 10}
FINDINGS: dict[str, dict[str, float]] = {
    "excessive_force": {"sustained": 8, "not_sustained": 30, "exonerated": 35, "unfounded": 20,
                        "withdrawn": 7},
    "failure_to_intervene": {"sustained": 10, "not_sustained": 35, "exonerated": 25,
                             "unfounded": 25, "withdrawn": 5},
    "other": {"sustained": 18, "not_sustained": 32, "exonerated": 15, "unfounded": 25,
              "withdrawn": 10},
}  # fmt: skip
AFTER_FORCE = {"excessive_force": 6, "discourtesy": 2, "improper_search_or_arrest": 1, "bias": 1}
AFTER_OTHER = {"discourtesy": 4, "improper_search_or_arrest": 3, "bias": 1,
               "failure_to_provide_service": 2, "property": 1}  # fmt: skip
UNLINKED = {"failure_to_provide_service": 3, "operations": 3, "conduct_unbecoming": 2,
            "discourtesy": 2, "other": 1}  # fmt: skip
NARRATIVES = {
    "excessive_force": "The complainant says the officer used more force than was needed.",
    "failure_to_intervene": "The complainant says another officer watched and did nothing.",
    "discourtesy": "The complainant says the officer was rude and used offensive language.",
    "improper_search_or_arrest": "The complainant says the stop and search had no reason.",
    "bias": "The complainant says they were treated differently because of who they are.",
    "failure_to_provide_service": "The complainant says officers did not help when called.",
    "property": "The complainant says property taken was not returned.",
    "operations": "The complainant says the report was not filed or was filed wrongly.",
    "conduct_unbecoming": "The complainant describes off-duty behaviour by an officer.",
    "other": "The complainant raises a concern about an officer's conduct.",
}


@dataclass(frozen=True)
class WrittenIncident:
    """What a complaint needs of an incident once it is written."""

    pk: int
    location: str
    encounter: Encounter


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Complaints:
    def __init__(self, agency: Agency, seed: int, as_of: date, tz: tzinfo) -> None:
        self.agency = agency
        self.rng = random.Random(seed * 2_750_159 + 13)
        self.as_of = as_of
        self.tz = tz
        self.complaints: list[Complaint] = []
        self.people: list[Complainant] = []
        self.allegations: list[Allegation] = []

    def add(
        self, *, occurred: datetime, accused: Sequence[tuple[Member, str]],
        incident: WrittenIncident | None, complainant: tuple[str, str, str] | None,
    ) -> None:  # fmt: skip
        rng = self.rng
        received = occurred + timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8))
        if received.date() >= self.as_of:
            return
        age = (self.as_of - received.date()).days
        closed_at = None
        if age <= OPEN_DAYS:
            status = ComplaintStatus.RECEIVED
        else:
            closed_at = received + timedelta(days=rng.randint(*INVESTIGATION_DAYS))
            status = ComplaintStatus.CLOSED
            if closed_at.date() >= self.as_of:
                status, closed_at = ComplaintStatus.INVESTIGATING, None
        first_category = accused[0][1]
        complaint = Complaint(
            agency=self.agency, received_at=received,
            channel=_pick(rng, CHANNELS), status=status, occurred_at=occurred,
            location=incident.location if incident else "", narrative=NARRATIVES[first_category],
            unit_id=accused[0][0].unit_id, incident_id=incident.pk if incident else None,
            closed_at=closed_at,
        )  # fmt: skip
        self.complaints.append(complaint)
        race, sex, age_band = complainant or (
            _pick(rng, RACE_SHARES),
            "male" if rng.random() < 0.55 else "female",
            _pick(rng, AGE_SHARES),
        )
        self.people.append(
            Complainant(complaint=complaint, is_victim=complainant is not None, race=race,
                        sex=sex, age_band=age_band)
        )  # fmt: skip
        for member, category in accused:
            if closed_at is not None:
                finding = _pick(rng, FINDINGS.get(category, FINDINGS["other"]))
                finding_at: date | None = closed_at.date()
            else:
                finding, finding_at = "pending", None
            self.allegations.append(
                Allegation(complaint=complaint, member=member, category=category,
                           finding=finding, finding_at=finding_at,
                           description=NARRATIVES[category])
            )  # fmt: skip

    def about_incident(self, incident: WrittenIncident, members: dict[int, Member]) -> None:
        rng, enc = self.rng, incident.encounter
        force = bool(enc.force_users)
        if rng.random() >= (COMPLAINT_AFTER_FORCE if force else COMPLAINT_AFTER_OTHER):
            return
        category = _pick(rng, AFTER_FORCE if force else AFTER_OTHER)
        if category == "excessive_force":
            accused = [(members[enc.members[i][0]], category) for i in sorted(enc.force_users)]
            witnesses = [i for i in range(len(enc.members)) if i not in enc.force_users]
            if witnesses and rng.random() < 0.3:
                accused.append((members[enc.members[witnesses[0]][0]], "failure_to_intervene"))
        else:
            accused = [(members[enc.members[0][0]], category)]
        subject = enc.subjects[0]
        self.add(
            occurred=enc.occurred_at, accused=accused, incident=incident,
            complainant=(subject.race, subject.sex, subject.age_band),
        )  # fmt: skip

    def unlinked(self, month: date, officers: list[Member]) -> None:
        for _ in range(self._poisson(UNLINKED_PER_MONTH)):
            day = month + timedelta(days=self.rng.randrange(28))
            occurred = datetime.combine(day, time(self.rng.randrange(24)), self.tz)
            member = self.rng.choice(officers)
            self.add(occurred=occurred, accused=[(member, _pick(self.rng, UNLINKED))],
                     incident=None, complainant=None)  # fmt: skip

    def _poisson(self, mean: float) -> int:
        # Knuth's method: fine for a mean near one, and keeps to the one ``random.Random``.
        limit, k, product = pow(2.718281828459045, -mean), 0, self.rng.random()
        while product > limit:
            k += 1
            product *= self.rng.random()
        return k

    def save(self) -> None:
        """References run in the order complaints were received, per year."""
        self.complaints.sort(key=lambda c: c.received_at)
        counter: dict[int, int] = {}
        for complaint in self.complaints:
            year = complaint.received_at.year
            counter[year] = counter.get(year, 0) + 1
            complaint.reference = f"CP-{year}-{counter[year]:05d}"
        Complaint.objects.bulk_create(self.complaints, batch_size=500)
        # The children were given their (then unsaved) complaint; it has its key now.
        Complainant.objects.bulk_create(self.people, batch_size=500)
        Allegation.objects.bulk_create(self.allegations, batch_size=500)


def build_complaints(
    *, agency: Agency, seed: int, incidents: Sequence[WrittenIncident],
    members: dict[int, Member], first_month: date, months: int, as_of: date, tz: tzinfo,
) -> tuple[int, int]:  # fmt: skip
    """Write the complaints; return (complaints, allegations)."""
    builder = _Complaints(agency, seed, as_of, tz)
    for incident in incidents:
        builder.about_incident(incident, members)
    officers = sorted(members.values(), key=lambda m: m.badge)
    for month in month_starts(first_month, months):
        builder.unlinked(month, officers)
    builder.save()
    return len(builder.complaints), len(builder.allegations)
