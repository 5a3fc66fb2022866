"""Two-factor login as users meet it: street administrators must set up an authenticator app
and give its code at every login; grid workers are not asked; a wrong code is refused, five
in a row end the login; API calls are refused with a reason; it is all in the audit log."""

import datetime
import os
import re
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from tests.conftest import MICRO_A
from tests.helpers import mark_verified_for_tests
from wangge.core.models import AuditAction, AuditEvent
from wangge.core.security import SECURITY_ADMINISTRATOR
from wangge.core.two_factor import two_factor_required

pytestmark = pytest.mark.django_db

PASSWORD = "wangge-demo"
SETUP = "/accounts/2fa/setup/"
VERIFY = "/accounts/2fa/verify/"
GRIDS = "/registry/grids/"


def _login(client, username: str, next_url: str = GRIDS):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD,
                                                "next": next_url})
    assert response.status_code == 302, response.content.decode()[:500]
    assert "_auth_user_id" in client.session
    return response


def _code(device, steps_ahead: int = 0) -> str:
    """The code the user's phone shows now (or that many 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _enrol(client, user) -> TOTPDevice:
    """Set up an authenticator through the page, as the user would."""
    assert client.get(SETUP, {"next": GRIDS}).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"token": _code(device), "next": GRIDS})
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fregistry%2Fgrids%2F"
    device.refresh_from_db()
    assert device.confirmed
    return device


def _opens(client, url: str = GRIDS) -> bool:
    """Whether the page opens (following its own redirects), not the 2FA or login page."""
    response = client.get(url, follow=True)
    hops = [location for location, _ in response.redirect_chain]
    return response.status_code == 200 and not any(
        hop.startswith(("/accounts/2fa/", "/accounts/login/")) for hop in hops)


def _unthrottle(device) -> None:
    """As if the few seconds' wait after a wrong code had passed."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=10))


def _events(action, user):
    return AuditEvent.objects.filter(action=action, target_id=str(user.pk))


# --- who must -----------------------------------------------------------------------------


def test_who_must_use_two_factor(street_staff, community_officer, worker_a, street_admin):
    assert two_factor_required(street_staff)  # staff, the whole street
    assert two_factor_required(street_admin)  # a superuser
    assert not two_factor_required(worker_a)  # one micro-grid
    assert not two_factor_required(community_officer)  # not staff, one community
    community_officer.is_staff = True
    assert not two_factor_required(community_officer)  # staff, but one community only


def test_required_by_default_but_not_in_the_demo():
    def required(mode: str) -> str:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("WANGGE_")}
        result = subprocess.run(
            [sys.executable, "-c",
             "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wangge.settings';"
             "from django.conf import settings; django.setup();"
             "print(settings.WANGGE_2FA_REQUIRED)"],
            env={**clean, "WANGGE_MODE": mode, "SECRET_KEY": "x" * 50,
                 "WANGGE_DATA_KEY": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="},
            capture_output=True, text=True, check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert required("production") == "True"
    assert required("demo") == "False"
    assert settings.WANGGE_2FA_REQUIRED  # tests run as in production


# --- the street administrator's first login: set up ---------------------------------------


def test_street_admin_must_set_up_two_factor_before_any_page_opens(client, street_staff):
    response = _login(client, street_staff.username)
    assert response["Location"] == GRIDS
    response = client.get(GRIDS)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fregistry%2Fgrids%2F"
    assert client.get("/me/")["Location"].startswith(SETUP)
    assert client.get(VERIFY)["Location"].startswith(SETUP)  # nothing to verify yet
    assert client.get("/admin/")["Location"].startswith(SETUP)

    page = client.get(SETUP, {"next": GRIDS})
    assert page.status_code == 200
    assert page["Content-Language"] == "zh-hans"
    assert "no-store" in page["Cache-Control"]  # the secret is in it
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=street_staff)
    assert not device.confirmed
    assert re.search(r'<svg [^>]*class="otp-qr"', html)  # the QR code, drawn in the page
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert device.config_url.split("secret=")[1].startswith(secret.replace(" ", ""))
    assert "issuer=wangge" in device.config_url
    # No inline script: the page works under the site's CSP.
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "'unsafe-inline'" not in page["Content-Security-Policy"] \
        .split("script-src")[1].split(";")[0]
    # Reloading the page keeps the same key (the phone may have scanned it already).
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=street_staff).get().key == device.key
    # Still shut out until the device is confirmed.
    assert client.get(GRIDS).status_code == 302


def test_a_wrong_code_does_not_confirm_the_device(client, street_staff):
    _login(client, street_staff.username)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=street_staff)
    response = client.post(SETUP, {"token": "12345"})
    assert response.status_code == 200
    assert 'id="otp-error"' in response.content.decode()
    wrong = f"{(int(_code(device)) + 1) % 10**6:06d}"
    _unthrottle(device)
    response = client.post(SETUP, {"token": wrong})
    assert response.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(GRIDS).status_code == 302


def test_after_setting_up_pages_open_and_the_next_login_asks_for_a_code(client, street_staff):
    _login(client, street_staff.username)
    device = _enrol(client, street_staff)
    done = client.get(SETUP, {"next": GRIDS})
    assert 'id="otp-done"' in done.content.decode()
    assert _opens(client)
    assert client.get("/me/").status_code == 200
    assert _events(AuditAction.TWO_FACTOR_ENROLL, street_staff).get().actor == street_staff

    client.post("/accounts/logout/")
    _login(client, street_staff.username)
    response = client.get(GRIDS)
    assert response["Location"] == f"{VERIFY}?next=%2Fregistry%2Fgrids%2F"
    # A second authenticator cannot be added on the password alone.
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'name="token"' in page.content.decode()

    # The code of the next 30 seconds (this one was used to set up), typed with a Chinese
    # input method's full-width digits.
    code = _code(device, steps_ahead=1)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    response = client.post(VERIFY, {"token": full_width, "next": GRIDS})
    assert response.status_code == 302 and response["Location"] == GRIDS
    assert _opens(client)
    verified = _events(AuditAction.TWO_FACTOR_VERIFY, street_staff).get()
    assert verified.actor == street_staff and verified.ip_address == "127.0.0.1"


def test_a_wrong_code_is_refused_with_a_message(client, street_staff):
    _login(client, street_staff.username)
    device = _enrol(client, street_staff)
    client.post("/accounts/logout/")
    _login(client, street_staff.username)

    wrong = f"{(int(_code(device, 1)) + 1) % 10**6:06d}"
    response = client.post(VERIFY, {"token": wrong, "next": GRIDS})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="otp-error"' in html
    assert "4" in re.search(r'id="otp-error"[^>]*>([^<]+)<', html).group(1)  # tries left
    assert client.get(GRIDS).status_code == 302
    failed = _events(AuditAction.TWO_FACTOR_FAILED, street_staff).get()
    assert failed.detail["failures"] == 1 and not failed.detail["logged_out"]

    # Right at once after a wrong one, the code must wait a moment (django-otp's throttling).
    response = client.post(VERIFY, {"token": _code(device, 1), "next": GRIDS})
    assert response.status_code == 200
    assert 'id="otp-error"' in response.content.decode()
    _unthrottle(device)
    response = client.post(VERIFY, {"token": _code(device, 1), "next": GRIDS})
    assert response.status_code == 302
    assert _opens(client)


def test_five_wrong_codes_in_a_row_end_the_login(client, street_staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no waiting between tries in this test
    _login(client, street_staff.username)
    device = _enrol(client, street_staff)
    client.post("/accounts/logout/")
    _login(client, street_staff.username)
    wrong = f"{(int(_code(device, 1)) + 1) % 10**6:06d}"
    for _ in range(settings.WANGGE_2FA_FAILURE_LIMIT - 1):
        assert 'id="otp-error"' in client.post(VERIFY, {"token": wrong}).content.decode()
    response = client.post(VERIFY, {"token": wrong, "next": GRIDS})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get(GRIDS)["Location"].startswith("/accounts/login/")
    login_page = client.get(response["Location"]).content.decode()
    assert 'role="alert"' in login_page  # says why
    failures = _events(AuditAction.TWO_FACTOR_FAILED, street_staff).order_by("id")
    assert [e.detail["failures"] for e in failures] == [1, 2, 3, 4, 5]
    assert failures.last().detail["logged_out"] is True
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=street_staff).exists()


# --- who is not asked ---------------------------------------------------------------------


def test_a_grid_worker_is_not_asked_for_a_code(client, worker_a):
    _login(client, worker_a.username)
    assert client.get(GRIDS)["Location"].endswith(f"{GRIDS}{MICRO_A}/")
    assert client.get(f"{GRIDS}{MICRO_A}/").status_code == 200
    assert client.get("/me/").status_code == 200
    assert not TOTPDevice.objects.filter(user=worker_a).exists()


def test_a_worker_may_turn_it_on_and_is_then_asked(client, worker_a):
    _login(client, worker_a.username)
    page = client.get(SETUP)
    assert page.status_code == 200
    assert 'class="notice"' not in page.content.decode()  # not required, just offered
    device = TOTPDevice.objects.get(user=worker_a)
    client.post(SETUP, {"token": _code(device)})
    client.post("/accounts/logout/")
    _login(client, worker_a.username)
    assert client.get("/me/")["Location"].startswith(VERIFY)


def test_when_not_required_street_staff_are_not_forced(client, street_staff, settings):
    settings.WANGGE_2FA_REQUIRED = False
    _login(client, street_staff.username)
    assert _opens(client)


# --- API and public pages -----------------------------------------------------------------


def test_an_api_call_in_a_half_finished_login_gets_403_json(client, street_staff):
    _login(client, street_staff.username)
    response = client.get("/api/people/")
    assert response.status_code == 403
    body = response.json()
    assert body["two_factor"] == "setup" and body["url"] == SETUP
    assert SETUP in body["detail"]
    # A token does not help while the session is the half-logged-in one: the API would
    # take the session's user first.
    token = Token.objects.create(user=street_staff)
    response = client.get("/api/people/", headers={"authorization": f"Token {token.key}"})
    assert response.status_code == 403
    # A write to a public API is stopped too (here: an administrator's level change).
    response = client.post(f"/api/grids/{MICRO_A}/levels/",
                           {"level": "red", "reason": "隐患集中"})
    assert response.status_code == 403 and response.json()["two_factor"] == "setup"

    _enrol(client, street_staff)
    client.post("/accounts/logout/")
    _login(client, street_staff.username)
    body = client.get("/api/people/").json()
    assert body["two_factor"] == "verify" and body["url"] == VERIFY


def test_token_clients_are_left_to_the_api(street_staff):
    token = Token.objects.create(user=street_staff)
    response = Client().get("/api/people/", {"page_size": 1},
                            headers={"authorization": f"Token {token.key}"})
    assert response.status_code == 200


def test_public_pages_show_a_half_logged_in_user_what_they_show_a_visitor(client, street_staff):
    _login(client, street_staff.username)
    for url in ("/", "/appeal/new", "/results", "/map", "/api/grids/", f"/api/grids/{MICRO_A}/",
                "/board/", "/api/docs/", "/healthz", "/open311/v2/services.json"):
        assert client.get(url).status_code == 200, url
    page = client.get("/map").content.decode()
    assert street_staff.username not in page  # served as to a visitor
    assert client.post("/i18n/setlang/", {"language": "en", "next": SETUP}).status_code == 302


# --- the administrator resets a device ----------------------------------------------------


def test_a_security_administrator_resets_a_device_and_that_is_audited(client, street_staff):
    _login(client, street_staff.username)
    device = _enrol(client, street_staff)
    assert _opens(client)

    security = get_user_model().objects.create_user("tfa-security", password="x", is_staff=True)
    security.groups.add(Group.objects.get(name=SECURITY_ADMINISTRATOR))
    admin = Client()
    admin.force_login(security)
    change = admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert change.status_code == 200
    assert device.key not in change.content.decode()  # the secret is never shown
    response = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    reset = _events(AuditAction.TWO_FACTOR_RESET, street_staff).get()
    assert reset.actor == security and reset.target_label == street_staff.username

    # The street administrator must set it up again.
    assert client.get(GRIDS)["Location"].startswith(SETUP)


# --- the helper for other tests -----------------------------------------------------------


def test_mark_verified_for_tests(client, street_staff, street_admin, worker_a):
    assert mark_verified_for_tests(client, street_staff) is not None
    assert _opens(client)
    admin = Client()
    mark_verified_for_tests(admin, street_admin)  # logs in too
    assert _opens(admin, "/admin/")
    worker = Client()
    assert mark_verified_for_tests(worker, worker_a) is None  # owes nothing: logged in only
    assert worker.get("/me/").status_code == 200


def test_api_tokens_need_the_second_factor_too(client, street_staff):
    from django_otp.oath import totp

    response = client.post("/api/auth/token/", {"username": "street-admin",
                                                "password": "wangge-demo"})
    assert response.status_code == 403  # must set up two-factor first
    device = mark_verified_for_tests(client, street_staff)
    client.logout()
    no_code = client.post("/api/auth/token/", {"username": "street-admin",
                                               "password": "wangge-demo"})
    assert no_code.status_code == 403
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    ok = client.post("/api/auth/token/", {"username": "street-admin", "password": "wangge-demo",
                                          "otp": code})
    assert ok.status_code == 200 and ok.json()["token"]
