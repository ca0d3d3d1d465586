"""Accounts and HTTP hardening: lockout, two-factor, CSRF, CSP and other headers, sessions."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from steadyhand.access.roles import Role
from steadyhand.agencies.services import agency_configure
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.9.8.7")


def test_five_failed_logins_lock_the_account_even_for_the_right_password(
    small_agency: SmallAgency,
) -> None:
    make_user(small_agency.agency, [Role.OFFICER], username="target")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "target", "wrong-password-guess").status_code == 200
    assert _login(client, "target", "wrong-password-guess").status_code == 429
    locked = _login(client, "target", TEST_PASSWORD)
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    assert "_auth_user_id" not in client.session


def test_a_correct_login_before_the_limit_works(small_agency: SmallAgency) -> None:
    make_user(small_agency.agency, [Role.OFFICER], username="fine")
    client = Client()
    _login(client, "fine", "oops-typo")
    response = _login(client, "fine", TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def _require_2fa_for(agency: SmallAgency, role: Role) -> None:
    agency_configure(actor=agency.system, agency=agency.agency, require_2fa_roles=[role.value])


def test_role_that_requires_two_factor_cannot_reach_pages_until_verified(
    small_agency: SmallAgency,
) -> None:
    _require_2fa_for(small_agency, Role.INTERNAL_AFFAIRS)
    user = make_user(small_agency.agency, [Role.INTERNAL_AFFAIRS], username="ia")
    client = Client()
    assert _login(client, "ia", TEST_PASSWORD).status_code == 302
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == reverse("accounts:two_factor")

    # Enrolment: the page creates a pending device; a wrong code is refused, a right one works.
    assert client.get(reverse("accounts:two_factor")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    bad = client.post(reverse("accounts:two_factor"), {"token": "000000"})
    assert b"not valid" in bad.content
    # django-otp throttles after a failure; let the throttle window pass instead of sleeping.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    good = client.post(reverse("accounts:two_factor"), {"token": f"{totp(device.bin_key):06d}"})
    assert good.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="account.2fa_enrol", object_id=str(user.pk)).exists()


def test_enrolled_user_must_enter_a_code_at_each_login(small_agency: SmallAgency) -> None:
    _require_2fa_for(small_agency, Role.INTERNAL_AFFAIRS)
    user = make_user(small_agency.agency, [Role.INTERNAL_AFFAIRS], username="ia2")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    _login(client, "ia2", TEST_PASSWORD)
    assert client.get("/").status_code == 302
    client.post(reverse("accounts:two_factor"), {"token": f"{totp(device.bin_key):06d}"})
    assert client.get("/").status_code == 200


def test_roles_not_listed_by_the_agency_log_in_without_a_second_factor(
    small_agency: SmallAgency,
) -> None:
    _require_2fa_for(small_agency, Role.INTERNAL_AFFAIRS)
    make_user(small_agency.agency, [Role.TRAINER], username="trainer")
    client = Client()
    _login(client, "trainer", TEST_PASSWORD)
    assert client.get("/").status_code == 200


def test_state_changing_post_without_csrf_token_is_refused(small_agency: SmallAgency) -> None:
    user = make_user(small_agency.agency, [Role.AGENCY_ADMIN], username="admin")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse("accounts:user_create"), {"username": "x", "password": "long-enough-password-1"}
    )
    assert response.status_code == 403
    assert not type(user).objects.filter(username="x").exists()


def test_security_headers_are_sent(small_agency: SmallAgency) -> None:
    response = Client().get(LOGIN)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_sessions_expire_and_passwords_are_hashed_with_argon2_in_production() -> None:
    from steadyhand.config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert get_hasher("argon2").algorithm == "argon2"
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


def test_weak_passwords_are_rejected_by_the_account_service(small_agency: SmallAgency) -> None:
    from steadyhand.accounts.services import user_create
    from steadyhand.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as excinfo:
        user_create(actor=small_agency.system, username="weak", password="password")
    assert "password" in excinfo.value.errors


def test_anonymous_visitor_is_sent_to_login(small_agency: SmallAgency) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
