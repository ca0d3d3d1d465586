"""Per-client rate limit for public forms, kept in the database.

The client is a keyed hash of its IP address (``salted_hmac`` with the deployment's secret key),
so the table never holds an address and cannot be reversed without the key. The counts live in
a database table rather than a per-process cache so that every web process of a deployment
shares one limit. Only accepted attempts are stored, and rows older than the window are deleted
as new ones arrive, so the table holds at most ``limit`` rows per client.

Behind a reverse proxy, set ``STEADYHAND_TRUSTED_PROXIES`` to the number of proxies in front of
the application; the client is then read from ``X-Forwarded-For`` (the entry that many hops from
the right), never from a value the client could have written itself.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from steadyhand.complaints.models import SubmissionAttempt


@dataclass(frozen=True)
class Rate:
    limit: int
    window: timedelta

    @property
    def window_text(self) -> str:
        minutes = int(self.window.total_seconds() // 60)
        if minutes % 60 == 0:
            hours = minutes // 60
            return "hour" if hours == 1 else f"{hours} hours"
        return f"{minutes} minutes"


def complaint_form_rate() -> Rate:
    """``STEADYHAND_COMPLAINT_FORM_RATE = (submissions, seconds)``; default 5 an hour."""
    limit, seconds = getattr(settings, "STEADYHAND_COMPLAINT_FORM_RATE", (5, 3600))
    return Rate(limit=int(limit), window=timedelta(seconds=int(seconds)))


def client_ip(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "STEADYHAND_TRUSTED_PROXIES", 0))
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def client_key(request: HttpRequest) -> str:
    return salted_hmac(
        "steadyhand.complaints.throttle", client_ip(request), algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def take_attempt(*, scope: str, client: str, rate: Rate) -> bool:
    """Record an attempt by ``client`` and return True, or False if it is over the limit."""
    now = timezone.now()
    since = now - rate.window
    SubmissionAttempt.objects.filter(at__lt=since).delete()
    recent = SubmissionAttempt.objects.filter(scope=scope, client=client, at__gte=since).count()
    if recent >= rate.limit:
        return False
    SubmissionAttempt.objects.create(scope=scope, client=client, at=now)
    return True
