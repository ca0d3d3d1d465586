"""Stratified, blocked, seeded assignment of candidates (members or squads) to roll-out waves.

Pure Python, no Django: the same function runs when a plan is randomized and, years later, when
an evaluator checks that the stored assignment still reproduces from its seed.

Algorithm ``stratified-blocked-v1``
-----------------------------------
Inputs: candidates, each a stable ``id`` (a string) and string ``attributes``; ``n_waves`` ≥ 1;
an integer ``seed`` in ``[0, 2**63)``; ``strata_keys``, the attribute names that define a stratum.

1. Canonical order: candidates sorted by ``id`` (code-point order). The input order is ignored.
2. ``rng = random.Random(seed)``. Only ``rng.random()`` is ever drawn: Python guarantees that
   an integer seed and ``random()`` give the same sequence on every platform and version, which
   it does not promise for ``shuffle``/``randrange``. Shuffles are our own Fisher-Yates: for
   ``i`` from ``len-1`` down to 1, ``j = floor(rng.random() * (i + 1))``, swap ``i`` and ``j``
   (the bias of a 53-bit float is below 1e-15 for any realistic list).
3. Draw one permutation ``P`` of the wave numbers ``1..n_waves`` (a Fisher-Yates shuffle of
   ``[1, …, n_waves]``). It decides which waves take the left-over candidates.
4. A stratum is the tuple of the candidate's values for ``strata_keys`` (no keys: one stratum).
   Strata are visited in sorted order of that tuple. In each stratum of ``m`` candidates:
   shuffle them (canonical order first); every wave gets ``q = m // n_waves``; the ``r = m %
   n_waves`` left-over candidates go to the next ``r`` waves of ``P``, read cyclically from a
   cursor that carries over from stratum to stratum. The shuffled candidates then fill wave 1's
   places, wave 2's, and so on.

Consequences (property-tested): every candidate is in exactly one wave; within a stratum the
wave sizes differ by at most one; because the cursor carries over, the left-overs rotate
through the waves and the agency-wide wave sizes also differ by at most one; the result depends
only on the candidate set, the strata, ``n_waves`` and ``seed``.

Hashes: ``input_hash`` is the SHA-256 of the canonical JSON (sorted keys, no spaces, ASCII) of
``{"algorithm", "n_waves", "seed", "strata_keys", "candidates": [[id, [stratum values]], …]}``;
``result_hash`` of ``{"algorithm", "assignment": [[id, wave], …]}`` sorted by id.
A change to any step is a new algorithm version; ``stratified-blocked-v1`` never changes.
"""

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ALGORITHM = "stratified-blocked-v1"
MAX_SEED = 2**63  # exclusive; fits the plan's BigIntegerField and avoids abs() of negative seeds
# Stratum labels are stored as text, "key=value|key=value"; these characters would make that
# ambiguous.
_RESERVED = ("|", "=")


@dataclass(frozen=True)
class Candidate:
    """A member or unit to be assigned: a stable id and the attributes that may define strata."""

    id: str
    attributes: Mapping[str, str] = field(default_factory=dict)

    def stratum(self, strata_keys: Sequence[str]) -> tuple[str, ...]:
        return tuple(self.attributes[key] for key in strata_keys)


@dataclass(frozen=True)
class Assignment:
    """The result of ``assign_waves``: which wave each candidate id is in, and the hashes."""

    algorithm: str
    seed: int
    n_waves: int
    strata_keys: tuple[str, ...]
    waves: Mapping[str, int]
    strata: Mapping[str, str]
    input_hash: str
    result_hash: str

    def counts(self) -> dict[tuple[str, int], int]:
        """Candidates per (stratum label, wave)."""
        counts: dict[tuple[str, int], int] = defaultdict(int)
        for candidate_id, wave in self.waves.items():
            counts[(self.strata[candidate_id], wave)] += 1
        return dict(counts)

    def wave_sizes(self) -> dict[int, int]:
        sizes = dict.fromkeys(range(1, self.n_waves + 1), 0)
        for wave in self.waves.values():
            sizes[wave] += 1
        return sizes


def stratum_label(strata_keys: Sequence[str], values: Sequence[str]) -> str:
    """``"precinct=12|shift=40"``; the empty string when there are no strata."""
    return "|".join(f"{key}={value}" for key, value in zip(strata_keys, values, strict=True))


def parse_stratum_label(label: str) -> dict[str, str]:
    """The inverse of ``stratum_label``."""
    if not label:
        return {}
    pairs = [part.split("=", 1) for part in label.split("|")]
    if any(len(pair) != 2 for pair in pairs):
        raise ValueError(f"Not a stratum label: {label!r} (expected key=value|key=value).")
    return {key: value for key, value in pairs}


def _canonical_json(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def _sha256(document: Any) -> str:
    return hashlib.sha256(_canonical_json(document)).hexdigest()


def input_hash(
    candidates: Sequence[Candidate], n_waves: int, seed: int, strata_keys: Sequence[str]
) -> str:
    ordered = sorted(candidates, key=lambda c: c.id)
    return _sha256(
        {
            "algorithm": ALGORITHM,
            "n_waves": n_waves,
            "seed": seed,
            "strata_keys": list(strata_keys),
            "candidates": [[c.id, list(c.stratum(strata_keys))] for c in ordered],
        }
    )


def result_hash(waves: Mapping[str, int], algorithm: str = ALGORITHM) -> str:
    """Hash of an assignment (id → wave number). Also used for plans assigned by hand."""
    return _sha256(
        {"algorithm": algorithm, "assignment": [[cid, waves[cid]] for cid in sorted(waves)]}
    )


def _shuffle(items: list[Any], rng: random.Random) -> None:
    """Fisher-Yates drawing only ``rng.random()`` (stable across Python versions)."""
    for i in range(len(items) - 1, 0, -1):
        j = min(int(rng.random() * (i + 1)), i)
        items[i], items[j] = items[j], items[i]


def _validate(
    candidates: Sequence[Candidate], n_waves: int, seed: int, strata_keys: Sequence[str]
) -> None:
    if isinstance(n_waves, bool) or not isinstance(n_waves, int) or n_waves < 1:
        raise ValueError(f"n_waves must be a whole number of at least 1; got {n_waves!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to 2**63 - 1; got {seed!r}.")
    if len(set(strata_keys)) != len(strata_keys):
        raise ValueError(f"strata_keys repeat a key: {list(strata_keys)}.")
    for key in strata_keys:
        if not key or any(ch in key for ch in _RESERVED):
            raise ValueError(f"Stratum key {key!r} is empty or contains '|' or '='.")
    seen: set[str] = set()
    for candidate in candidates:
        if not candidate.id:
            raise ValueError("A candidate has an empty id.")
        if candidate.id in seen:
            raise ValueError(f"Candidate id {candidate.id!r} appears twice.")
        seen.add(candidate.id)
        for key in strata_keys:
            if key not in candidate.attributes:
                raise ValueError(f"Candidate {candidate.id!r} has no value for stratum {key!r}.")
            if any(ch in candidate.attributes[key] for ch in _RESERVED):
                raise ValueError(
                    f"Candidate {candidate.id!r}: stratum value "
                    f"{candidate.attributes[key]!r} contains '|' or '='."
                )


def assign_waves(
    units: Sequence[Candidate], n_waves: int, seed: int, strata_keys: Sequence[str]
) -> Assignment:
    """Assign every candidate to one of waves ``1..n_waves`` (algorithm in the module doc)."""
    keys = tuple(strata_keys)
    _validate(units, n_waves, seed, keys)
    rng = random.Random(seed)
    order = list(range(1, n_waves + 1))
    _shuffle(order, rng)

    by_stratum: dict[tuple[str, ...], list[Candidate]] = defaultdict(list)
    for candidate in sorted(units, key=lambda c: c.id):
        by_stratum[candidate.stratum(keys)].append(candidate)

    waves: dict[str, int] = {}
    strata: dict[str, str] = {}
    cursor = 0
    for stratum in sorted(by_stratum):
        members = list(by_stratum[stratum])  # canonical order, then shuffled
        _shuffle(members, rng)
        base, leftover = divmod(len(members), n_waves)
        extra = {order[(cursor + k) % n_waves] for k in range(leftover)}
        cursor = (cursor + leftover) % n_waves
        places = [wave for wave in range(1, n_waves + 1) for _ in range(base + (wave in extra))]
        label = stratum_label(keys, stratum)
        for candidate, wave in zip(members, places, strict=True):
            waves[candidate.id] = wave
            strata[candidate.id] = label

    return Assignment(
        algorithm=ALGORITHM,
        seed=seed,
        n_waves=n_waves,
        strata_keys=keys,
        waves=waves,
        strata=strata,
        input_hash=input_hash(units, n_waves, seed, keys),
        result_hash=result_hash(waves),
    )
