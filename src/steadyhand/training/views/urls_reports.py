from django.urls import URLPattern, path

from steadyhand.training.views import reports

urlpatterns: list[URLPattern] = [
    path("reports/", reports.reports_index, name="reports"),
    path("reports/parity/", reports.parity, name="reports_parity"),
    path("reports/parity/target/", reports.parity_target_edit, name="reports_parity_target"),
    path("reports/compliance/", reports.compliance, name="reports_compliance"),
    path("reports/compliance.csv", reports.compliance_csv, name="reports_compliance_csv"),
    path("reports/coverage/", reports.coverage, name="reports_coverage"),
    path("reports/mandates/", reports.mandate_list_view, name="reports_mandates"),
    path("reports/mandates/new/", reports.mandate_create, name="reports_mandate_create"),
    path("reports/mandates/examples/", reports.mandate_examples, name="reports_mandate_examples"),
    path(
        "reports/mandates/<int:mandate_id>/edit/",
        reports.mandate_edit,
        name="reports_mandate_edit",
    ),
    path(
        "reports/mandates/<int:mandate_id>/delete/",
        reports.mandate_delete,
        name="reports_mandate_delete",
    ),
]
