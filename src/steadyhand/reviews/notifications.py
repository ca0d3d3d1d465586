"""In-app notifications plus email, sent from inside the service that causes them.

``notify`` writes the ``Notification`` rows in the caller's transaction (so a refused or failed
write notifies no one) and sends the emails only once that transaction commits, through Django's
``send_mail`` (the console backend by default: ``EMAIL_BACKEND`` in settings). An email that
cannot be sent is logged, never allowed to undo the work.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Member
from steadyhand.reviews.models import Notification

log = logging.getLogger(__name__)
SUBJECT_PREFIX = "[Steadyhand] "


def users_of(members: Iterable[Member | None]) -> list[User]:
    """The active logins linked to ``members`` (members without a login get no notice)."""
    ids = {m.pk for m in members if m is not None}
    return list(User.objects.filter(member_id__in=ids, is_active=True))


def notify(*, actor: Actor, recipients: Iterable[User], text: str, link: str = "") -> int:
    """Notify each recipient once (the actor is never told about their own action)."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user.pk in seen or user.pk == actor.user_id or user.agency_id != actor.agency_id:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(agency_id=actor.agency_id, recipient=user, text=text[:300], link=link)
        )
    Notification.objects.bulk_create(rows)
    emails = [row.recipient.email for row in rows if row.recipient.email]
    if emails:
        transaction.on_commit(lambda: _send(text, link, emails))
    return len(rows)


def _send(text: str, link: str, emails: list[str]) -> None:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    body = f"{text}\n\n{base}{link}\n" if link else f"{text}\n"
    for email in emails:
        try:
            send_mail(
                SUBJECT_PREFIX + text[:80],
                body,
                getattr(settings, "DEFAULT_FROM_EMAIL", None),
                [email],
            )
        except Exception:  # an unreachable mail server must not look like a failed review
            log.exception("Could not email a notification to %s", email)
