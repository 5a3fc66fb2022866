"""Authentication and session security (GB/T 22239-2019 等保2.0 level 3, OWASP ASVS L2).

* the separate administrator roles (三员分立) and what each may do;
* the password rule on kinds of characters;
* the page a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE);
* the Content-Security-Policy header.

The audit of logins and permission changes is in `wangge.core.signals`; the settings are in
the `# --- security ---` block of `wangge.settings`.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.forms.forms import NON_FIELD_ERRORS
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext

# --- administrator roles (三员分立) -------------------------------------------------------
# Group names, created by migration core 0003. Grant them by adding accounts to the groups;
# give no one but the break-glass account `is_superuser`.
SYSTEM_ADMINISTRATOR = "系统管理员"  # creates, edits and disables accounts
SECURITY_ADMINISTRATOR = "安全管理员"  # grants groups and permissions, unlocks, reads audit log
AUDITOR = "审计员"  # reads and exports the audit log, nothing else

ADMIN_ROLES = (SYSTEM_ADMINISTRATOR, SECURITY_ADMINISTRATOR, AUDITOR)

# The permissions behind the roles; wangge.core.admin uses them to split the user form.
MANAGE_ACCOUNTS = "auth.add_user"
MANAGE_PERMISSIONS = "auth.change_group"
VIEW_AUDIT_LOG = "core.view_auditevent"

# --- passwords ----------------------------------------------------------------------------


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digits and symbols `password` uses. Letters without
    case (汉字 and other scripts) and spaces count as symbols."""
    kinds = set()
    for char in password:
        if char.islower():
            kinds.add("lower")
        elif char.isupper():
            kinds.add("upper")
        elif char.isdigit():
            kinds.add("digit")
        else:
            kinds.add("symbol")
    return len(kinds)


class CharacterClassesValidator:
    """A password must mix at least `min_classes` of the four kinds of characters."""

    def __init__(self, min_classes: int = 3):
        if not 1 <= min_classes <= 4:
            raise ImproperlyConfigured("CharacterClassesValidator: min_classes must be 1 to 4.")
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                ngettext(
                    "This password must mix at least %(min_classes)d kind of character: "
                    "lower-case letters, upper-case letters, digits, symbols.",
                    "This password must mix at least %(min_classes)d kinds of characters: "
                    "lower-case letters, upper-case letters, digits, symbols.",
                    self.min_classes,
                ),
                code="password_too_few_character_classes",
                params={"min_classes": self.min_classes},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(min_classes)d kind of character: "
            "lower-case letters, upper-case letters, digits, symbols.",
            "Your password must mix at least %(min_classes)d kinds of characters: "
            "lower-case letters, upper-case letters, digits, symbols.",
            self.min_classes,
        ) % {"min_classes": self.min_classes}


# --- lockout ------------------------------------------------------------------------------


def lockout_message() -> str:
    """Why the login was refused, in the active language."""
    minutes = settings.WANGGE_LOCKOUT_MINUTES
    if not minutes:
        return gettext(
            "Too many failed logins: logging in is locked. "
            "Ask an administrator to unlock it."
        )
    return ngettext(
        "Too many failed logins: logging in is locked. Try again after %(minutes)d minute, "
        "or ask an administrator to unlock it.",
        "Too many failed logins: logging in is locked. Try again after %(minutes)d minutes, "
        "or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the response to a login refused for too many failures.

    A login form (the admin's) is shown again, as a normal page, with the reason in place of
    "wrong password"; an API or script call gets JSON. The status is 429 either way."""
    message = lockout_message()
    status = settings.AXES_HTTP_RESPONSE_CODE
    form = None
    if isinstance(original_response, TemplateResponse) and original_response.context_data:
        form = original_response.context_data.get("form")
    # The view has validated the form already (that is how the failure was noticed); reading
    # `errors` of a form not yet validated would run authentication again, so check first.
    if form is not None and getattr(form, "_errors", None) is not None:
        form.errors.clear()
        form.errors[NON_FIELD_ERRORS] = form.error_class(
            [message], error_class="nonfield", renderer=form.renderer
        )
        original_response.status_code = status
        original_response.content = original_response.rendered_content
        return original_response
    wants_json = (
        hasattr(original_response, "data")  # a DRF view, e.g. POST /api/auth/token/
        or request.headers.get("x-requested-with") == "XMLHttpRequest"
        or "json" in request.headers.get("accept", "")
    )
    if wants_json:
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, content_type="text/plain; charset=utf-8", status=status)


def flag_lockout_on_http_request(sender, request=None, **kwargs) -> None:
    """axes' user_locked_out receiver: DRF hands authenticate() its own Request, on which
    axes flags the lockout; copy the flag to the Django request so that AxesMiddleware
    answers an API login with the lockout reason too, not just "wrong credentials"."""
    inner = getattr(request, "_request", None)
    if inner is not None and inner is not request:
        inner.axes_locked_out = True
        inner.axes_credentials = getattr(request, "axes_credentials", None)


# --- Content-Security-Policy --------------------------------------------------------------

# Views whose third-party templates carry an inline <script>: drf-spectacular's Swagger UI
# and ReDoc pages (their *Split* variants serve the script as a file and need no exception).
INLINE_SCRIPT_VIEWS = frozenset({
    "drf_spectacular.views.SpectacularSwaggerView",
    "drf_spectacular.views.SpectacularRedocView",
})


def tile_source(url: str) -> str:
    """The CSP source for a Leaflet tile URL template, e.g. "https://*.tile.example.org" for
    "https://{s}.tile.example.org/{z}/{x}/{y}.png"; "" for a URL on this site."""
    if not url or (url.startswith("/") and not url.startswith("//")):
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "") or not parts.netloc:
        raise ImproperlyConfigured(
            f"WANGGE_MAP_TILE_URL must be an http(s) URL template, got {url!r}."
        )
    host, _, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = host.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    if templated:
        # Placeholders such as {s} pick a server: allow every name under the fixed part.
        labels = ["*", *labels[templated[-1] + 1:]]
        if len(labels) < 3:
            raise ImproperlyConfigured(
                f"WANGGE_MAP_TILE_URL: cannot tell the tile servers' domain in {url!r}."
            )
    if port and "{" in port:
        raise ImproperlyConfigured(f"WANGGE_MAP_TILE_URL: a templated port in {url!r}.")
    netloc = ".".join(labels) + (f":{port}" if port else "")
    return f"{parts.scheme}://{netloc}" if parts.scheme else netloc


def content_security_policy(*, tile_url: str = "", inline_scripts: bool = False) -> str:
    img = ["'self'", "data:", "blob:"]
    if tile := tile_source(tile_url):
        img.append(tile)
    script = ["'self'"]
    if inline_scripts:
        script.append("'unsafe-inline'")
    directives = [
        "default-src 'self'",
        "img-src " + " ".join(img),
        "style-src 'self' 'unsafe-inline'",
        "script-src " + " ".join(script),
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware:
    """Sets Content-Security-Policy on every response that has none: scripts only from this
    site, no framing, no plugins; map tiles also from WANGGE_MAP_TILE_URL's servers."""

    def __init__(self, get_response):
        self.get_response = get_response
        tile_url = settings.WANGGE_MAP_TILE_URL
        self.policy = content_security_policy(tile_url=tile_url)
        self.inline_script_policy = content_security_policy(
            tile_url=tile_url, inline_scripts=True
        )

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = (
                self.inline_script_policy if _has_inline_script(request) else self.policy
            )
        return response


def _has_inline_script(request) -> bool:
    match = getattr(request, "resolver_match", None)
    view_class = getattr(getattr(match, "func", None), "view_class", None)
    if view_class is None:
        return False
    return f"{view_class.__module__}.{view_class.__qualname__}" in INLINE_SCRIPT_VIEWS
