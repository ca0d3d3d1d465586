"""The calibration report's charts (SVG, from steadyhand.core.charts). The page prints the
same numbers in a table: a chart is never the only place a number appears."""

from django.utils.safestring import SafeString

from steadyhand.analytics.early_warning import Recalibration
from steadyhand.core.charts import Reference, Series, bar_chart
from steadyhand.intervention.labels import factor_label


def dispute_chart(report: Recalibration) -> SafeString:
    return bar_chart(
        title="How often supervisors dispute each factor",
        description="Per factor, the percentage of responded flags showing it whose supervisor "
        f"disputed it. The dashed line is the {report.reject_level:.0%} level above which a "
        "factor that is consistently disputed is down-weighted.",
        categories=[factor_label(r.factor) for r in report.factors],
        series=[Series("Disputed (%)", [round(100 * r.dispute_rate, 1) for r in report.factors])],
        chart_id="ei-disputes",
        y_label="% of responses",
        reference=Reference(round(100 * report.reject_level, 1), "Down-weighting level"),
    )


def weight_chart(report: Recalibration) -> SafeString:
    return bar_chart(
        title="Factor weights before and after recalibration",
        description="Each factor's weight in the score (1 is the default); feedback only ever "
        "lowers a weight.",
        categories=[factor_label(r.factor) for r in report.factors],
        series=[
            Series("Configured weight", [round(r.old_weight, 3) for r in report.factors]),
            Series("Weight the next run uses", [round(r.new_weight, 3) for r in report.factors]),
        ],
        chart_id="ei-weights",
        y_label="Weight",
    )
