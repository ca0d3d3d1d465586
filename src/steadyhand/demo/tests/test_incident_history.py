"""The demo's incidents and complaints: reproducible, consistent with the timeline and the
vocabulary, and carrying the planted training effect (−28% force, −26% subject injuries, −36%
officer injuries) that a squad-month difference-in-differences recovers."""

import math
import random
import re
from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from numpy.typing import NDArray

from steadyhand import vocabulary as v
from steadyhand.agencies.models import Agency
from steadyhand.analytics.efficient.estimator import efficient_estimate
from steadyhand.analytics.efficient.panel import RolloutPanel
from steadyhand.audit.models import AuditEvent
from steadyhand.audit.verify import verify_chain
from steadyhand.complaints.models import Allegation, Complaint
from steadyhand.demo.encounters import (
    TRAINED_FORCE_RATIO,
    TRAINED_OFFICER_INJURY_RATIO,
    TRAINED_SUBJECT_INJURY_RATIO,
    Encounter,
    SquadInfo,
    add_months,
    month_starts,
    simulate_encounters,
)
from steadyhand.demo.generator import build_demo_agency
from steadyhand.demo.incident_history import HISTORY_MONTHS, load_squads
from steadyhand.demo.plan import plan_demo_agency
from steadyhand.incidents.models import Incident, Statement, TimelineEvent
from steadyhand.incidents.summary import EventFacts, summarise

AS_OF = date(2026, 6, 1)
FIRST_MONTH = add_months(AS_OF, -HISTORY_MONTHS)


# The planted effect, on the simulation alone (no database) ----------------------------------


def synthetic_squads(*, precincts: int, seed: int) -> list[SquadInfo]:
    """Patrol squads shaped like the demo's (7 squads of 8 officers and a sergeant per
    precinct), assigned to eight three-month waves at random within each precinct, the first
    starting six months into the history, as ``training_history.rollout`` does."""
    rng = random.Random(seed)
    squads, member_id = [], 0
    first_wave = add_months(FIRST_MONTH, 6)
    for p in range(precincts):
        waves = [i % 8 for i in range(7)]
        rng.shuffle(waves)
        for s in range(7):
            officers = tuple(range(member_id, member_id + 8))
            sergeant = (member_id + 8,)
            member_id += 9
            squads.append(
                SquadInfo(
                    unit_id=len(squads), code=f"P{p}-S{s}", district=f"Precinct {p}",
                    precinct_code=f"P{p}", officer_ids=officers, sergeant_ids=sergeant,
                    hired={m: date(2015, 1, 1) for m in officers + sergeant},
                    trained_from=add_months(first_wave, 3 * waves[s]), shift_index=s,
                )
            )  # fmt: skip
    return squads


def squad_months(
    squads: list[SquadInfo], months: list[list[Encounter]], outcome: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(counts, treated) as squads × months arrays; ``outcome`` is ``force`` or an injury."""
    index = {s.unit_id: i for i, s in enumerate(squads)}
    counts = np.zeros((len(squads), len(months)))
    treated = np.zeros_like(counts)
    starts = month_starts(FIRST_MONTH, len(months))
    for i, squad in enumerate(squads):
        treated[i] = [squad.trained_from is not None and m >= squad.trained_from for m in starts]
    for t, encounters in enumerate(months):
        for enc in encounters:
            if outcome == "force":
                hit = bool(enc.force_users)
            else:
                hit = any(e.code == outcome for e in enc.events)
            counts[index[enc.squad.unit_id], t] += hit
    return counts, treated


def poisson_did(y: NDArray[np.float64], d: NDArray[np.float64]) -> tuple[float, float]:
    """Rate ratio of treated squad-months, and the standard error of its log, from a Poisson
    regression with squad and month fixed effects (the two-way DiD for counts)."""
    n_units, n_times = y.shape
    a, b, beta = np.ones(n_units), np.ones(n_times), 0.0
    for _ in range(500):  # coordinate ascent on the likelihood; converges in a few dozen steps
        r = np.exp(beta * d)
        a = y.sum(1) / (r * b).sum(1)
        b = y.sum(0) / (r * a[:, None]).sum(0)
        beta = math.log((y * d).sum() / (a[:, None] * b * d).sum())
    mu = (a[:, None] * b * np.exp(beta * d)).ravel()
    # Fisher information with every fixed effect, to profile them out of beta's variance.
    x = np.column_stack(
        [d.ravel(), np.kron(np.eye(n_units), np.ones((n_times, 1))),
         np.kron(np.ones((n_units, 1)), np.eye(n_times))[:, 1:]]
    )  # fmt: skip
    information = x.T @ (x * mu[:, None])
    return math.exp(beta), math.sqrt(np.linalg.inv(information)[0, 0])


@pytest.fixture(scope="module")
def simulated() -> tuple[list[SquadInfo], list[list[Encounter]]]:
    # Twelve precincts: twice the demo's 400 officers, so the check below is tight.
    squads = synthetic_squads(precincts=12, seed=3)
    months = simulate_encounters(
        squads=squads, seed=11, first_month=FIRST_MONTH, months=HISTORY_MONTHS
    )
    return squads, months


@pytest.mark.parametrize(
    ("outcome", "planted"),
    [
        ("force", TRAINED_FORCE_RATIO),
        ("subject_injured", TRAINED_SUBJECT_INJURY_RATIO),
        ("officer_injured", TRAINED_OFFICER_INJURY_RATIO),
    ],
)
def test_squad_month_difference_in_differences_recovers_the_planted_ratios(
    simulated: tuple[list[SquadInfo], list[list[Encounter]]], outcome: str, planted: float
) -> None:
    squads, months = simulated
    y, d = squad_months(squads, months, outcome)
    ratio, se = poisson_did(y, d)
    # About 3,700 force incidents, 1,000 subject and 530 officer injuries: the log rate ratio's
    # standard error is about 0.06, 0.11 and 0.15. Within three standard errors of the planted
    # value: a one-in-370 chance of a false failure were the seed changed (it is fixed).
    assert se < 0.2
    assert abs(math.log(ratio) - math.log(planted)) < 3 * se, (ratio, se)


def test_the_efficient_estimator_interval_covers_minus_28_percent(
    simulated: tuple[list[SquadInfo], list[list[Encounter]]],
) -> None:
    squads, months = simulated
    y, _ = squad_months(squads, months, "force")
    starts = {m: t for t, m in enumerate(month_starts(FIRST_MONTH, HISTORY_MONTHS))}
    n_units, n_times = y.shape
    cohorts = [float(starts.get(s.trained_from, math.nan)) if s.trained_from else math.nan
               for s in squads]  # fmt: skip
    panel = RolloutPanel.from_long(
        np.repeat(np.arange(n_units), n_times),
        np.tile(np.arange(n_times, dtype=float), n_units),
        y.ravel(),
        np.repeat(cohorts, n_times),
    )
    overall = efficient_estimate(panel, "simple").overall
    assert overall.percent_ci_lower < -28 < overall.percent_ci_upper
    assert overall.percent_ci_upper < 0  # and the fall is detected


def test_force_is_a_few_percent_of_encounters_and_crises_a_sixth(
    simulated: tuple[list[SquadInfo], list[list[Encounter]]],
) -> None:
    encounters = [e for month in simulated[1] for e in month]
    force = sum(bool(e.force_users) for e in encounters) / len(encounters)
    crisis = sum(e.subjects[0].mental_health_crisis for e in encounters) / len(encounters)
    assert 0.03 < force < 0.09
    assert 0.10 < crisis < 0.20
    assert {len(e.members) for e in encounters} == {1, 2, 3}
    assert {len(e.subjects) for e in encounters} == {1, 2}


def test_trained_officers_create_distance_and_use_one_voice_more_often(
    simulated: tuple[list[SquadInfo], list[list[Encounter]]],
) -> None:
    share: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    totals: Counter[bool] = Counter()
    for enc in (e for month in simulated[1] for e in month):
        totals[enc.trained] += 1
        share[enc.trained].update({e.code for e in enc.events})
    for code in ("create_distance", "designate_one_voice", "open_question", "empathy"):
        trained = share[True][code] / totals[True]
        untrained = share[False][code] / totals[False]
        assert trained > 1.5 * untrained, code


# The database: what ``steadyhand demo`` writes ----------------------------------------------


def fingerprint(agency: Agency) -> list[tuple[object, ...]]:
    events: dict[int, list[tuple[object, ...]]] = {}
    for row in TimelineEvent.objects.filter(incident__agency=agency).values_list(
        "incident_id", "sequence", "offset_seconds", "code", "resistance", "force_level",
        "actor_involvement__member__badge", "actor_subject__ordinal",
    ):  # fmt: skip
        events.setdefault(row[0], []).append(row[1:])
    return [
        (i.case_number, i.occurred_at, i.call_type, i.unit.code, i.reported_by.badge,
         i.force_used, i.resolution, tuple(events[i.pk]))
        for i in Incident.objects.filter(agency=agency).select_related("unit", "reported_by")
    ]  # fmt: skip


@pytest.mark.django_db
def test_same_seed_and_date_give_the_same_incidents_and_complaints(
    demo_pair: tuple[Agency, Agency],
) -> None:
    first, second = demo_pair
    assert fingerprint(first) == fingerprint(second)

    def complaints(agency: Agency) -> list[tuple[object, ...]]:
        return list(
            Allegation.objects.filter(complaint__agency=agency)
            .order_by("complaint__reference", "pk")
            .values_list("complaint__reference", "complaint__received_at", "member__badge",
                         "category", "finding", "complaint__incident__case_number")
        )  # fmt: skip

    assert complaints(first) == complaints(second)


@pytest.mark.django_db
def test_incidents_are_consistent_with_their_timelines_and_the_vocabulary(demo_a: Agency) -> None:
    agency = demo_a
    incidents = list(
        Incident.objects.filter(agency=agency)
        .select_related("reported_by")
        .prefetch_related("events", "involvements__member", "involvements__statement", "subjects")
    )
    assert len(incidents) > 1000
    local = ZoneInfo(agency.timezone)
    assert all(i.occurred_at.astimezone(local).date() < AS_OF for i in incidents)
    assert min(i.occurred_at.astimezone(local).date() for i in incidents) >= FIRST_MONTH
    force = [i for i in incidents if i.force_used]
    assert 0.03 < len(force) / len(incidents) < 0.10
    for incident in incidents:
        events = list(incident.events.all())
        summary = summarise(
            EventFacts(kind=e.kind, code=e.code, resistance=e.resistance,
                       force_level=e.force_level, by_member=e.actor_involvement_id is not None)
            for e in events
        )  # fmt: skip
        assert (incident.force_used, incident.highest_force_level, incident.resolution) == (
            summary.force_used,
            summary.highest_force_level,
            summary.resolution,
        )
        assert incident.subject_injured == summary.subject_injured
        assert incident.officer_injured == summary.officer_injured
        assert incident.de_escalation_attempted == summary.de_escalation_attempted
        assert summary.force_without_prior_resistance == 0
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        offsets = [e.offset_seconds for e in events]
        assert offsets == sorted(offsets)
        for e in events:
            assert v.ALL_TERMS[e.code].kind == e.kind
            if e.kind == v.EventKind.FORCE:
                assert e.force_level == v.FORCE_TYPES[e.code].level
            if e.kind == v.EventKind.SUBJECT_BEHAVIOUR:
                assert e.resistance == v.SUBJECT_ACT_RESISTANCE[e.code]
        involvements = list(incident.involvements.all())
        assert 1 <= len(involvements) <= 3
        assert 1 <= len(incident.subjects.all()) <= 2
        assert involvements[0].role_on_scene == "primary"
        assert involvements[0].member == incident.reported_by
        assert {inv.member.unit_id for inv in involvements} == {incident.unit_id}
        # The demo returns some force reports to their officers for correction.
        assert incident.status in {"submitted", "returned"}
        assert incident.submitted_at > incident.occurred_at
        year = incident.occurred_at.astimezone(local).year
        assert re.fullmatch(rf"{year}-\d{{6}}", incident.case_number)
        for inv in involvements:
            statement = inv.statement
            assert statement.status == "submitted"
            assert statement.witnessed_force == (incident.force_used and not inv.used_force)
            assert (statement.intervened is not None) == statement.witnessed_force


@pytest.mark.django_db
def test_complaints_name_members_with_findings_from_the_vocabulary(demo_a: Agency) -> None:
    agency = demo_a
    complaints = list(Complaint.objects.filter(agency=agency).prefetch_related("allegations"))
    assert complaints
    assert any(c.incident_id and c.incident.force_used for c in complaints)
    assert any(c.incident_id is None for c in complaints)
    local = ZoneInfo(agency.timezone)
    for complaint in complaints:
        assert complaint.received_at.astimezone(local).date() < AS_OF
        assert complaint.people.count() >= 1
        allegations = list(complaint.allegations.all())
        assert allegations
        assert all(a.member is not None for a in allegations)
        for allegation in allegations:
            assert allegation.category in v.ALLEGATION_CATEGORIES
            assert allegation.finding in v.FINDINGS
            closed = complaint.status == "closed"
            assert (allegation.finding != "pending") == closed
    statuses = {c.status for c in complaints}
    assert "closed" in statuses


@pytest.mark.django_db
def test_the_generated_batch_is_audited_once_with_its_counts(demo_a: Agency) -> None:
    agency = demo_a
    events = AuditEvent.objects.filter(agency_id=agency.pk, action="demo.incidents_generated")
    assert events.count() == 1
    counts = events.get().changes
    assert counts["incidents"] == Incident.objects.filter(agency=agency).count()
    assert counts["complaints"] == Complaint.objects.filter(agency=agency).count()
    assert counts["events"] == TimelineEvent.objects.filter(incident__agency=agency).count()
    assert Statement.objects.filter(involvement__incident__agency=agency).exists()
    assert verify_chain(agency.pk).ok


@pytest.mark.django_db
def test_squads_are_trained_from_their_wave_start(demo_a: Agency) -> None:
    agency = demo_a
    squads = {s.unit_id: s for s in load_squads(agency)}
    assert any(s.trained_from is not None and s.trained_from < AS_OF for s in squads.values())
    assert any(s.trained_from is not None and s.trained_from >= AS_OF for s in squads.values())
    sample = Incident.objects.filter(agency=agency, unit_id__in=squads).select_related("unit")
    trained = [
        i for i in sample
        if (start := squads[i.unit_id].trained_from) and i.occurred_at.date() >= start
    ]  # fmt: skip
    assert trained
    assert len(trained) < sample.count()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_full_demo_recovers_the_planted_effect_from_the_database() -> None:
    """``steadyhand demo``'s default agency: squad-month force counts from the database, the
    efficient estimator on the randomized waves, the interval covering −28%."""
    agency = build_demo_agency(
        plan=plan_demo_agency(seed=1, officers=400), slug="demo", history_as_of=AS_OF
    ).agency
    squads = load_squads(agency)
    starts = {m: t for t, m in enumerate(month_starts(FIRST_MONTH, HISTORY_MONTHS))}
    counts: Counter[tuple[int, int]] = Counter()
    tz = ZoneInfo(agency.timezone)
    for unit_id, when in Incident.objects.filter(agency=agency, force_used=True).values_list(
        "unit_id", "occurred_at"
    ):
        month = when.astimezone(tz).date().replace(day=1)
        if month in starts:
            counts[(unit_id, starts[month])] += 1
    rows = [
        (s.unit_id, t, counts[(s.unit_id, t)],
         float(starts.get(s.trained_from, math.nan)) if s.trained_from else math.nan)
        for s in squads for t in range(HISTORY_MONTHS)
    ]  # fmt: skip
    panel = RolloutPanel.from_long(*(np.array(col, dtype=float) for col in zip(*rows, strict=True)))
    overall = efficient_estimate(panel, "simple").overall
    assert overall.percent_ci_lower < -28 < overall.percent_ci_upper


@pytest.mark.django_db
def test_the_demo_has_exposure_and_statistics_that_match_its_records(demo_a: Agency) -> None:
    from django.db.models import Sum

    from steadyhand.stats.models import MonthlyCount, MonthlyExposure

    counted = MonthlyCount.objects.filter(agency=demo_a, measure="incidents").aggregate(
        total=Sum("value")
    )["total"]
    assert counted == Incident.objects.filter(agency=demo_a).count()
    force = MonthlyCount.objects.filter(agency=demo_a, measure="force_incidents")
    assert (
        force.aggregate(total=Sum("value"))["total"]
        == demo_a.incidents.filter(force_used=True).count()
    )
    exposure = MonthlyExposure.objects.filter(agency=demo_a)
    assert exposure.exists()
    calls = exposure.aggregate(total=Sum("calls"))["total"]
    assert calls >= 7 * counted


@pytest.mark.django_db
def test_the_demo_members_have_the_shifts_and_assignments_peers_are_grouped_by(
    demo_a: Agency,
) -> None:
    officers = demo_a.members.filter(rank="officer")
    assert set(officers.values_list("shift", flat=True)) >= {"day", "evening", "night"}
    assert set(officers.values_list("assignment", flat=True)) == {"patrol"}
    chief = demo_a.members.get(rank="chief")
    assert (chief.shift, chief.assignment) == ("day", "administrative")
