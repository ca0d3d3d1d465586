"""Early intervention: the peer-adjusted, shrunk score against "3 uses of force in 90 days".

1. Recovery. A simulated agency (``steadyhand.analytics.early_warning.simulate``) whose members'
   exposure differs by shift and assignment, with 5% planted high-risk members (2.5× force and
   2× complaint propensity, independent of race and sex). Temporal split: both methods see
   only months 0–23; we then report precision and recall at the top k = 1%, 5%, 10% of members
   against the planted truth, and how the flagged members did in the *future* months 24–35
   (their force against the peer expectation of that later window). Three seeds.
2. Fairness. Flag rates at the top 5% by officer race and sex, for both methods, next to the
   planted rate in each group and the false-flag rate among members not planted.
3. Scale. 35,000 members × 120 months (4.2 million member-months, ten years of co-attendance):
   scoring time and peak traced memory, and the threshold rule on the same events.
4. Chicago. The Tactical Response Reports 2021–2023 (``../shared/data/chicago/TRR_*``): how the
   peer-adjusted top k differs from a raw-count ranking of the same officers. Numbers only —
   officer ids are never printed.

Run with ``python -m bench early_warning``; ``python -m bench.early_warning --quick`` skips the
scale run.
"""

import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1] / "src"))

from steadyhand.analytics.early_warning import (
    CoAttendance,
    EarlyWarningResult,
    MemberPeriods,
    ThresholdResult,
    peer_counts,
    peer_key,
    score_members,
    threshold_rule,
)
from steadyhand.analytics.early_warning.simulate import (
    DAYS_PER_MONTH,
    SimulatedAgency,
    simulate_agency,
)

CHICAGO = Path(__file__).parents[2] / "shared/data/chicago/TRR_2021-2023_p877988"
KS = (0.01, 0.05, 0.10)
TRAIN_MONTHS, TOTAL_MONTHS = 24, 36


def _traced(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    """Result, wall seconds and peak traced allocation (numpy arrays included) of ``fn``."""
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak


def _co_window(agency: SimulatedAgency, rows: np.ndarray) -> CoAttendance:
    co = agency.co_attendance
    return CoAttendance.from_arrays(
        incident=co.incident[rows], member=co.member[rows], escalated=co.escalated[rows]
    )


def _train(agency: SimulatedAgency) -> tuple[EarlyWarningResult, ThresholdResult]:
    past = agency.periods.select(agency.periods.period < TRAIN_MONTHS)
    co = _co_window(agency, agency.incident_month < TRAIN_MONTHS)
    ours = score_members(past, co)
    events = agency.event_day < TRAIN_MONTHS * DAYS_PER_MONTH
    baseline = threshold_rule(
        agency.event_member[events], agency.event_day[events], members=agency.members
    )
    return ours, baseline


def _future_ratio(agency: SimulatedAgency, top: np.ndarray) -> float:
    """Force of ``top`` in the future window over what their peers' rates predict."""
    future = peer_counts(agency.periods.select(agency.periods.period >= TRAIN_MONTHS))
    rows = np.isin(future.members, top)
    return float(future.observed["force"][rows].sum() / future.expected["force"][rows].sum())


def bench_recovery(seeds: tuple[int, ...] = (11, 12, 13), n_members: int = 5000) -> None:
    print(f"\n1. Planted high-risk members, {n_members:,} members, train months 0–23, "
          f"future 24–35, seeds {seeds}")  # fmt: skip
    table: dict[tuple[str, float], list[tuple[float, float, float]]] = {}
    fairness_agency = None
    for seed in seeds:
        agency = simulate_agency(n_members=n_members, months=TOTAL_MONTHS, seed=seed)
        ours, baseline = _train(agency)
        planted = int(agency.planted.sum())
        for frac in KS:
            k = round(frac * n_members)
            for name, result in (("ours", ours), ("threshold", baseline)):
                top = result.top(k)
                hits = int(agency.planted[np.searchsorted(agency.members, top)].sum())
                table.setdefault((name, frac), []).append(
                    (hits / k, hits / planted, _future_ratio(agency, top))
                )
        if fairness_agency is None:
            fairness_agency = (agency, ours, baseline)
    print(f"  {'k':>5} {'method':<10} {'precision':>9} {'recall':>7} {'future O/E':>10}"
          f"   ratio ours/threshold (precision = recall at equal k)")  # fmt: skip
    for frac in KS:
        rows = {name: np.mean(table[(name, frac)], axis=0) for name in ("ours", "threshold")}
        for name in ("ours", "threshold"):
            p, r, f = rows[name]
            extra = ""
            if name == "ours":
                base = rows["threshold"][0]
                extra = f"   {p / base:.2f}x  (+{(p - base) * 100:.1f} pts)"
            print(f"  {frac:>5.0%} {name:<10} {p:9.3f} {r:7.3f} {f:10.2f}{extra}")
        per_seed = [
            o[0] > t[0]
            for o, t in zip(table[("ours", frac)], table[("threshold", frac)], strict=True)
        ]
        print(f"        ours ahead in {sum(per_seed)}/{len(per_seed)} seeds")
    assert fairness_agency is not None
    bench_fairness(*fairness_agency)


def bench_fairness(
    agency: SimulatedAgency, ours: EarlyWarningResult, baseline: ThresholdResult
) -> None:
    k = round(0.05 * agency.members.size)
    flagged = {
        "ours": np.isin(agency.members, ours.top(k)),
        "threshold": np.isin(agency.members, baseline.top(k)),
    }
    print(
        f"\n2. Fairness at the top 5% (seed {11}): share of each group flagged, planted share, "
        "and false flags among members not planted"
    )
    print(f"  {'group':<16} {'members':>7} {'planted':>7} {'ours':>6} {'thresh':>6}"
          f" {'ours FP':>7} {'thr FP':>7}")  # fmt: skip
    for attr in ("race", "sex", "shift", "assignment"):
        values = getattr(agency, attr)
        for group in np.unique(values):
            g = values == group
            clean = g & ~agency.planted
            print(
                f"  {attr + '=' + str(group):<16} {int(g.sum()):7d} "
                f"{agency.planted[g].mean():7.3f} {flagged['ours'][g].mean():6.3f} "
                f"{flagged['threshold'][g].mean():6.3f} "
                f"{flagged['ours'][clean].mean():7.3f} {flagged['threshold'][clean].mean():7.3f}"
            )


def bench_scale(n_members: int = 35_000, months: int = 120) -> None:
    print(f"\n3. Scale: {n_members:,} members × {months} months")
    start = time.perf_counter()  # not traced: tracemalloc would slow the simulation's loops
    agency = simulate_agency(n_members=n_members, months=months, seed=7)
    sim_s = time.perf_counter() - start
    rows = agency.periods.member.size
    print(f"  simulated {rows:,} member-months, {agency.co_attendance.member.size:,} co-attendance"
          f" rows, {agency.event_member.size:,} uses of force in {sim_s:.0f} s"
          " (simulation not timed below)")  # fmt: skip
    ours, ours_s, ours_peak = _traced(lambda: score_members(agency.periods, agency.co_attendance))
    base, base_s, base_peak = _traced(
        lambda: threshold_rule(agency.event_member, agency.event_day, members=agency.members)
    )
    print(f"  ours: score_members       {ours_s:8.2f} s   peak traced {ours_peak / 2**20:7.0f} MiB"
          f"   ({int(ours.flagged.sum()):,} flagged at ratio 1.5)")  # fmt: skip
    print(f"  baseline: threshold_rule  {base_s:8.2f} s   peak traced {base_peak / 2**20:7.0f} MiB"
          f"   ({int(base.flagged.sum()):,} flagged at 3 in 90 days)")  # fmt: skip
    print(
        f"  ratio ours/baseline: time {ours_s / base_s:.1f}x, memory {ours_peak / base_peak:.1f}x"
    )
    _, explain_s, _ = _traced(lambda: ours.flags())
    print(f"  explanations of every flag: {explain_s:.2f} s")


def chicago_inputs() -> tuple[MemberPeriods, CoAttendance]:
    """Officer-level inputs from the Chicago TRR files (officer ids only; no names exist)."""
    import pandas as pd

    officers = pd.read_csv(next(CHICAGO.glob("TRR-officers_*.csv.gz")), low_memory=False)
    main = pd.read_csv(next(CHICAGO.glob("TRR-main_*.csv.gz")), low_memory=False)
    actions = pd.read_csv(next(CHICAGO.glob("TRR-actions-responses_*.csv.gz")), low_memory=False)
    uid = officers.columns[-1]  # the per-file officer id
    force_kinds = {"Response Without Weapons", "Response With Weapon"}
    # Every report carries a blank "Response With Weapon" row (no action): count only actions.
    member_actions = actions[(actions["person"] == "Member Action") & actions["action"].notna()]
    weapon = set(
        member_actions.loc[member_actions["other_description"] == "Response With Weapon", "trr_id"]
    )
    hands_or_weapon = set(
        member_actions.loc[member_actions["other_description"].isin(force_kinds), "trr_id"]
    )
    main = main.drop_duplicates(subset=["trr_id"])
    df = officers.merge(main[["trr_id", "rd_no"]], on="trr_id", how="left")
    df = df.dropna(subset=[uid])
    df["member"] = df[uid].astype("int64").astype(str)
    df["peer"] = [
        peer_key(f"unit {u}", f"watch {w}", "uniform" if i == "Y" else "plainclothes")
        for u, w, i in zip(
            df["unit"].fillna(-1).astype(int),
            df["member_watch"].fillna(0).astype(int),
            df["in_uniform"],
            strict=True,
        )
    ]  # fmt: skip
    # One period (the whole window) with its peer group: the officer's most frequent one.
    peer = df.groupby("member")["peer"].agg(lambda s: s.value_counts().index[0])
    per = df.groupby("member").agg(
        force=("trr_id", "size"),
        weapon=("trr_id", lambda s: int(s.isin(weapon).sum())),
        injured=("injured", lambda s: int((s == "Yes").sum())),
    )
    data = MemberPeriods.from_arrays(
        member=per.index.to_numpy(),
        period=np.zeros(len(per), dtype=np.int64),
        peer_group=peer.loc[per.index].to_numpy(),
        # No calls or arrests are published: every officer who appears counts one unit of
        # exposure, so the comparison adjusts for unit, watch and uniform only.
        exposure=np.ones(len(per)),
        events={"force": per["force"], "weapon": per["weapon"], "officer_injured": per["injured"]},
    )
    shared = df.dropna(subset=["rd_no"]).drop_duplicates(subset=["rd_no", "member"])
    co = CoAttendance.from_arrays(
        incident=shared["rd_no"].to_numpy(),
        member=shared["member"].to_numpy(),
        escalated=shared["trr_id"].isin(hands_or_weapon).to_numpy(),
    )
    return data, co


def bench_chicago() -> None:
    print("\n4. Chicago TRR 2021–2023: peer-adjusted top k against a raw count of force reports")
    if not CHICAGO.exists():
        print(f"  {CHICAGO} not found; skipped")
        return
    data, co = chicago_inputs()
    result, seconds, _ = _traced(lambda: score_members(data, co))
    n = result.members.size
    force = result.observed[:, result.factors.index("force")]
    raw_order = result.members[np.lexsort((result.members, -force))]
    print(f"  {n:,} officers, {int(force.sum()):,} force reports, "
          f"{np.unique(data.peer_group).size:,} peer groups (unit × watch × uniform), "
          f"scored in {seconds:.2f} s; factors {', '.join(result.factors)}")  # fmt: skip
    if "within_incident_escalation" in result.factors:
        j = result.factors.index("within_incident_escalation")
        print(f"  within-incident: {int((result.incidents > 0).sum()):,} officers at shared "
              f"incidents where some but not all struck, took down or used a weapon; "
              f"{int(result.observed[:, j].sum()):,} such escalations")  # fmt: skip
    raw_flag = np.isin(result.members, raw_order[: round(0.05 * n)])
    ours_flag = np.isin(result.members, result.top(round(0.05 * n)))
    size = result.peer_size
    print(f"  top 5%: median peer-group size raw {np.median(size[raw_flag]):.0f}, ours "
          f"{np.median(size[ours_flag]):.0f}; plainclothes share raw "
          f"{np.mean(['plainclothes' in g for g in result.peer_group[raw_flag]]):.2f}, ours "
          f"{np.mean(['plainclothes' in g for g in result.peer_group[ours_flag]]):.2f}, all "
          f"{np.mean(['plainclothes' in g for g in result.peer_group]):.2f}")  # fmt: skip
    for frac in KS:
        k = round(frac * n)
        ours, raw = set(result.top(k)), set(raw_order[:k])
        both = len(ours & raw)
        ours_median = np.median(force[np.isin(result.members, list(ours))])
        raw_median = np.median(force[np.isin(result.members, list(raw))])
        print(f"  k = {frac:>4.0%} ({k:4d}): overlap {both:4d} ({both / k:.0%}), "
              f"Jaccard {both / len(ours | raw):.2f}; median force reports in the top k: "
              f"ours {ours_median:.0f}, raw {raw_median:.0f}")  # fmt: skip
    print(f"  flagged at combined ratio ≥ 1.5: {int(result.flagged.sum())}")


def main() -> None:
    quick = "--quick" in sys.argv
    bench_recovery()
    if not quick:
        bench_scale()
    bench_chicago()


if __name__ == "__main__":
    main()
