"""The import pages of each mapping target, in its own URL namespace (``incident_imports``,
``complaint_imports``); ``config/urls.py`` includes both lists."""

from django.urls import URLPattern, path

from steadyhand.imports.mapped_views import MappedPages, complaint_pages, incident_pages


def _patterns(prefix: str, pages: MappedPages) -> list[URLPattern]:
    return [
        path(f"imports/{prefix}/", pages.upload, name="upload"),
        path(f"imports/{prefix}/<int:batch_id>/", pages.detail, name="detail"),
        path(f"imports/{prefix}/<int:batch_id>/errors.csv", pages.errors_csv, name="errors_csv"),
        path(f"imports/{prefix}/<int:batch_id>/load/", pages.load, name="load"),
        path(f"imports/{prefix}/<int:batch_id>/recheck/", pages.recheck, name="recheck"),
    ]


incident_patterns = (_patterns("incidents", incident_pages), "incident_imports")
complaint_patterns = (_patterns("complaints", complaint_pages), "complaint_imports")
