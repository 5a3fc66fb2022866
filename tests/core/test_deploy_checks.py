"""`wangge check --deploy` names what a production installation must fix; the cache is Redis
when configured."""

import os
import socket
import subprocess
import sys

import pytest

from wangge.core import checks

GOOD_DATA_KEY = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="  # 32 bytes, test only
GOOD_SECRET = "k3Jd8-v0_Qm2LpZx7RtY1nWbS4cHf9aE6uGiO5yTqK0vB2wXr8N"


def _ids(problems) -> set[str]:
    return {p.id for p in problems}


def test_demo_secrets_are_errors(settings):
    settings.MODE = "demo"
    settings.SECRET_KEY = "wangge-insecure-demo-key-not-for-production"
    settings.WANGGE_DATA_KEY = checks.DEMO_DATA_KEY
    assert _ids(checks.check_production_secrets()) == {
        "wangge.E001", "wangge.E002", "wangge.E003"}
    settings.MODE = "production"
    settings.SECRET_KEY = GOOD_SECRET
    settings.WANGGE_DATA_KEY = GOOD_DATA_KEY
    assert checks.check_production_secrets() == []


@pytest.mark.parametrize(("hosts", "https", "proxy_header", "expected"), [
    (["localhost", "127.0.0.1"], True, ("HTTP_X_FORWARDED_PROTO", "https"), {"wangge.W001"}),
    (["*"], True, ("HTTP_X_FORWARDED_PROTO", "https"), {"wangge.W001"}),
    (["wangge.example.gov.cn"], False, None, {"wangge.W002"}),
    (["wangge.example.gov.cn"], True, None, {"wangge.W003"}),
    (["wangge.example.gov.cn"], True, ("HTTP_X_FORWARDED_PROTO", "https"), set()),
])
def test_hosts_and_https(settings, hosts, https, proxy_header, expected):
    settings.ALLOWED_HOSTS = hosts
    settings.WANGGE_HTTPS = https
    settings.SECURE_SSL_REDIRECT = https
    settings.SECURE_PROXY_SSL_HEADER = proxy_header
    assert _ids(checks.check_hosts_and_https()) == expected


def test_sqlite_in_production_is_warned(settings, monkeypatch):
    default = settings.DATABASES["default"]
    monkeypatch.setitem(default, "ENGINE", "django.db.backends.sqlite3")
    assert _ids(checks.check_database()) == {"wangge.W004"}
    monkeypatch.setitem(default, "ENGINE", "django.db.backends.postgresql")
    assert checks.check_database() == []


def test_sweep_cache_metrics_and_door_secret(settings, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    settings.WANGGE_SWEEP_INTERVAL = 0
    settings.WANGGE_SWEEP_BY_TIMER = False
    settings.WANGGE_APP_SERVERS = 3
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.WANGGE_METRICS_TOKEN = "t"
    settings.WANGGE_ACCESS_CONTROL_SECRET = ""
    assert _ids(checks.check_operations()) == {
        "wangge.W005", "wangge.W006", "wangge.W007", "wangge.W008"}
    settings.WANGGE_SWEEP_BY_TIMER = True  # deploy/wangge-sweep.timer runs it
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/1"}}
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/run/wangge/metrics")
    settings.WANGGE_ACCESS_CONTROL_SECRET = "shared-with-the-door-vendor"
    assert checks.check_operations() == []
    settings.WANGGE_SWEEP_BY_TIMER = False
    settings.WANGGE_SWEEP_INTERVAL = 300  # or the thread in every server
    assert checks.check_operations() == []


def _wangge(args: list[str], **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("WANGGE_", "DATABASE_URL", "SECRET_KEY", "REDIS_URL",
                                  "PROMETHEUS_", "ALLOWED_HOSTS", "DEBUG",
                                  "DJANGO_ALLOW_ASYNC_UNSAFE"))}
    return subprocess.run([sys.executable, "-m", "wangge", *args], env={**clean, **env},
                          capture_output=True, text=True, check=False, timeout=300)


def test_check_deploy_fails_on_the_demo_key_and_passes_a_good_setup(tmp_path):
    base = {"SECRET_KEY": GOOD_SECRET, "WANGGE_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://wangge@127.0.0.1:5432/wangge"}
    bad = _wangge(["check", "--deploy"], **base, WANGGE_DATA_KEY=checks.DEMO_DATA_KEY)
    assert bad.returncode != 0
    assert "wangge.E003" in bad.stderr and "wangge.E002" not in bad.stderr
    assert "wangge.W002" in bad.stderr  # and the warnings of an unfinished setup
    good = _wangge(["check", "--deploy"], **base, WANGGE_DATA_KEY=GOOD_DATA_KEY,
                   ALLOWED_HOSTS="wangge.example.gov.cn", WANGGE_HTTPS="true",
                   WANGGE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
                   WANGGE_SWEEP_INTERVAL="0", WANGGE_SWEEP_BY_TIMER="true",
                   WANGGE_ACCESS_CONTROL_SECRET="door-secret",
                   WANGGE_REDIS_URL="redis://127.0.0.1:6379/1", WANGGE_APP_SERVERS="2")
    assert good.returncode == 0, good.stderr
    assert "(wangge." not in good.stdout + good.stderr


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_redis_is_the_cache_when_configured():
    if not (os.environ.get("WANGGE_REDIS_URL") or os.environ.get("REDIS_URL")):
        from django.core.cache import caches

        assert type(caches["default"]).__name__ == "LocMemCache"  # the default
    code = "from django.core.cache import caches; cache = caches['default'];" \
        "print(type(cache).__name__)"
    if not _redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379")
    code += ";cache.set('wangge-test', 'shared', 10); print(cache.get('wangge-test'))"
    result = _wangge(["shell", "-c", code], WANGGE_MODE="test",
                     REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.stdout.split()[-2:] == ["RedisCache", "shared"], result.stderr
