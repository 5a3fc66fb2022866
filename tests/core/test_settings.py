"""Settings read typed environment values and stop start-up on bad ones."""

import os
import subprocess
import sys

import pytest


def _settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("SECRET_KEY", "DEBUG", "WANGGE_MODE", "DATABASE_URL",
                          "WANGGE_DATA_KEY")}
    return subprocess.run(
        [sys.executable, "-c",
         "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wangge.settings';"
         "from django.conf import settings; django.setup();"
         "print(settings.DEBUG, settings.TIME_ZONE, settings.LANGUAGE_CODE,"
         " settings.DATABASES['default']['ENGINE'])"],
        env={**clean, **env}, capture_output=True, text=True, check=False,
    )


KEY = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="  # 32 bytes, test only


def test_production_needs_a_secret_key_and_a_data_key():
    result = _settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    result = _settings(SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "WANGGE_DATA_KEY must be set" in result.stderr
    result = _settings(SECRET_KEY="x" * 50, WANGGE_DATA_KEY="too-short")
    assert result.returncode != 0
    assert "32 bytes" in result.stderr


def test_defaults_are_safe_and_chinese():
    result = _settings(SECRET_KEY="x" * 50, WANGGE_DATA_KEY=KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "Asia/Shanghai", "zh-hans",
                                     "django.db.backends.sqlite3"]


@pytest.mark.parametrize(("env", "message"), [
    ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
    ({"WANGGE_MODE": "staging"}, "WANGGE_MODE must be one of"),
    ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
    ({"WANGGE_BOUNDARY_TOLERANCE_M2": "-1"}, "at least 0"),
])
def test_bad_values_stop_start_up_with_a_clear_message(env, message):
    result = _settings(SECRET_KEY="x" * 50, WANGGE_DATA_KEY=KEY, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_postgres_url_is_honoured():
    result = _settings(SECRET_KEY="x" * 50, WANGGE_DATA_KEY=KEY, DATABASE_URL="postgres://u@127.0.0.1:5432/w")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "django.db.backends.postgresql"


def test_generate_data_key_makes_a_key_settings_accept():
    made = subprocess.run([sys.executable, "-m", "wangge", "generate_data_key"],
                          env={**os.environ, "WANGGE_MODE": "test"}, capture_output=True,
                          text=True, check=True)
    key = made.stdout.strip()
    assert _settings(SECRET_KEY="x" * 50, WANGGE_DATA_KEY=key).returncode == 0
