"""Plain-language summaries and charts of a stored result: what it says and what it does not."""

from typing import Any

from django.utils.safestring import SafeString

from steadyhand.core.charts import Interval, Series, gap_chart, interval_chart, line_chart
from steadyhand.evaluations.models import Evaluation, Method, SynthStudy


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}%"


def headline(evaluation: Evaluation) -> str:
    """One sentence a commander can repeat without misquoting it."""
    overall = evaluation.result.get("overall", {})
    outcome = evaluation.get_outcome_display().lower()
    n = evaluation.result.get("n_units", 0)
    months = evaluation.result.get("n_months", 0)
    pct, lo, hi = overall.get("percent"), overall.get("percent_lower"), overall.get("percent_upper")
    if pct is None:
        return (
            f"Across {n} units and {months} months, the estimated change in {outcome} is "
            f"{overall.get('estimate', float('nan')):+.3f} per unit-month "
            f"(95% interval {overall.get('lower', float('nan')):+.3f} to "
            f"{overall.get('upper', float('nan')):+.3f})."
        )
    direction = "fewer" if pct < 0 else "more"
    if evaluation.method == Method.ITS:
        return (
            f"In {evaluation.result.get('last_month')}, the agency had {abs(pct):.0f}% "
            f"{direction} {outcome} than its trend and seasons before the first wave predict "
            f"(95% interval {_pct(lo)} to {_pct(hi)}), over {months} months. This design has no "
            "comparison group; read the caveats below."
        )
    certain = (
        "The interval excludes no change."
        if (hi is not None and hi < 0) or (lo is not None and lo > 0)
        else "The interval includes no change, so the data cannot rule out that training made "
        "no difference."
    )
    return (
        f"After their wave began, units had {abs(pct):.0f}% {direction} {outcome} than the "
        f"comparison implies (95% interval {_pct(lo)} to {_pct(hi)}), across {n} units and "
        f"{months} months. {certain}"
    )


def caveats(evaluation: Evaluation) -> list[str]:
    """What the estimate does not show: said every time, not buried in the methods page."""
    notes = [
        "It measures recorded events. A change in how often officers report force, or in how "
        "complaints are taken, moves the numbers as much as a change in behaviour does.",
        "It compares units trained earlier with units trained later. Habits that spread from "
        "trained to untrained officers (Camden's finding) make the estimate smaller than the "
        "true effect of the program as a whole.",
        "It is an average over units and months. It does not say which officers changed, and it "
        "is not evidence about any one incident or person.",
    ]
    if evaluation.method == Method.EFFICIENT:
        notes.append(
            "The efficient estimator relies on the wave order having been randomized; the "
            "randomization test's p-value asks how often a random reshuffle of the waves would "
            "give an effect this large by chance."
        )
    elif evaluation.method == Method.ITS:
        notes.append(
            "An interrupted time series has no comparison group: it compares the months after "
            "the first wave with what the trend and seasons before it predict. Anything else "
            "that changed at the same time is indistinguishable from the training. The percent "
            "change is for the last month, combining the immediate change and the change in "
            "trend."
        )
    elif evaluation.method == Method.TWFE:
        notes.append(
            "Two-way fixed effects can be badly biased when effects differ across waves or "
            "grow over time; it is shown for comparison with older studies only."
        )
    return notes


def event_study_chart(evaluation: Evaluation) -> SafeString | None:
    rows: list[dict[str, Any]] = evaluation.result.get("event_study", [])
    if not rows:
        return None
    return interval_chart(
        title="Effect by months since the wave began",
        description=(
            "Estimated change per unit-month in each month relative to the start of a unit's "
            "wave (negative months: before it, where no change is expected), with its 95% "
            "interval; the dashed line marks no change."
        ),
        intervals=[
            Interval(str(r["event_time"]), r.get("estimate"), r.get("lower"), r.get("upper"))
            for r in rows
        ],
        chart_id=f"event-study-{evaluation.pk}",
        y_label="change per unit-month",
        value_format=lambda v: f"{float(v):+.2f}",
    )


def trend_chart(evaluation: Evaluation) -> SafeString | None:
    rows: list[dict[str, Any]] = evaluation.result.get("trend", {}).get("rows", [])
    if not rows:
        return None
    return line_chart(
        title=f"{evaluation.get_outcome_display()} per unit and month",
        description="Mean count per unit, among units already trained and units not yet trained.",
        x_labels=[r["month"] for r in rows],
        series=[
            Series("Not yet trained", [r.get("untreated_mean") for r in rows]),
            Series("Trained", [r.get("treated_mean") for r in rows]),
        ],
        chart_id=f"trend-{evaluation.pk}",
        y_label="mean per unit",
        value_format=lambda v: f"{float(v):.2f}",
        width=960,
    )


def _label(t: float) -> str:
    return str(int(t)) if float(t).is_integer() else f"{t:g}"


def synth_gap_chart(study: SynthStudy) -> SafeString:
    r = study.result
    times = [float(t) for t in r["times"]]
    start = next((i for i, t in enumerate(times) if t >= study.treatment_start), None)
    return gap_chart(
        title=f"{study.treated} minus its synthetic control, with placebo peers",
        description=(
            "The bold line is this agency's outcome minus its synthetic control's in each period; "
            "thin grey lines are the same gap for each peer agency treated as if it had run the "
            "program (placebos). An effect should stand out from the placebos after the dashed "
            "line."
        ),
        x_labels=[_label(t) for t in times],
        gaps=r["gaps"],
        placebo_gaps=list(r["placebo_gaps"].values()),
        chart_id=f"synth-gap-{study.pk}",
        marker_index=start,
        marker_label="Program began",
        y_label=study.outcome_column,
        value_format=lambda v: f"{float(v):+.2f}",
    )


def synth_rows(study: SynthStudy) -> list[dict[str, Any]]:
    r = study.result
    return [
        {
            "time": _label(t),
            "treated": y,
            "synthetic": s,
            "gap": g,
            "augmented_gap": a,
            "after": t >= study.treatment_start,
        }
        for t, y, s, g, a in zip(
            r["times"],
            r["treated_outcome"],
            r["synthetic_outcome"],
            r["gaps"],
            r["augmented_gaps"],
            strict=True,
        )
    ]


def synth_weights(study: SynthStudy) -> list[tuple[str, float]]:
    weights: dict[str, float] = study.result["fit"]["weights"]
    return sorted(((k, v) for k, v in weights.items() if v > 0.0005), key=lambda kv: -kv[1])


def its_chart(evaluation: Evaluation) -> SafeString | None:
    rows: list[dict[str, Any]] = evaluation.result.get("series", [])
    if not rows:
        return None
    return line_chart(
        title=f"{evaluation.get_outcome_display()} per month, and what the trend predicted",
        description=(
            "Observed monthly count for the whole agency, the model's fit, and the "
            "counterfactual: the pre-program trend and seasons carried forward."
        ),
        x_labels=[r["month"] for r in rows],
        series=[
            Series("Observed", [r["observed"] for r in rows]),
            Series("Counterfactual", [r["counterfactual"] for r in rows]),
        ],
        chart_id=f"its-{evaluation.pk}",
        y_label="events per month",
        value_format=lambda v: f"{float(v):.0f}",
        width=960,
    )
