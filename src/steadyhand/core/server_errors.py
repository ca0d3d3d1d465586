"""The page for a request that failed unexpectedly (``handler500``).

Rendered WITHOUT the request's context processors: the usual cause of a failure here is the
database going away, and the navigation, the user's name and the messages would each query it
again and fail a second time. A database that cannot be reached is a 503 ("try again"), with
Retry-After; anything else is a 500. Either way the person sees the site's own page and never
a traceback, and the transaction of the failed request was rolled back, so nothing of it was
saved.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

UNAVAILABLE = (
    "The database could not be reached, so nothing you sent in this request was saved. "
    "Please try again in a minute; if it keeps happening, tell your administrator."
)
FAILED = (
    "Something went wrong on our side and nothing you sent in this request was saved. "
    "The error was logged for the administrators. Please try again."
)


def server_error(request: HttpRequest) -> HttpResponse:
    database_away = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    heading = "Service unavailable" if database_away else "Server error"
    html = render_to_string(
        "core/error.html",
        {"heading": heading, "message": UNAVAILABLE if database_away else FAILED},
    )
    response = HttpResponse(html, status=503 if database_away else 500)
    if database_away:
        response["Retry-After"] = "60"
    return response
