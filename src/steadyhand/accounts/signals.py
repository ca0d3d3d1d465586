"""Logins and logouts are access events in the audit log.

Django announces them only through these signals (the login view is Django's own), so this is
the one place the audit log is written from a signal handler.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from steadyhand.audit.models import EventKind
from steadyhand.audit.services import audit_record


def _record(action: str, user: Any) -> None:
    from steadyhand.accounts.selectors import actor_for_user

    if user is None or getattr(user, "agency_id", None) is None:
        return
    actor = actor_for_user(user)
    if actor is None:
        return
    with transaction.atomic():
        audit_record(actor=actor, action=action, obj=user, kind=EventKind.ACCESS)


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _record("account.login", user)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _record("account.logout", user)
