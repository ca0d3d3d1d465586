"""The pure wave-assignment algorithm: properties over generated inputs, and a pinned vector
that fails if ``stratified-blocked-v1`` ever starts producing something else."""

import random
from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steadyhand.training.randomization import (
    ALGORITHM,
    Candidate,
    assign_waves,
    input_hash,
    parse_stratum_label,
    result_hash,
    stratum_label,
)

KEYS = ("precinct", "shift")


@st.composite
def candidate_sets(draw: st.DrawFn) -> list[Candidate]:
    ids = draw(
        st.lists(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789:", min_size=1, max_size=8),
            unique=True,
            max_size=60,
        )
    )
    precincts = st.sampled_from(["1", "2", "3"])
    shifts = st.sampled_from(["day", "night", "none"])
    return [
        Candidate(id=cid, attributes={"precinct": draw(precincts), "shift": draw(shifts)})
        for cid in ids
    ]


waves = st.integers(min_value=1, max_value=7)
seeds = st.integers(min_value=0, max_value=2**63 - 1)
strata_choices = st.sampled_from([(), ("precinct",), ("precinct", "shift")])


@settings(max_examples=200, deadline=None)
@given(candidates=candidate_sets(), n_waves=waves, seed=seeds, keys=strata_choices)
def test_every_candidate_is_in_exactly_one_wave_in_range(
    candidates: list[Candidate], n_waves: int, seed: int, keys: tuple[str, ...]
) -> None:
    result = assign_waves(candidates, n_waves, seed, keys)
    assert sorted(result.waves) == sorted(c.id for c in candidates)
    assert all(1 <= w <= n_waves for w in result.waves.values())
    assert sum(result.wave_sizes().values()) == len(candidates)


@settings(max_examples=200, deadline=None)
@given(candidates=candidate_sets(), n_waves=waves, seed=seeds, keys=strata_choices)
def test_wave_sizes_differ_by_at_most_one_within_each_stratum_and_overall(
    candidates: list[Candidate], n_waves: int, seed: int, keys: tuple[str, ...]
) -> None:
    result = assign_waves(candidates, n_waves, seed, keys)
    per_stratum: dict[str, Counter[int]] = defaultdict(Counter)
    for cid, wave in result.waves.items():
        per_stratum[result.strata[cid]][wave] += 1
    for label, counts in per_stratum.items():
        sizes = [counts[w] for w in range(1, n_waves + 1)]
        assert max(sizes) - min(sizes) <= 1, (label, sizes)
    overall = list(result.wave_sizes().values())
    assert max(overall) - min(overall) <= 1


@settings(max_examples=100, deadline=None)
@given(candidates=candidate_sets(), n_waves=waves, seed=seeds, keys=strata_choices)
def test_strata_labels_name_each_candidates_own_stratum(
    candidates: list[Candidate], n_waves: int, seed: int, keys: tuple[str, ...]
) -> None:
    result = assign_waves(candidates, n_waves, seed, keys)
    for candidate in candidates:
        parsed = parse_stratum_label(result.strata[candidate.id])
        assert parsed == {k: candidate.attributes[k] for k in keys}


@settings(max_examples=100, deadline=None)
@given(
    candidates=candidate_sets(),
    n_waves=waves,
    seed=seeds,
    keys=strata_choices,
    shuffle_seed=st.integers(),
)
def test_same_seed_gives_the_same_result_whatever_the_input_order(
    candidates: list[Candidate], n_waves: int, seed: int, keys: tuple[str, ...], shuffle_seed: int
) -> None:
    first = assign_waves(candidates, n_waves, seed, keys)
    reordered = list(candidates)
    random.Random(shuffle_seed).shuffle(reordered)
    second = assign_waves(reordered, n_waves, seed, keys)
    assert second.waves == first.waves
    assert second.input_hash == first.input_hash
    assert second.result_hash == first.result_hash


def _forty() -> list[Candidate]:
    return [
        Candidate(id=f"member:{i}", attributes={"precinct": str(i % 2), "shift": str(i % 3)})
        for i in range(40)
    ]


def test_different_seeds_give_different_assignments() -> None:
    results = {assign_waves(_forty(), 4, seed, KEYS).result_hash for seed in range(100)}
    # 40 candidates in 4 waves: a repeat among 100 seeds would point at a broken shuffle.
    assert len(results) == 100


def test_the_seed_moves_candidates_not_just_labels() -> None:
    a = assign_waves(_forty(), 4, 1, KEYS).waves
    b = assign_waves(_forty(), 4, 2, KEYS).waves
    moved = sum(a[cid] != b[cid] for cid in a)
    assert moved >= 10


def test_leftovers_do_not_always_land_in_the_same_wave() -> None:
    # 5 candidates per stratum in 4 waves: one left over each time. Across seeds, every wave
    # must sometimes be the one that takes it.
    candidates = [Candidate(id=f"m{i}", attributes={"precinct": "1"}) for i in range(5)]
    larger = Counter()
    for seed in range(200):
        sizes = assign_waves(candidates, 4, seed, ("precinct",)).wave_sizes()
        larger[max(sizes, key=lambda w: sizes[w])] += 1
    assert set(larger) == {1, 2, 3, 4}
    assert min(larger.values()) >= 25


def test_input_hash_covers_every_input() -> None:
    base = input_hash(_forty(), 4, 7, KEYS)
    assert input_hash(_forty(), 4, 7, KEYS) == base
    assert input_hash(_forty(), 5, 7, KEYS) != base
    assert input_hash(_forty(), 4, 8, KEYS) != base
    assert input_hash(_forty(), 4, 7, ("precinct",)) != base
    assert input_hash(_forty()[1:], 4, 7, KEYS) != base
    moved = _forty()
    moved[0] = Candidate(id="member:0", attributes={"precinct": "1", "shift": "0"})
    assert input_hash(moved, 4, 7, KEYS) != base


def test_result_hash_changes_when_one_candidate_changes_wave() -> None:
    waves = dict(assign_waves(_forty(), 4, 7, KEYS).waves)
    before = result_hash(waves)
    waves["member:0"] = waves["member:0"] % 4 + 1
    assert result_hash(waves) != before


def test_pinned_vector_stratified_blocked_v1() -> None:
    """If this fails the algorithm (or Python's Mersenne Twister) changed: stored plans would no
    longer verify. Do not update the numbers; make a new algorithm version instead."""
    result = assign_waves(_forty(), 4, 1234, KEYS)
    assert result.algorithm == ALGORITHM == "stratified-blocked-v1"
    assert [result.waves[f"member:{i}"] for i in range(12)] == PINNED_FIRST_TWELVE
    assert result.input_hash == PINNED_INPUT_HASH
    assert result.result_hash == PINNED_RESULT_HASH


PINNED_FIRST_TWELVE = [2, 1, 1, 2, 3, 3, 4, 3, 2, 4, 4, 2]
PINNED_INPUT_HASH = "56e011253f4f8ef08c3b2bab37ae7788ef18a54c9b7b4daaf2fc5310f93c465c"
PINNED_RESULT_HASH = "1b27987a60b813075c7b736aea3253a716bd45aebf5f633f72dc35b14084192a"


def test_empty_input_is_an_empty_assignment() -> None:
    result = assign_waves([], 3, 0, KEYS)
    assert result.waves == {}
    assert result.wave_sizes() == {1: 0, 2: 0, 3: 0}


def test_stratum_labels_round_trip() -> None:
    label = stratum_label(KEYS, ("12", "40"))
    assert label == "precinct=12|shift=40"
    assert parse_stratum_label(label) == {"precinct": "12", "shift": "40"}
    assert stratum_label((), ()) == ""
    assert parse_stratum_label("") == {}


@pytest.mark.parametrize(
    ("candidates", "n_waves", "seed", "keys", "message"),
    [
        ([], 0, 1, (), "n_waves"),
        ([], 2, -1, (), "seed"),
        ([], 2, 2**63, (), "seed"),
        ([Candidate("a"), Candidate("a")], 2, 1, (), "twice"),
        ([Candidate("")], 2, 1, (), "empty id"),
        ([Candidate("a", {})], 2, 1, ("precinct",), "no value"),
        ([Candidate("a", {"precinct": "x|y"})], 2, 1, ("precinct",), "contains"),
        ([], 2, 1, ("a=b",), "contains"),
        ([], 2, 1, ("precinct", "precinct"), "repeat"),
    ],
)
def test_invalid_input_is_refused_with_a_reason(
    candidates: list[Candidate], n_waves: int, seed: int, keys: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        assign_waves(candidates, n_waves, seed, keys)
