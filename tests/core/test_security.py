"""Authentication and session security as a user meets it: lockout, password rules, idle
timeout, the audit of logins and permission changes, the administrator roles, the headers."""

import csv
import datetime
import io
import os
import subprocess
import sys
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from wangge.core.models import AuditAction, AuditEvent
from wangge.core.security import (
    ADMIN_ROLES,
    AUDITOR,
    SECURITY_ADMINISTRATOR,
    SYSTEM_ADMINISTRATOR,
    CharacterClassesValidator,
    character_classes,
    content_security_policy,
    lockout_message,
    tile_source,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Sec-Passw0rd-Ok"
User = get_user_model()


def _user(name: str, **fields):
    """A staff account (the admin's login page admits staff only) unless told otherwise."""
    fields.setdefault("is_staff", True)
    return User.objects.create_user(f"sec-{name}", password=PASSWORD, **fields)


def _login(client, username: str, password: str):
    return client.post("/admin/login/", {"username": username, "password": password,
                                         "next": "/admin/"})


def _chinese_lockout_message() -> str:
    with translation.override("zh-hans"):
        return lockout_message()


def _events(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


# --- lockout ------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_login_and_the_page_says_why(client):
    user = _user("locked")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, user.username, "wrong-password")
        assert response.status_code == 200  # the login page again, "wrong password"
    response = _login(client, user.username, "wrong-password")
    assert response.status_code == 429
    # The right password no longer helps, and the page says why, in Chinese by default.
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert response["Content-Language"] == "zh-hans"
    page = response.content.decode()
    assert _chinese_lockout_message() in page
    assert str(settings.WANGGE_LOCKOUT_MINUTES) in _chinese_lockout_message()
    assert 'id="login-form"' in page  # the normal login page, not a bare error
    assert "_auth_user_id" not in client.session


def test_the_lockout_reason_follows_the_chosen_language(client):
    user = _user("locked-en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, user.username, "wrong-password")
    assert response.status_code == 429
    with translation.override("en"):
        assert lockout_message() in response.content.decode()
    assert "Try again after 30 minutes" in lockout_message()


def test_failures_must_be_in_a_row(client):
    user = _user("in-a-row")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, user.username, "wrong-password")
    assert _login(client, user.username, PASSWORD).status_code == 302
    client.post("/admin/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, user.username, "wrong-password")
    assert _login(client, user.username, PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client):
    user = _user("cool-off")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "wrong-password")
    assert _login(client, user.username, PASSWORD).status_code == 429
    waited = datetime.timedelta(minutes=settings.WANGGE_LOCKOUT_MINUTES + 1)
    AccessAttempt.objects.filter(username=user.username) \
        .update(attempt_time=F("attempt_time") - waited)
    assert _login(client, user.username, PASSWORD).status_code == 302


def test_a_security_administrator_unlocks_a_login_and_that_is_audited(client):
    user = _user("to-unlock")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "wrong-password")
    attempt = AccessAttempt.objects.get(username=user.username)
    security = _user("security-unlocks")
    security.groups.add(Group.objects.get(name=SECURITY_ADMINISTRATOR))
    admin_client = Client()
    admin_client.force_login(security)
    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/",
                                 {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    unlock = _events(AuditAction.UNLOCK).get(target_label=user.username)
    assert unlock.actor == security
    assert _login(client, user.username, PASSWORD).status_code == 302


def test_token_login_passes_the_request_to_axes_and_is_locked_too(client):
    user = _user("api")
    url = reverse("api-token")
    assert "token" in client.post(url, {"username": user.username, "password": PASSWORD}).json()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": user.username, "password": "x"}).status_code == 400
    response = client.post(url, {"username": user.username, "password": "x"})
    assert response.status_code == 429
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json() == {"detail": _chinese_lockout_message()}
    assert _events(AuditAction.LOCKOUT, target_label=user.username).count() == 1


def test_the_site_login_page_says_why_too(client):
    user = _user("site-login", is_staff=False)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(reverse("login"), {"username": user.username,
                                                  "password": "wrong-password"})
    assert response.status_code == 429
    assert _chinese_lockout_message() in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_force_login_still_works(client):
    client.force_login(_user("forced"))
    assert client.get("/admin/").status_code == 200


# --- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "code"), [
    ("Ab1!xyz", "password_too_short"),
    ("lowercase-only", "password_too_few_character_classes"),  # 2 kinds: lower, symbol
    ("abcdefgh1234", "password_too_few_character_classes"),
    ("Password123", "password_too_common"),
])
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, User(username="sec-weak"))
    assert code in [error.code for error in refused.value.error_list]


def test_a_strong_password_passes():
    validate_password("Tq7#vbnm-Lp2", User(username="sec-strong"))
    validate_password("网格管理系统口令2024ab", User(username="sec-strong"))


def test_character_classes():
    assert character_classes("abc") == 1
    assert character_classes("aB3") == 3
    assert character_classes("aB3 ") == 4
    assert character_classes("汉字abc1") == 3  # letters without case count as symbols
    with pytest.raises(ImproperlyConfigured):
        CharacterClassesValidator(min_classes=5)


def test_the_password_change_page_refuses_a_weak_password(client):
    user = _user("changes")
    client.force_login(user)
    response = client.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": "abcdefghijk", "new_password2": "abcdefghijk",
    })
    assert response.status_code == 200  # the form again, saying what is wrong
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        CharacterClassesValidator().validate("abcdefghijk")
    assert refused.value.messages[0] in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_new_passwords_are_hashed_with_argon2():
    user = _user("argon")
    assert user.password.startswith("argon2$argon2id$")
    user.set_password("Another-Passw0rd")
    assert user.password.startswith("argon2$argon2id$")


def test_an_old_hash_still_logs_in_and_is_upgraded(client):
    user = _user("old-hash")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert _login(client, user.username, PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


# --- sessions -----------------------------------------------------------------------------


def test_the_session_cookie_lasts_until_the_browser_closes_and_scripts_cannot_read_it(client):
    user = _user("cookie")
    response = _login(client, user.username, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_an_idle_session_ends_after_30_minutes_and_activity_keeps_it(client):
    user = _user("idle")
    _login(client, user.username, PASSWORD)
    key = client.session.session_key
    start = timezone.now()
    expiry = Session.objects.get(session_key=key).expire_date
    assert datetime.timedelta(minutes=29) < expiry - start <= datetime.timedelta(minutes=30)

    def at(minutes: int):
        return mock.patch("django.utils.timezone.now",
                          return_value=start + datetime.timedelta(minutes=minutes))

    with at(20):  # active after 20 minutes
        assert client.get("/admin/").status_code == 200
    with at(45):  # 25 minutes after that: still in
        assert client.get("/admin/").status_code == 200
    with at(76):  # 31 minutes idle: out
        response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_activity_moves_the_expiry_on_without_a_write_per_request(client):
    user = _user("busy")
    _login(client, user.username, PASSWORD)
    key = client.session.session_key
    start = timezone.now()
    first = Session.objects.get(session_key=key).expire_date

    def at(seconds: int):
        return mock.patch("django.utils.timezone.now",
                          return_value=start + datetime.timedelta(seconds=seconds))

    with at(20):  # within the minute: the session row is not written again
        assert client.get("/admin/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date == first
    with at(90):  # later: the expiry moves on
        assert client.get("/admin/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date > first


# --- audit --------------------------------------------------------------------------------


def test_login_failure_lockout_and_logout_are_audited(client):
    user = _user("audited")
    assert _login(client, user.username, PASSWORD).status_code == 302
    login = _events(AuditAction.LOGIN).get(actor=user)
    assert login.ip_address == "127.0.0.1"
    client.post("/admin/logout/")
    assert _events(AuditAction.LOGOUT).get(actor=user)

    _login(client, "sec-nobody", "guess")
    failed = _events(AuditAction.LOGIN_FAILED).get(target_label="sec-nobody")
    assert failed.actor is None
    assert failed.detail["username"] == "sec-nobody"
    assert failed.detail["account_exists"] is False
    assert "guess" not in str(failed.detail)

    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        _login(client, user.username, "wrong-password")
    failures = _events(AuditAction.LOGIN_FAILED, target_label=user.username)
    assert failures.count() == settings.AXES_FAILURE_LIMIT + 2
    assert failures.filter(target_id=str(user.pk)).count() == failures.count()
    lockout = _events(AuditAction.LOCKOUT).get(target_label=user.username)  # once, not per try
    assert lockout.detail["failures"] == settings.AXES_FAILURE_LIMIT


def test_adding_a_user_to_a_group_is_audited():
    user = _user("joins", is_staff=False)
    group = Group.objects.get(name=AUDITOR)
    user.groups.add(group)
    event = _events(AuditAction.PERMISSION_CHANGE).get(target_type="auth.user",
                                                       target_id=str(user.pk))
    assert event.detail == {"field": "groups", "added": [AUDITOR]}
    group.user_set.remove(user)  # from the other side
    removed = _events(AuditAction.PERMISSION_CHANGE, target_id=str(user.pk)).latest("id")
    assert removed.detail == {"field": "groups", "removed": [AUDITOR]}


def test_staff_superuser_and_permission_grants_are_audited():
    user = _user("promoted", is_staff=False)
    user.is_staff = True
    user.save()
    event = _events(AuditAction.PERMISSION_CHANGE, target_id=str(user.pk)).get()
    assert event.detail == {"field": "flags", "changes": {"is_staff": [False, True]}}
    user.user_permissions.add(*Group.objects.get(name=AUDITOR).permissions.all())
    granted = _events(AuditAction.PERMISSION_CHANGE, target_id=str(user.pk)).latest("id")
    assert granted.detail == {"field": "user_permissions", "added": ["core.view_auditevent"]}
    user.user_permissions.clear()
    cleared = _events(AuditAction.PERMISSION_CHANGE, target_id=str(user.pk)).latest("id")
    assert cleared.detail == {"field": "user_permissions", "removed": ["core.view_auditevent"]}


def test_a_grant_through_the_admin_names_who_made_it(client):
    security = _user("security")
    security.groups.add(Group.objects.get(name=SECURITY_ADMINISTRATOR))
    clerk = _user("clerk", is_staff=False)
    auditor_group = Group.objects.get(name=AUDITOR)
    client.force_login(security)
    response = client.post(f"/admin/auth/user/{clerk.pk}/change/", {
        "is_staff": "on", "groups": [auditor_group.pk],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk.refresh_from_db()
    assert clerk.is_staff and list(clerk.groups.all()) == [auditor_group]
    events = _events(AuditAction.PERMISSION_CHANGE, target_id=str(clerk.pk), actor=security)
    assert {e.detail["field"] for e in events} == {"flags", "groups"}


# --- administrator roles ------------------------------------------------------------------


def _role_user(name, role):
    user = _user(name)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_the_three_administrator_roles_exist():
    assert set(Group.objects.filter(name__in=ADMIN_ROLES).values_list("name", flat=True)) \
        == {SYSTEM_ADMINISTRATOR, SECURITY_ADMINISTRATOR, AUDITOR}
    auditor = _role_user("auditor-perms", AUDITOR)
    assert auditor.get_all_permissions() == {"core.view_auditevent"}
    sysadmin = _role_user("sysadmin-perms", SYSTEM_ADMINISTRATOR)
    assert sysadmin.has_perm("auth.add_user")
    assert not sysadmin.has_perm("core.view_auditevent")
    assert not sysadmin.has_perm("auth.change_group")
    security = _role_user("security-perms", SECURITY_ADMINISTRATOR)
    assert security.has_perm("core.view_auditevent")
    assert security.has_perm("axes.delete_accessattempt")
    assert not security.has_perm("auth.add_user")


def test_the_auditor_reads_and_exports_the_audit_log_but_cannot_change_it(client):
    auditor = _role_user("auditor", AUDITOR)
    client.force_login(auditor)
    event = AuditEvent.objects.latest("id")  # the auditor's own login
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/core/auditevent/{event.pk}/change/",
                       {"reason": "edited"}).status_code == 403
    assert client.post(f"/admin/core/auditevent/{event.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403
    event.refresh_from_db()
    assert event.reason != "edited"

    response = client.post("/admin/core/auditevent/", {
        "action": "export_csv", "_selected_action": [event.pk], "index": 0,
    })
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1] == auditor.username
    export = _events(AuditAction.EXPORT, actor=auditor).get()
    assert export.detail == {"format": "csv", "rows": 1}


def test_the_system_administrator_manages_accounts_but_not_permissions(client):
    sysadmin = _role_user("sysadmin", SYSTEM_ADMINISTRATOR)
    clerk = _user("clerk-2", is_staff=False)
    client.force_login(sysadmin)
    assert client.get("/admin/core/auditevent/").status_code == 403
    client.post(f"/admin/auth/user/{clerk.pk}/change/", {
        "username": clerk.username, "first_name": "Clerk", "is_active": "on",
        "is_staff": "on", "is_superuser": "on",
        "groups": [Group.objects.get(name=SECURITY_ADMINISTRATOR).pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    })
    clerk.refresh_from_db()
    assert clerk.first_name == "Clerk"
    assert not clerk.is_staff and not clerk.is_superuser and not clerk.groups.exists()
    # Nor may the security administrator change passwords or the groups they belong to.
    security = _role_user("security-2", SECURITY_ADMINISTRATOR)
    client.force_login(security)
    assert client.get(f"/admin/auth/user/{clerk.pk}/password/").status_code == 403
    own = Group.objects.get(name=SECURITY_ADMINISTRATOR)
    assert client.post(f"/admin/auth/group/{own.pk}/delete/", {"post": "yes"}) \
        .status_code == 403


# --- headers ------------------------------------------------------------------------------


def test_the_map_is_sent_with_csp_and_anti_framing_headers(client):
    response = client.get("/map")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self';" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # only with WANGGE_HTTPS


def test_only_the_swagger_page_may_run_its_inline_script(client, street_admin):
    client.force_login(street_admin)
    docs = client.get("/api/docs/")
    assert "script-src 'self' 'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "'unsafe-inline'" not in client.get("/admin/")["Content-Security-Policy"] \
        .split("script-src")[1].split(";")[0]


def test_map_tiles_are_allowed_from_the_tile_servers(client):
    assert tile_source("") == ""
    assert tile_source("/tiles/{z}/{x}/{y}.png") == ""
    assert tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") \
        == "https://*.tile.example.org"
    assert tile_source("https://t{s}.tianditu.gov.cn/DataServer?x={x}") \
        == "https://*.tianditu.gov.cn"
    assert tile_source("http://10.0.0.5:8080/{z}/{x}/{y}.png") == "http://10.0.0.5:8080"
    with pytest.raises(ImproperlyConfigured):
        tile_source("ftp://tiles.example.org/{z}")
    assert "img-src 'self' data: blob: https://*.tile.example.org;" in content_security_policy(
        tile_url="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    with override_settings(WANGGE_MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png"):
        response = Client().get("/map")
    assert "https://*.tile.example.org" in response["Content-Security-Policy"]


# --- settings from the environment --------------------------------------------------------

KEY = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="  # 32 bytes, test only


def _settings(*names: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WANGGE_", "SECRET_KEY"))}
    return subprocess.run(
        [sys.executable, "-c",
         "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wangge.settings';"
         "from django.conf import settings; django.setup();"
         f"print(*[getattr(settings, n, None) for n in {list(names)!r}], sep='|')"],
        env={**clean, "SECRET_KEY": "x" * 50, "WANGGE_DATA_KEY": KEY, **env},
        capture_output=True, text=True, check=False,
    )


@pytest.mark.parametrize(("env", "message"), [
    ({"WANGGE_LOGIN_FAILURE_LIMIT": "five"}, "WANGGE_LOGIN_FAILURE_LIMIT must be an integer"),
    ({"WANGGE_LOCKOUT_MINUTES": "-1"}, "WANGGE_LOCKOUT_MINUTES must be at least 0"),
    ({"WANGGE_SESSION_IDLE_MINUTES": "0"}, "WANGGE_SESSION_IDLE_MINUTES must be at least 1"),
    ({"WANGGE_PASSWORD_MIN_LENGTH": "6"}, "WANGGE_PASSWORD_MIN_LENGTH must be at least 8"),
    ({"WANGGE_LOCKOUT_BY": "ip"}, "WANGGE_LOCKOUT_BY must be one of"),
    ({"WANGGE_HTTPS": "maybe"}, "WANGGE_HTTPS must be a boolean"),
    ({"WANGGE_HTTPS": "1", "WANGGE_PROXY_SSL_HEADER": "https"}, "WANGGE_PROXY_SSL_HEADER"),
    ({"WANGGE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}, "set WANGGE_HTTPS=true"),
])
def test_bad_security_settings_stop_start_up(env, message):
    result = _settings("DEBUG", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_https_turns_on_hsts_redirect_and_secure_cookies():
    names = ("SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
             "CSRF_COOKIE_SECURE", "SESSION_COOKIE_NAME", "SECURE_PROXY_SSL_HEADER")
    result = _settings(*names, WANGGE_HTTPS="true",
                       WANGGE_PROXY_SSL_HEADER="X-Forwarded-Proto: https")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        "31536000", "True", "True", "True", "__Host-sessionid",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
    ]
    result = _settings(*names[:3], "AXES_FAILURE_LIMIT", "SESSION_COOKIE_AGE",
                       WANGGE_LOGIN_FAILURE_LIMIT="3", WANGGE_SESSION_IDLE_MINUTES="15")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == ["0", "False", "False", "3", "900"]
