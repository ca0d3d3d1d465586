"""Early-warning engine: planted members, shrinkage, explanations, feedback, refusals."""

import dataclasses

import numpy as np
import pytest

from steadyhand.analytics.early_warning import (
    WITHIN_INCIDENT,
    CoAttendance,
    MemberPeriods,
    ScoringConfig,
    SupervisorResponse,
    fit_gamma_prior,
    peer_counts,
    peer_key,
    posterior_mean,
    recalibrate,
    score_members,
    threshold_rule,
    within_incident,
)
from steadyhand.analytics.early_warning.simulate import simulate_agency


def _window(agency, months):  # type: ignore[no-untyped-def]
    periods = agency.periods.select(agency.periods.period < months)
    rows = agency.incident_month < months
    co = CoAttendance.from_arrays(
        incident=agency.co_attendance.incident[rows],
        member=agency.co_attendance.member[rows],
        escalated=agency.co_attendance.escalated[rows],
    )
    events = agency.event_day < months * 30
    baseline = threshold_rule(
        agency.event_member[events], agency.event_day[events], members=agency.members
    )
    return periods, co, baseline


def _hits(agency, top):  # type: ignore[no-untyped-def]
    return int(agency.planted[np.searchsorted(agency.members, top)].sum())


@pytest.mark.parametrize("seed", [1, 3])
def test_planted_members_are_recovered_better_than_the_threshold_rule(seed: int) -> None:
    agency = simulate_agency(n_members=1500, months=12, seed=seed)
    periods, co, baseline = _window(agency, 12)
    result = score_members(periods, co)
    ours = sum(_hits(agency, result.top(k)) for k in (15, 75, 150))
    theirs = sum(_hits(agency, baseline.top(k)) for k in (15, 75, 150))
    assert ours > theirs
    # And at the widest k on its own.
    assert _hits(agency, result.top(150)) > _hits(agency, baseline.top(150))


def _two_groups(small_force: int) -> MemberPeriods:
    """Ten members with 100 calls and 5 uses of force each, and one member with 4 calls."""
    members = [f"m{i}" for i in range(10)] + ["new"]
    return MemberPeriods.from_arrays(
        member=members,
        period=[0] * 11,
        peer_group=["g"] * 11,
        exposure=[100.0] * 10 + [4.0],
        events={"force": [5, 2, 8, 4, 6, 3, 7, 5, 9, 1, small_force]},
    )


def test_shrinkage_pulls_a_small_exposure_member_toward_the_peer_mean() -> None:
    counts = peer_counts(_two_groups(small_force=1))
    new = int(np.searchsorted(counts.members, "new"))
    observed, expected = counts.observed["force"], counts.expected["force"]
    raw = observed[new] / expected[new]
    prior = fit_gamma_prior(observed, expected)
    shrunk = posterior_mean(prior, observed, expected)[new]
    assert raw > 4  # one use of force in four calls is five times the peer rate …
    assert 1 <= shrunk < 1 + (raw - 1) / 2  # … but shrinks more than half-way to the peers
    # With the same ratio on a hundred times the exposure, the evidence stands.
    big = fit_gamma_prior(observed, expected)
    assert (
        posterior_mean(big, np.array([observed[new] * 100]), np.array([expected[new] * 100]))[0]
        > (raw + 1) / 2
    )


def test_peer_expectation_follows_exposure_and_leaves_the_member_out() -> None:
    data = MemberPeriods.from_arrays(
        member=["a", "b", "c"],
        period=[0, 0, 0],
        peer_group=["night", "night", "night"],
        exposure=[10.0, 20.0, 30.0],
        events={"force": [9, 2, 3]},
    )
    counts = peer_counts(data, smoothing=0)
    # a is compared with b and c only: 5 events in 50 calls, times a's 10 calls.
    assert counts.expected["force"][0] == pytest.approx(10 * 5 / 50)
    assert counts.peer_size[0] == 2


def test_within_incident_compares_members_at_the_same_incidents() -> None:
    # x escalates at every shared incident; y and z never do; one all-escalated incident and one
    # solo incident carry no information.
    co = CoAttendance.from_arrays(
        incident=["1", "1", "2", "2", "3", "3", "4", "4", "5"],
        member=["x", "y", "x", "z", "x", "y", "y", "z", "x"],
        escalated=[1, 0, 1, 0, 1, 0, 1, 1, 1],
    )
    result = within_incident(co, np.array(["x", "y", "z"]))
    assert result.informative_incidents == 3
    assert result.observed.tolist() == [3.0, 0.0, 0.0]
    assert result.expected.tolist() == pytest.approx([1.5, 1.0, 0.5])


def test_explanations_name_the_factors_that_drove_the_flag() -> None:
    agency = simulate_agency(n_members=600, months=12, seed=5)
    periods, co, _ = _window(agency, 12)
    result = score_members(periods, co, config=ScoringConfig(flag_ratio=1.2))
    flags = result.flags()
    assert flags, "the simulation should produce at least one flag at ratio 1.2"
    top = flags[0]
    assert 3 <= len(top.factors) <= 5
    contributions = [f.contribution for f in top.factors]
    assert contributions == sorted(contributions, reverse=True)
    assert top.factors[0].contribution > 0
    assert sum(contributions) == pytest.approx(top.score)
    assert top.peer_group.count(" / ") == 2
    force = next(f for f in top.factors if f.factor == "force")
    assert force.expected > 0
    assert force.peer_rate is not None
    assert {f.factor for f in top.factors} <= {"force", "complaint", "injury", WITHIN_INCIDENT}


def test_an_outcome_nobody_had_is_left_out_of_the_score() -> None:
    data = MemberPeriods.from_arrays(
        member=["a", "b", "c"], period=[0, 0, 0], peer_group=["g"] * 3, exposure=[10, 10, 10],
        events={"force": [3, 1, 0], "complaint": [0, 0, 0]},
    )  # fmt: skip
    result = score_members(data)
    assert result.factors == ("force",)
    assert result.skipped_factors == ("complaint",)


def test_results_are_immutable() -> None:
    result = score_members(_two_groups(small_force=1))
    with pytest.raises(ValueError, match="read-only"):
        result.score[0] = 10.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.factors = ()  # type: ignore[misc]


def _response(agreed: bool, disputed: tuple[str, ...] = ()) -> SupervisorResponse:
    return SupervisorResponse(
        shown_factors=("force", "complaint", "injury"),
        agreed=agreed,
        disputed_factors=frozenset(disputed),
    )


def test_recalibration_down_weights_a_consistently_disputed_factor() -> None:
    # Supervisors agree with 12 of 20 flags but reject the complaint factor in 18 of them.
    responses = [_response(True, ("complaint",)) for _ in range(10)]
    responses += [_response(False, ("complaint",)) for _ in range(8)]
    responses += [_response(True) for _ in range(2)]
    result = recalibrate(responses, {"force": 1.0, "complaint": 1.0})
    by_factor = {row.factor: row for row in result.factors}
    assert by_factor["complaint"].dispute_rate == pytest.approx(18 / 20)
    assert by_factor["complaint"].consistently_rejected
    assert 0.25 <= result.weights["complaint"] < 0.5
    assert result.weights["force"] == 1.0
    assert not by_factor["force"].consistently_rejected
    # The lowered weight changes the score.
    before = ScoringConfig()
    after = ScoringConfig(weights=result.weights)
    assert after.weight("complaint") < before.weight("complaint")


def test_recalibration_waits_for_enough_responses_and_never_raises_weights() -> None:
    few = recalibrate([_response(False) for _ in range(5)], {"force": 0.8})
    assert few.weights["force"] == 0.8
    liked = recalibrate([_response(True) for _ in range(50)], {"force": 0.8})
    assert liked.weights["force"] == 0.8


def test_threshold_rule_counts_events_in_a_rolling_window() -> None:
    result = threshold_rule(
        ["a", "a", "a", "b", "b", "b"], [0, 50, 89, 0, 50, 90], members=["a", "b", "c"]
    )
    assert result.max_in_window.tolist() == [3, 2, 0]
    assert result.flagged.tolist() == [True, False, False]
    assert result.top(1).tolist() == ["a"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"exposure": [-1.0, 2.0]}, "exposure: row 0"),
        ({"exposure": [float("nan"), 2.0]}, "exposure: row 0"),
        ({"events": {"force": [1, -2]}}, r"events\['force'\]: row 1"),
        ({"events": {"force": [0.5, 0]}}, "whole numbers"),
        ({"events": {"force": [0, 1]}, "exposure": [1.0, 0.0]}, "no exposure"),
        ({"member": ["a", ""]}, "member: row 1 is empty"),
        ({"peer_group": ["g"]}, "peer_group has shape"),
        ({"events": {}}, "at least one outcome"),
    ],
)
def test_bad_member_periods_are_refused(change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "member": ["a", "b"],
        "period": [0, 0],
        "peer_group": ["g", "g"],
        "exposure": [1.0, 2.0],
        "events": {"force": [0, 1]},
    }
    fields.update(change)
    with pytest.raises(ValueError, match=message):
        MemberPeriods.from_arrays(**fields)  # type: ignore[arg-type]


def test_other_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="more than once"):
        CoAttendance.from_arrays(incident=["1", "1"], member=["a", "a"], escalated=[1, 0])
    with pytest.raises(ValueError, match="flag_ratio"):
        ScoringConfig(flag_ratio=0.9)
    with pytest.raises(ValueError, match="weight of 'force'"):
        ScoringConfig(weights={"force": -1.0})
    with pytest.raises(ValueError, match="not shown"):
        SupervisorResponse(
            shown_factors=("force",), agreed=False, disputed_factors=frozenset({"x"})
        )
    with pytest.raises(ValueError, match="shift is empty"):
        peer_key("u1", "", "patrol")
    none = MemberPeriods.from_arrays(
        member=["a", "b"], period=[0, 0], peer_group=["g", "g"], exposure=[1, 1],
        events={"force": [0, 0]},
    )  # fmt: skip
    with pytest.raises(ValueError, match="no adverse events"):
        score_members(none)
    with pytest.raises(KeyError):
        score_members(_two_groups(1)).explain("nobody")


def test_the_only_inputs_are_counts_exposure_peer_keys_and_co_attendance() -> None:
    # Product non-negotiable 1: no after-action-review content is ever an input. The inputs
    # have no field where review text, decision points or lessons could travel.
    assert [f.name for f in dataclasses.fields(MemberPeriods)] == [
        "member", "period", "peer_group", "exposure", "events",
    ]  # fmt: skip
    assert [f.name for f in dataclasses.fields(CoAttendance)] == [
        "incident", "member", "escalated",
    ]  # fmt: skip
    import inspect

    assert list(inspect.signature(score_members).parameters) == [
        "data", "co_attendance", "config",
    ]  # fmt: skip
