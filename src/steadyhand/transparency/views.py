"""The public page and its open data: no login, one agency per address.

Every view reads the same cached ``Release``, so the page, the CSV files and the feed show the
same numbers with the same cells hidden.
"""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from steadyhand.access.decorators import requires
from steadyhand.agencies.models import Agency
from steadyhand.transparency import render as out
from steadyhand.transparency.release import Release, cached_release


def _year(request: HttpRequest) -> int | None:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and len(text) == 4 else None


def _release(request: HttpRequest, agency: Agency) -> Release:
    return cached_release(agency=agency, year=_year(request))


def _csv_urls(release: Release) -> dict[str, str]:
    return {
        t.spec.key: reverse(
            "transparency:table_csv",
            kwargs={"agency_slug": release.agency_slug, "table_key": t.spec.key},
        )
        + f"?year={release.year}"
        for t in release.tables
    }


def _attachment(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires("transparency.view")
def public_page(request: HttpRequest, agency: Agency) -> HttpResponse:
    release = _release(request, agency)
    urls = _csv_urls(release)
    sections: dict[str, list[dict[str, object]]] = {}
    for table in release.tables:
        sections.setdefault(table.spec.section, []).append(
            {
                "table": table,
                "rows": out.table_rows(table),
                "year_row": out.year_row(table, release.year),
                "chart": out.month_chart(table, release.year),
                "csv": urls[table.spec.key],
            }
        )
    return render(
        request,
        "transparency/public_page.html",
        {
            "agency": agency,
            "release": release,
            "sections": sections,
            "marker": out.HIDDEN,
            "marker_meaning": out.MARKER_MEANING.format(threshold=release.threshold),
        },
    )


@requires("transparency.view")
def table_csv(request: HttpRequest, agency: Agency, table_key: str) -> HttpResponse:
    release = _release(request, agency)
    try:
        table = release.table(table_key)
    except KeyError:
        raise Http404("No such table.") from None
    return _attachment(
        out.table_csv(table, release.year), f"{agency.slug}-{release.year}-{table_key}.csv"
    )


@requires("transparency.view")
def dictionary_csv(request: HttpRequest, agency: Agency) -> HttpResponse:
    release = _release(request, agency)
    return _attachment(out.dictionary_csv(release), f"{agency.slug}-data-dictionary.csv")


@requires("transparency.view")
def feed(request: HttpRequest, agency: Agency) -> JsonResponse:
    release = _release(request, agency)
    response = JsonResponse(out.feed(release, csv_url=_csv_urls(release)))
    # Other sites may read the feed from a browser: it holds nothing that is not public.
    response["Access-Control-Allow-Origin"] = "*"
    return response
