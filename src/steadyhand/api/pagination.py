"""Limit/offset pages whose numbers fit the database's integers.

DRF's ``LimitOffsetPagination`` accepts any ``?limit=`` and ``?offset=``; 2**63 reaches the
database as LIMIT/OFFSET and fails there (SQLite: "datatype mismatch", PostgreSQL: "bigint out
of range"), a server error. Here the limit is capped (as the page size is) and the offset too:
an offset past the last row gives an empty page, as any offset past the end does.
"""

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_OFFSET = 2**31 - 1


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 500

    def get_offset(self, request: Request) -> int:
        return min(super().get_offset(request), MAX_OFFSET)
