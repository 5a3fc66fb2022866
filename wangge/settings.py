"""The one settings module. Everything that varies between installations comes from the
environment, parsed with types; a bad value stops start-up with a clear message.

WANGGE_MODE selects the defaults that differ between a production server and the embedded
demo or test run: only in `demo` and `test` may SECRET_KEY be left unset.
"""

import base64
import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from wangge.env import env_bool, env_choice, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("WANGGE_VAR_DIR", str(PROJECT_DIR / "var")))

MODE = env_choice("WANGGE_MODE", "production", ("production", "demo", "test"))

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if MODE == "production":
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (or run with WANGGE_MODE=demo for the local demo)."
        )
    # A fixed key is fine here: demo and test data are synthetic and local.
    SECRET_KEY = f"wangge-insecure-{MODE}-key-not-for-production"

# Key for personal data encrypted at rest (ID numbers, phones): urlsafe base64 of 32 bytes,
# e.g. from `wangge generate_data_key`. Losing it loses those fields; keep it backed up.
WANGGE_DATA_KEY = env_str("WANGGE_DATA_KEY")
if not WANGGE_DATA_KEY:
    if MODE == "production":
        raise ImproperlyConfigured(
            "WANGGE_DATA_KEY must be set: the key that encrypts personal data at rest "
            "(generate one with `wangge generate_data_key`)."
        )
    # Demo and test data are synthetic; a fixed key keeps demo databases readable.
    WANGGE_DATA_KEY = "d2FuZ2dlLWRlbW8tYW5kLXRlc3QtZGF0YS1rZXkhISE="
try:
    if len(base64.urlsafe_b64decode(WANGGE_DATA_KEY.encode("ascii"))) != 32:
        raise ValueError
except (ValueError, UnicodeEncodeError):
    raise ImproperlyConfigured(
        "WANGGE_DATA_KEY must be urlsafe base64 of 32 bytes (44 characters)."
    ) from None

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'wangge.sqlite3'}"),
            conn_max_age=env_float("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
# A kept connection is checked before a request reuses it, so that after the database
# restarts or fails over, requests reconnect instead of failing once per kept connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        # Writers take the lock when they begin, so two never deadlock upgrading a read lock;
        # WAL lets pages read while an import writes; a larger page cache speeds index inserts.
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
        ),
    }
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A file, not memory, for tests: the browser tests' live server reads it from its own
    # connection, as a real server would.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # One file per test run, so that runs side by side never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

# A reason given for a change (a level change, a correction) is kept whole in the history.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "simple_history",
    # Before wangge.core: its admin re-registers axes' AccessAttempt admin to audit unlocks.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "wangge.core",
    "wangge.grids",
    "wangge.registry",
    "wangge.workforce",
    "wangge.cases",
    "wangge.channels",
    "wangge.grading",
    "wangge.cogovernance",
    "wangge.activities",
    "wangge.workbench",
    "wangge.console",
    "wangge.portal",
    "wangge.demo",
    "wangge.bench",
]

MIDDLEWARE = [
    # First: times every request (Prometheus) and gives it an id for the logs.
    "wangge.core.metrics.MetricsMiddleware",
    "wangge.core.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wangge.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Moves a session's idle expiry on at most once a minute (not a write per request).
    "wangge.core.middleware.SessionIdleMiddleware",
    "wangge.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Sends a logged-in user who still owes the second factor to it (wangge.core.two_factor).
    "wangge.core.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a lockout into the login page stating the reason.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wangge.urls"
WSGI_APPLICATION = "wangge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("WANGGE_PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 3 of lower-case, upper-case, digits and symbols (GB/T 22239-2019 8.1.4.1 a).
    {"NAME": "wangge.core.security.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/me/"
LOGOUT_REDIRECT_URL = "/map"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end libraries come from the npm registry (package.json + lock) and are served as our
# own static files; nothing is loaded from a CDN at run time.
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/swagger-ui", NODE_MODULES / "swagger-ui-dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/leaflet-heat", NODE_MODULES / "leaflet.heat" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "wangge.core.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "wangge API",
    "DESCRIPTION": "Grid-based community governance (网格化服务管理).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
}

# --- wangge -------------------------------------------------------------------------------
# Two boundaries may overlap, or a child stick out of its parent, by at most this many
# square metres before an import is refused: hand-drawn QGIS boundaries are never exact.
WANGGE_BOUNDARY_TOLERANCE_M2 = env_float("WANGGE_BOUNDARY_TOLERANCE_M2", 1.0, minimum=0)
# Which part of the grid tree an account sees (a function of the user, returning code prefixes).
WANGGE_SCOPE = "wangge.workforce.scope.assignment_prefixes"
# Background tiles for the map; empty means no tile server (works offline).
WANGGE_MAP_TILE_URL = env_str("WANGGE_MAP_TILE_URL", "")
WANGGE_MAP_TILE_ATTRIBUTION = env_str("WANGGE_MAP_TILE_ATTRIBUTION", "")

# --- cases --------------------------------------------------------------------------------
# Working hours of a working day; time limits count these (weekends and public holidays are
# in the calendar the street keeps in the admin).
WANGGE_WORK_HOURS = env_str("WANGGE_WORK_HOURS", "09:00-12:00,13:30-17:30")
try:
    from wangge.cases.calendar import parse_work_hours

    parse_work_hours(WANGGE_WORK_HOURS)
except ValueError as exc:
    raise ImproperlyConfigured(f"WANGGE_WORK_HOURS: {exc}") from exc
# Seconds between sweeps run by the web server itself; 0 leaves the sweep to a scheduler
# (`wangge cases sweep`).
WANGGE_SWEEP_INTERVAL = env_int("WANGGE_SWEEP_INTERVAL", 0 if MODE == "test" else 300,
                                minimum=0)
# Open311: how a POST is answered unless its client says otherwise (ApiClient.intake):
# "realtime" files the case at once; "batch" answers a token and files it moments later.
WANGGE_OPEN311_INTAKE = env_choice("WANGGE_OPEN311_INTAKE", "realtime", ("realtime", "batch"))
# Seconds between looks of each serving process's Open311 drain thread (a POST wakes it at
# once); 0: no thread, a scheduler runs `wangge channels open311-drain` or `wangge sweep`.
WANGGE_OPEN311_DRAIN_INTERVAL = env_int("WANGGE_OPEN311_DRAIN_INTERVAL", 5, minimum=0)
# Under continuous requests the drain waits for a quiet second, at most this many seconds.
WANGGE_OPEN311_DRAIN_MAX_LAG = env_int("WANGGE_OPEN311_DRAIN_MAX_LAG", 30, minimum=1)
# Notification backends, by dotted path (wangge.core.notify: LogNotifier, SmsNotifier,
# WeComNotifier, EmailNotifier).
WANGGE_NOTIFIERS = env_list("WANGGE_NOTIFIERS", ["wangge.core.notify.LogNotifier"])
WANGGE_SMS_URL = env_str("WANGGE_SMS_URL", "")
WANGGE_WECOM_WEBHOOK = env_str("WANGGE_WECOM_WEBHOOK", "")
# Possible duplicates: same category, this close (metres) and this recent (days).
WANGGE_DUPLICATE_DISTANCE_M = env_float("WANGGE_DUPLICATE_DISTANCE_M", 150.0, minimum=0)
WANGGE_DUPLICATE_DAYS = env_int("WANGGE_DUPLICATE_DAYS", 7, minimum=0)
# Largest photo accepted with a case, in bytes.
WANGGE_PHOTO_MAX_BYTES = env_int("WANGGE_PHOTO_MAX_BYTES", 8 * 1024 * 1024, minimum=1024)

# --- channels -----------------------------------------------------------------------------
# Open311 API key of the demo client (demo mode only; real keys are issued in the admin).
WANGGE_DEMO_OPEN311_KEY = env_str("WANGGE_DEMO_OPEN311_KEY", "demo-open311-key")
# Shared secret for signed smart access-control events; required in production.
WANGGE_ACCESS_CONTROL_SECRET = env_str(
    "WANGGE_ACCESS_CONTROL_SECRET", "" if MODE == "production" else "demo-access-secret")

# --- security -----------------------------------------------------------------------------
# Authentication and sessions to GB/T 22239-2019 (等保2.0) level 3 and OWASP ASVS L2.
# Passwords: Argon2id for new and changed passwords; older hashes still verify and are
# upgraded to Argon2 at the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Login failures (django-axes): after WANGGE_LOGIN_FAILURE_LIMIT failures in a row the login
# is refused for WANGGE_LOCKOUT_MINUTES (0: until a security administrator unlocks it in the
# admin); every refused try restarts the wait. WANGGE_LOCKOUT_BY: `username` locks the account
# whatever address it is tried from; `username_or_ip` also locks an address after that many
# failures on any accounts: only where each user has an address of their own, since the
# address is REMOTE_ADDR (behind a reverse proxy or an office NAT, one for everybody).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("WANGGE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
WANGGE_LOCKOUT_MINUTES = env_int("WANGGE_LOCKOUT_MINUTES", 30, minimum=0)
AXES_COOLOFF_TIME = (
    timedelta(minutes=WANGGE_LOCKOUT_MINUTES) if WANGGE_LOCKOUT_MINUTES else None
)
WANGGE_LOCKOUT_BY = env_choice("WANGGE_LOCKOUT_BY", "username", ("username", "username_or_ip"))
AXES_LOCKOUT_PARAMETERS = {
    "username": ["username"],
    "username_or_ip": ["username", "ip_address"],
}[WANGGE_LOCKOUT_BY]
if WANGGE_LOCKOUT_BY == "username":
    # axes warns that a lock without the address can be dodged by changing User-Agent or
    # cookies: not one keyed on the account alone, as this one is.
    SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "wangge.core.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Idle timeout: the session ends WANGGE_SESSION_IDLE_MINUTES after the last request (a
# request moves the expiry on, saved at most once a minute by SessionIdleMiddleware), and
# when the browser closes.
WANGGE_SESSION_IDLE_MINUTES = env_int("WANGGE_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = WANGGE_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
CSRF_COOKIE_SAMESITE = "Lax"
# Headers on every response; the Content-Security-Policy comes from
# wangge.core.security.ContentSecurityPolicyMiddleware.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS: set WANGGE_HTTPS=true when the site is served over HTTPS (directly or by a proxy).
# Behind a proxy that ends TLS, WANGGE_PROXY_SSL_HEADER names the header it sets on HTTPS
# requests, e.g. "X-Forwarded-Proto: https"; the proxy must overwrite it on every request.
WANGGE_HTTPS = env_bool("WANGGE_HTTPS", False)
if env_str("WANGGE_PROXY_SSL_HEADER") and not WANGGE_HTTPS:
    raise ImproperlyConfigured("WANGGE_PROXY_SSL_HEADER is set: set WANGGE_HTTPS=true too.")
if WANGGE_HTTPS:
    SECURE_SSL_REDIRECT = env_bool("WANGGE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = env_int("WANGGE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("WANGGE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("WANGGE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # The __Host- prefix binds the cookies to this host, HTTPS and path / (ASVS 3.4.4).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    _proxy_header = env_str("WANGGE_PROXY_SSL_HEADER", "")
    if _proxy_header:
        _name, _sep, _value = _proxy_header.partition(":")
        if not (_sep and _name.strip() and _value.strip()):
            raise ImproperlyConfigured(
                "WANGGE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https', "
                f"got {_proxy_header!r}."
            )
        SECURE_PROXY_SSL_HEADER = (
            "HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip()
        )
# Two-factor login (TOTP with django-otp; GB/T 22239-2019 8.1.4.1 d: administrators log in
# with two kinds of authentication). Anyone may turn it on at /accounts/2fa/setup/; once on,
# every login asks for the code. WANGGE_2FA_REQUIRED makes it compulsory for superusers and
# for staff whose part of the grid tree is a whole street or more. It defaults to on, except
# in the demo (WANGGE_MODE=demo), so that the local demo can be tried without a phone; tests
# run with WANGGE_MODE=test and so with it on.
WANGGE_2FA_REQUIRED = env_bool("WANGGE_2FA_REQUIRED", MODE != "demo")
# Wrong codes in a row after which the half-finished login is ended (logged out).
WANGGE_2FA_FAILURE_LIMIT = env_int("WANGGE_2FA_FAILURE_LIMIT", 5, minimum=1)
OTP_TOTP_ISSUER = "wangge"
# The admin never shows a device's secret or QR code: a security administrator can reset
# (delete) a user's device, not copy it.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- operations ---------------------------------------------------------------------------
# Deployment: docs/deploy.md; `wangge check --deploy` checks these (wangge/core/checks.py).
# Cache: Redis when WANGGE_REDIS_URL (or REDIS_URL) is set, e.g. redis://127.0.0.1:6379/1,
# shared by every process and server; otherwise local memory, per process. What uses it: the
# residents' appeal rate limit (shared with Redis, per process without). The working calendar,
# level limits and the locate index stay in each process on purpose (small, read every
# request, refreshed by time or by the boundary revision).
WANGGE_REDIS_URL = env_str("WANGGE_REDIS_URL", "") or env_str("REDIS_URL", "")
if WANGGE_REDIS_URL:
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": WANGGE_REDIS_URL,
        "KEY_PREFIX": "wangge",
    }}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How many application servers run behind the load balancer (for `check --deploy`: several
# need a shared cache).
WANGGE_APP_SERVERS = env_int("WANGGE_APP_SERVERS", 1, minimum=1)
# True when a scheduler runs `wangge sweep` (deploy/wangge-sweep.timer) instead of the thread.
WANGGE_SWEEP_BY_TIMER = env_bool("WANGGE_SWEEP_BY_TIMER", False)
# Logs: `text` (default) or `json`, one object per line (time, level, logger, message, and
# request_id/method/path/status/duration_ms for requests). WANGGE_LOG_REQUESTS writes one
# line per request (logger wangge.request, level INFO).
WANGGE_LOG_FORMAT = env_choice("WANGGE_LOG_FORMAT", "text", ("text", "json"))
WANGGE_LOG_REQUESTS = env_bool("WANGGE_LOG_REQUESTS", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "wangge.core.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "wangge.core.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": WANGGE_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"wangge.request": {"level": "INFO" if WANGGE_LOG_REQUESTS else "WARNING"}},
}
# Prometheus metrics at /metrics (wangge/core/metrics.py), answered only to a scraper sending
# `Authorization: Bearer <WANGGE_METRICS_TOKEN>` or coming from WANGGE_METRICS_ALLOWED_IPS
# (addresses or networks, e.g. 10.0.0.5,10.1.0.0/16; REMOTE_ADDR, so behind nginx list the
# scraper only if nginx does not serve /metrics to others); anyone else gets 404. Neither
# set: /metrics is off. Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR.
WANGGE_METRICS_TOKEN = env_str("WANGGE_METRICS_TOKEN", "")
WANGGE_METRICS_ALLOWED_IPS = env_list("WANGGE_METRICS_ALLOWED_IPS", [])
try:
    for _network in WANGGE_METRICS_ALLOWED_IPS:
        ipaddress.ip_network(_network, strict=False)
except ValueError as exc:
    raise ImproperlyConfigured(f"WANGGE_METRICS_ALLOWED_IPS: {exc}") from None
# Seconds the case gauges (overdue, near the limit) are reused between scrapes.
WANGGE_METRICS_CACHE_SECONDS = env_int("WANGGE_METRICS_CACHE_SECONDS", 30, minimum=0)
if WANGGE_HTTPS:
    # Prometheus scrapes the app servers directly on the private network, like the health
    # check: no redirect to HTTPS for it.
    SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]
