"""Recognition pages (``pages``) and the public nomination form (``public``)."""

from steadyhand.recognition.views.pages import (
    approve,
    award_edit,
    awards,
    consent,
    decline,
    detail,
    identify,
    index,
    nominate,
    nominate_suggested,
    publish,
    suggestions,
    unpublish,
)
from steadyhand.recognition.views.public import public_nominate, public_sent

__all__ = [
    "approve",
    "award_edit",
    "awards",
    "consent",
    "decline",
    "detail",
    "identify",
    "index",
    "nominate",
    "nominate_suggested",
    "public_nominate",
    "public_sent",
    "publish",
    "suggestions",
    "unpublish",
]
