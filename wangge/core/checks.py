"""`wangge check --deploy`: what a production installation must not keep from the demo, and
what one or several servers need, beyond Django's own deployment checks (DEBUG, HSTS,
secure cookies, ...). Registered in `CoreConfig.ready`; see docs/deploy.md."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# The fixed data key of demo and test runs (wangge/settings.py): public, so it protects
# nothing.
DEMO_DATA_KEY = "d2FuZ2dlLWRlbW8tYW5kLXRlc3QtZGF0YS1rZXkhISE="
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


@register(Tags.security, deploy=True)
def check_production_secrets(app_configs=None, **kwargs):
    problems = []
    if settings.MODE != "production":
        problems.append(Error(
            f"WANGGE_MODE is {settings.MODE!r}: demo and test defaults (fixed keys, no "
            "second factor in the demo) are in force.",
            hint="Unset WANGGE_MODE (it defaults to production).", id="wangge.E001"))
    if settings.SECRET_KEY.startswith("wangge-insecure-"):
        problems.append(Error(
            "SECRET_KEY is the built-in demo/test key: sessions and password-reset links "
            "can be forged by anyone who has read the source.",
            hint="Set SECRET_KEY to 50 or more random characters, e.g. from "
                 "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
            id="wangge.E002"))
    if settings.WANGGE_DATA_KEY == DEMO_DATA_KEY:
        problems.append(Error(
            "WANGGE_DATA_KEY is the demo/test key: ID numbers and phones are encrypted with a "
            "key published in the source.",
            hint="Generate one with `wangge generate_data_key`, keep it backed up apart from "
                 "the database backups. (Data already encrypted with the demo key must be "
                 "re-entered or re-imported.)",
            id="wangge.E003"))
    return problems


@register(Tags.security, deploy=True)
def check_hosts_and_https(app_configs=None, **kwargs):
    problems = []
    hosts = set(settings.ALLOWED_HOSTS)
    if "*" in hosts:
        problems.append(Warning(
            "ALLOWED_HOSTS accepts any host name.",
            hint="List the site's host names, e.g. ALLOWED_HOSTS=wangge.example.gov.cn.",
            id="wangge.W001"))
    elif hosts <= LOCAL_HOSTS:
        problems.append(Warning(
            "ALLOWED_HOSTS names only this machine: requests for the site's real name get "
            "400 Bad Request.",
            hint="Set ALLOWED_HOSTS to the site's host names (comma-separated).",
            id="wangge.W001"))
    if not settings.WANGGE_HTTPS:
        problems.append(Warning(
            "WANGGE_HTTPS is off: passwords, session cookies and residents' data cross the "
            "network unencrypted, and cookies are not marked Secure.",
            hint="Serve the site over HTTPS (nginx with a certificate, deploy/nginx-wangge.conf) "
                 "and set WANGGE_HTTPS=true and "
                 "WANGGE_PROXY_SSL_HEADER='X-Forwarded-Proto: https'.",
            id="wangge.W002"))
    elif getattr(settings, "SECURE_SSL_REDIRECT", False) and \
            not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        problems.append(Warning(
            "WANGGE_HTTPS is on without WANGGE_PROXY_SSL_HEADER: behind a proxy that ends TLS "
            "every request looks like plain HTTP and is redirected again and again.",
            hint="Set WANGGE_PROXY_SSL_HEADER='X-Forwarded-Proto: https' (nginx sets it) "
                 "unless gunicorn itself serves HTTPS.",
            id="wangge.W003"))
    return problems


@register(Tags.database, deploy=True)
def check_database(app_configs=None, **kwargs):
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return [Warning(
            "The database is SQLite: one writer at a time, one server only, and no "
            "replicas.",
            hint="Use PostgreSQL in production: DATABASE_URL=postgres://user:pass@host/wangge "
                 "(docs/deploy.md). SQLite suits the demo and a trial.",
            id="wangge.W004")]
    return []


@register(deploy=True)
def check_operations(app_configs=None, **kwargs):
    import os

    problems = []
    if settings.WANGGE_SWEEP_INTERVAL == 0 and not settings.WANGGE_SWEEP_BY_TIMER:
        problems.append(Warning(
            "Nothing runs the sweep: WANGGE_SWEEP_INTERVAL is 0 and no scheduler is declared, "
            "so lapsed cases are never raised and nobody is warned of time limits.",
            hint="Enable deploy/wangge-sweep.timer and set WANGGE_SWEEP_BY_TIMER=true, or set "
                 "WANGGE_SWEEP_INTERVAL (seconds) for the thread in each server.",
            id="wangge.W005"))
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.WANGGE_APP_SERVERS > 1 and backend.endswith("LocMemCache"):
        problems.append(Warning(
            f"WANGGE_APP_SERVERS is {settings.WANGGE_APP_SERVERS} but the cache is local "
            "memory: each process keeps its own, so limits such as appeals per hour are "
            "multiplied by the number of processes.",
            hint="Set WANGGE_REDIS_URL=redis://host:6379/1 on every server.",
            id="wangge.W006"))
    metrics_on = bool(settings.WANGGE_METRICS_TOKEN or settings.WANGGE_METRICS_ALLOWED_IPS)
    if metrics_on and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        problems.append(Warning(
            "Metrics are on but PROMETHEUS_MULTIPROC_DIR is not set: under gunicorn each "
            "scrape reaches one worker and sees only its requests.",
            hint="Set PROMETHEUS_MULTIPROC_DIR to a directory writable by the app (the "
                 "example environment uses /run/wangge/metrics); deploy/gunicorn.conf.py "
                 "empties it at start.",
            id="wangge.W007"))
    if not settings.WANGGE_ACCESS_CONTROL_SECRET:
        problems.append(Warning(
            "WANGGE_ACCESS_CONTROL_SECRET is empty: smart access-control events are refused.",
            hint="Set it to the secret shared with the access-control vendor, or ignore this "
                 "if the door channel is not used.",
            id="wangge.W008"))
    return problems
