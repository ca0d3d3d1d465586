"""Writes of the recognition app. Each: permission, state, version, change, audit event — in
one transaction (STYLE.md)."""

from steadyhand.recognition.services.awards import award_type_create, award_type_update
from steadyhand.recognition.services.deciding import (
    nomination_approve,
    nomination_consent,
    nomination_decline,
    nomination_identify,
    nomination_publish,
    nomination_unpublish,
)
from steadyhand.recognition.services.nominating import (
    nomination_create,
    nomination_from_suggestion,
    nomination_submit_public,
)

__all__ = [
    "award_type_create",
    "award_type_update",
    "nomination_approve",
    "nomination_consent",
    "nomination_create",
    "nomination_decline",
    "nomination_from_suggestion",
    "nomination_identify",
    "nomination_publish",
    "nomination_submit_public",
    "nomination_unpublish",
]
