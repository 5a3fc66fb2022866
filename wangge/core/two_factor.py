"""Two-factor login with a TOTP authenticator app (GB/T 22239-2019 8.1.4.1 d, 等保2.0 level 3).

* After the password, a user who has an authenticator (a confirmed django-otp `TOTPDevice`)
  enters its 6-digit code at /accounts/2fa/verify/ before any other page opens.
* Superusers and staff whose part of the grid tree is a whole street or more must have one
  (`two_factor_required`, setting WANGGE_2FA_REQUIRED): without one they are sent to
  /accounts/2fa/setup/ first. Anyone else may set one up there.
* `TwoFactorMiddleware` (after django-otp's OTPMiddleware) does the sending: pages redirect,
  API calls get 403 JSON. Public pages answer such a half-logged-in user as a visitor.
* WANGGE_2FA_FAILURE_LIMIT wrong codes in a row end the login; django-otp's throttling also
  makes each try after a wrong one wait longer (1, 2, 4, ... seconds).
* Setting up, passing, failing and removing (a security administrator resets a device by
  deleting it in the admin) are written to the audit log.
"""

import math
import re
import unicodedata
from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models.signals import post_delete
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render, resolve_url
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.core.models import AuditAction
from wangge.core.scope import scope_prefixes
from wangge.core.services import audit_record

# A street's grid code has 9 digits (520302001): a prefix this short covers a street or more.
STREET_CODE_LENGTH = 9
# Wrong codes in a row in this login (the session), for WANGGE_2FA_FAILURE_LIMIT.
FAILURES_SESSION_KEY = "wangge_2fa_failures"
DEVICE_NAME = "authenticator"

VERIFY, SETUP = "verify", "setup"


# --- who ----------------------------------------------------------------------------------


def two_factor_required(user) -> bool:
    """Whether the account must log in with a second factor: superusers, and staff who see a
    whole street or more. Off altogether with WANGGE_2FA_REQUIRED=false."""
    if not settings.WANGGE_2FA_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not user.is_staff:
        return False
    prefixes = scope_prefixes(user)
    return prefixes is None or any(len(prefix) <= STREET_CODE_LENGTH for prefix in prefixes)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def pending_step(user) -> str | None:
    """What a logged-in user who has not passed the second factor in this session still owes:
    VERIFY (has an authenticator), SETUP (must have one, has none) or None (nothing)."""
    if confirmed_device(user) is not None:
        return VERIFY
    if two_factor_required(user):
        return SETUP
    return None


# --- middleware ---------------------------------------------------------------------------

# Open to a half-logged-in user as they are: the 2FA pages, logging in and out, the language
# switch, the health check and static files.
OPEN_URL_NAMES = ("two-factor-setup", "two-factor-verify", "login", "logout", "admin:login",
                  "admin:logout", "set_language", "healthz")
# Public pages: answered to a half-logged-in user as to any visitor (as anonymous), so that
# they show nothing more than they show everybody. Only for reading: a write there (e.g. an
# administrator's POST /api/grids/<code>/levels/) needs the second factor like any other.
PUBLIC_PATHS = ("/", "/map", "/results")
PUBLIC_PREFIXES = ("/board/", "/api/grids/", "/api/schema/", "/api/docs/", "/appeal/",
                   "/api/appeals/", "/api/published/", "/api/stats/public", "/open311/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TwoFactorMiddleware:
    """Stops a user who has given their password but not yet the second factor, if they have
    an authenticator or must have one: pages redirect to the verify (or setup) page, API
    calls and other JSON requests get 403 with the reason. After OTPMiddleware.

    API clients that log in with a token (`Authorization: Token ...`) are authenticated by
    the API views, not here: without a session they reach the API untouched. A request that
    carries a half-logged-in session is stopped whatever else it carries, since the API
    would take the session's user first."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def __call__(self, request):
        blocked = self._check(request)
        return blocked if blocked is not None else self.get_response(request)

    def _open(self, request) -> bool:
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in OPEN_URL_NAMES)
        return request.path in self._open_paths or request.path.startswith(settings.STATIC_URL)

    def _check(self, request):
        if self._open(request):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if not hasattr(user, "is_verified"):
            raise ImproperlyConfigured(
                "TwoFactorMiddleware must come after django_otp.middleware.OTPMiddleware."
            )
        if user.is_verified():
            return None
        step = pending_step(user)
        if step is None:
            return None
        path_ = request.path_info
        if request.method in SAFE_METHODS and (
                path_ in PUBLIC_PATHS or path_.startswith(PUBLIC_PREFIXES)):
            _as_visitor(request)
            return None
        url = reverse(f"two-factor-{step}")
        if _wants_json(request):
            return JsonResponse(
                {"detail": _refusal(step, url), "two_factor": step, "url": url}, status=403
            )
        return HttpResponseRedirect(
            f"{url}?{urlencode({'next': request.get_full_path()})}"
        )


def _as_visitor(request) -> None:
    visitor = AnonymousUser()
    visitor.otp_device = None
    visitor.is_verified = lambda: False
    request.user = visitor

    async def auser():
        return visitor

    request.auser = auser


def _wants_json(request) -> bool:
    if request.path_info.startswith("/api/"):
        return True
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "html" not in accept


def _refusal(step: str, url: str) -> str:
    if step == SETUP:
        return gettext(
            "This account must log in with two-factor authentication. "
            "Set up an authenticator app at %(url)s first."
        ) % {"url": url}
    return gettext(
        "Two-factor login is not finished. "
        "Enter the code from your authenticator app at %(url)s first."
    ) % {"url": url}


# --- pages --------------------------------------------------------------------------------


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


def _entered_code(request, digits: int) -> str | None:
    """The code as typed, or None if it is not `digits` digits. Full-width digits (from a
    Chinese input method) and spaces are accepted."""
    code = unicodedata.normalize("NFKC", request.POST.get("token", ""))
    code = re.sub(r"\s+", "", code)
    return code if re.fullmatch(rf"[0-9]{{{digits}}}", code) else None


def _code_format_error(digits: int) -> str:
    return gettext("Enter the %(digits)d-digit code shown in your authenticator app.") % {
        "digits": digits,
    }


def _throttled_error(info: dict | None) -> str:
    locked_until = (info or {}).get("locked_until")
    seconds = 1
    if locked_until is not None:
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return ngettext(
        "Too many wrong codes: wait %(seconds)d second, then enter the new code.",
        "Too many wrong codes: wait %(seconds)d seconds, then enter the new code.",
        seconds,
    ) % {"seconds": seconds}


def _passed(request, device) -> None:
    """The second factor is given: remember it in the session, under a new session key."""
    django_otp.login(request, device)
    request.session.pop(FAILURES_SESSION_KEY, None)
    request.session.cycle_key()


@never_cache
@csrf_protect
@sensitive_post_parameters("token")
def verify_view(request):
    """The second step of a login: the code from the user's authenticator app."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    if user.is_verified():
        return HttpResponseRedirect(next_url)
    device = confirmed_device(user)
    if device is None:
        if two_factor_required(user):
            return HttpResponseRedirect(_with_next(reverse("two-factor-setup"), next_url))
        return HttpResponseRedirect(next_url)

    error = ""
    if request.method == "POST":
        code = _entered_code(request, device.digits)
        if code is None:
            error = _code_format_error(device.digits)
        else:
            with transaction.atomic():
                # Locked, so that two tries at once are counted (and throttled) one by one.
                locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
                allowed, info = locked.verify_is_allowed()
                ok = allowed and locked.verify_token(code)
            if ok:
                _passed(request, locked)
                audit_record(actor=user, action=AuditAction.TWO_FACTOR_VERIFY, target=user,
                             request=request, detail={"device": locked.persistent_id})
                return HttpResponseRedirect(next_url)
            if allowed:
                return _wrong_code(request, user, locked, next_url)
            error = _throttled_error(info)
    return render(request, "registration/otp_verify.html", {
        "next": next_url, "error": error, "digits": device.digits,
    })


def _wrong_code(request, user, device, next_url: str):
    limit = settings.WANGGE_2FA_FAILURE_LIMIT
    failures = request.session.get(FAILURES_SESSION_KEY, 0) + 1
    ended = failures >= limit
    audit_record(
        actor=user, action=AuditAction.TWO_FACTOR_FAILED, target=user, request=request,
        detail={"device": device.persistent_id, "failures": failures, "logged_out": ended},
    )
    if ended:
        logout(request)
        messages.error(request, ngettext(
            "%(count)d wrong code in a row: you have been logged out. Log in again.",
            "%(count)d wrong codes in a row: you have been logged out. Log in again.",
            failures,
        ) % {"count": failures})
        return redirect_to_login(next_url)
    request.session[FAILURES_SESSION_KEY] = failures
    left = limit - failures
    error = ngettext(
        "Wrong code. %(left)d more wrong code and you will be logged out.",
        "Wrong code. %(left)d more wrong codes and you will be logged out.",
        left,
    ) % {"left": left}
    return render(request, "registration/otp_verify.html", {
        "next": next_url, "error": error, "digits": device.digits,
    })


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@never_cache
@csrf_protect
@sensitive_post_parameters("token")
def setup_view(request):
    """Set up an authenticator app: scan the QR code (or type the key), enter a code from the
    app to confirm. Until then the device stays unconfirmed and counts for nothing."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    if confirmed_device(user) is not None:
        if not user.is_verified():
            # Never a second authenticator on the password alone.
            return HttpResponseRedirect(_with_next(reverse("two-factor-verify"), next_url))
        return render(request, "registration/otp_setup.html", {"done": True, "next": next_url})

    device = (TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
              or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False))
    error = ""
    if request.method == "POST":
        code = _entered_code(request, device.digits)
        if code is None:
            error = _code_format_error(device.digits)
        else:
            with transaction.atomic():
                locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
                allowed, info = locked.verify_is_allowed()
                ok = allowed and locked.verify_token(code)
                if ok:
                    locked.confirmed = True
                    locked.save(update_fields=["confirmed"])
                    TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
                    audit_record(
                        actor=user, action=AuditAction.TWO_FACTOR_ENROLL, target=user,
                        request=request, detail={"device": locked.persistent_id},
                    )
            if ok:
                _passed(request, locked)
                # The page again, now saying that two-factor login is on, and where to go on.
                return HttpResponseRedirect(_with_next(reverse("two-factor-setup"), next_url))
            error = _throttled_error(info) if not allowed else gettext(
                "That code does not match. Check that the app shows the account just added "
                "and enter its current code."
            )
    url = device.config_url
    qr = segno.make(url, error="m").svg_inline(
        scale=4, border=2, omitsize=True, svgclass="otp-qr", title=gettext("QR code"),
    )
    return render(request, "registration/otp_setup.html", {
        "done": False, "next": next_url, "error": error, "qr": mark_safe(qr),
        "secret": _grouped(b32encode(device.bin_key).decode("ascii")),
        "account": user.get_username(), "issuer": settings.OTP_TOTP_ISSUER,
        "digits": device.digits, "period": device.step,
        "required": two_factor_required(user),
    })


urlpatterns = [
    path("setup/", setup_view, name="two-factor-setup"),
    path("verify/", verify_view, name="two-factor-verify"),
]


# --- audit of removed devices -------------------------------------------------------------


def _current_request():
    """The request being served, if any: django-simple-history's middleware keeps it."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def on_device_deleted(sender, instance, **kwargs) -> None:
    """A confirmed authenticator removed (a security administrator's reset in the admin, or
    any other delete): on record, naming who did it and whose it was."""
    if not instance.confirmed:
        return  # a set-up never finished: it never counted
    request = _current_request()
    actor = getattr(request, "user", None)
    if not getattr(actor, "is_authenticated", False):
        actor = None
    User = get_user_model()
    owner = User.objects.filter(pk=instance.user_id).first()
    audit_record(
        actor=actor, action=AuditAction.TWO_FACTOR_RESET, request=request,
        target=owner, target_type=User._meta.label_lower, target_id=str(instance.user_id),
        detail={"device": instance.persistent_id, "name": instance.name},
    )


post_delete.connect(on_device_deleted, sender=TOTPDevice, dispatch_uid="wangge.audit.2fa_reset")
