"""Steadyhand's errors as API responses: 404 for missing-or-not-yours, 403, 409, and 400 with
every field problem keyed by its place in the request (``events[2].code``)."""

from typing import Any

from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied


def flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors (``{"events": [{}, {"code": [..]}]}``) keyed ``events[1].code``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            for k, v in flatten(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out.setdefault(prefix, []).extend(str(item) for item in detail)
        else:
            for i, item in enumerate(detail):
                for k, v in flatten(item, f"{prefix}[{i}]").items():
                    out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix, []).append(str(detail))
    return {k: v for k, v in out.items() if v}


def _invalid(errors: dict[str, list[str]]) -> Response:
    detail = "; ".join(f"{f}: {' '.join(m)}" if f else " ".join(m) for f, m in errors.items())
    return Response({"detail": detail, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotFound):
        return Response(
            {"detail": "There is no such record, or you may not see it."},
            status=status.HTTP_404_NOT_FOUND,
        )
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ConflictError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, InvalidInput):
        return _invalid(exc.errors)
    if isinstance(exc, ValidationError):
        return _invalid(flatten(exc.detail))
    return exception_handler(exc, context)
