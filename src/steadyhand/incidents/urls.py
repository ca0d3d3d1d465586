from django.urls import path

from steadyhand.incidents.views import pages, report, timeline

app_name = "incidents"

urlpatterns = [
    path("", pages.incident_list, name="incident_list"),
    path("new/", report.report_start, name="report_start"),
    path("<int:incident_id>/", pages.incident_detail, name="incident_detail"),
    path("<int:incident_id>/statement/", pages.statement, name="statement"),
    path("<int:incident_id>/report/", report.report_basics, name="report_basics"),
    path("<int:incident_id>/report/people/", report.report_people, name="report_people"),
    path(
        "<int:incident_id>/report/people/<int:involvement_id>/remove/",
        report.involvement_remove,
        name="involvement_remove",
    ),
    path("<int:incident_id>/report/subjects/new/", report.subject_add, name="subject_add"),
    path(
        "<int:incident_id>/report/subjects/<int:subject_id>/",
        report.subject_edit,
        name="subject_edit",
    ),
    path(
        "<int:incident_id>/report/subjects/<int:subject_id>/remove/",
        report.subject_remove,
        name="subject_remove",
    ),
    path("<int:incident_id>/report/timeline/", timeline.report_timeline, name="report_timeline"),
    path("<int:incident_id>/report/timeline/new/", timeline.event_add, name="event_add"),
    path(
        "<int:incident_id>/report/timeline/<int:event_id>/",
        timeline.event_edit,
        name="event_edit",
    ),
    path(
        "<int:incident_id>/report/timeline/<int:event_id>/remove/",
        timeline.event_remove,
        name="event_remove",
    ),
    path(
        "<int:incident_id>/report/timeline/<int:event_id>/move/",
        timeline.event_move,
        name="event_move",
    ),
    path("<int:incident_id>/report/outcomes/", report.report_outcomes, name="report_outcomes"),
    path("<int:incident_id>/report/review/", report.report_review, name="report_review"),
]
