"""Translate the errors services raise into pages, so views stay thin."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from steadyhand.access.actor import Actor
from steadyhand.core.errors import InvalidInput, NotFound, PermissionDenied


def request_actor(request: HttpRequest) -> Actor:
    """The actor of a request that ``@requires`` let through (so never None)."""
    return request.actor  # type: ignore[attr-defined]


def apply_errors(form: forms.Form, exc: InvalidInput) -> None:
    """Show a service's validation errors next to the fields they name (else on the form)."""
    for field, errors in exc.errors.items():
        form.add_error(field if field in form.fields else None, errors)


def error_page(request: HttpRequest, *, status: int, heading: str, message: str) -> HttpResponse:
    return render(
        request, "core/error.html", {"heading": heading, "message": message}, status=status
    )


def handles_refusals(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Render NotFound as 404 and PermissionDenied as 403, with a readable page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            return error_page(
                request,
                status=404,
                heading="Not found",
                message="There is no such record, or you may not see it.",
            )
        except PermissionDenied as exc:
            return error_page(request, status=403, heading="Not allowed", message=str(exc))

    return wrapper
