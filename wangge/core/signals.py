"""The audit of logins and permission changes (等保2.0 8.1.4.3 安全审计), from signals.

Connected in `CoreConfig.ready()`. Each receiver appends one `AuditEvent` through
`audit_record`; a failed login is written at once (no transaction surrounds it), so a
refused login is on record even though nothing else happened.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

from wangge.core.models import AuditAction
from wangge.core.services import audit_record

PRIVILEGE_FLAGS = ("is_superuser", "is_staff")


def _current_request():
    """The request being served, if any: django-simple-history's middleware keeps it."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _request_user(request):
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _client(request) -> dict:
    if request is None:
        return {}
    agent = request.META.get("HTTP_USER_AGENT", "")
    return {"user_agent": agent[:200]} if agent else {}


def _account(username: str):
    if not username:
        return None
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first()


def _tried_username(credentials: dict | None) -> str:
    credentials = credentials or {}
    field = get_user_model().USERNAME_FIELD
    return str(credentials.get(field) or credentials.get("username") or "")[:150]


# --- logins -------------------------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(
        actor=user, action=AuditAction.LOGIN, request=request,
        detail={"backend": getattr(user, "backend", ""), **_client(request)},
    )


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # logging out without being logged in
        return
    audit_record(actor=user, action=AuditAction.LOGOUT, request=request, detail=_client(request))


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = _tried_username(credentials)
    account = _account(username)
    failures = getattr(request, "axes_failures_since_start", None)
    detail = {"username": username, "account_exists": account is not None, **_client(request)}
    if failures is not None:
        detail["failures"] = failures
        detail["locked_out"] = bool(getattr(request, "axes_locked_out", False))
    audit_record(
        actor=None, action=AuditAction.LOGIN_FAILED, request=request,
        target_type=get_user_model()._meta.label_lower,
        target_id=str(account.pk) if account else "", target_label=username, detail=detail,
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """axes' user_locked_out. axes sends it again for every try while locked (each restarts
    the wait): only the failure that reaches the limit starts a lockout."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures > settings.AXES_FAILURE_LIMIT:
        return
    username = str(username or "")[:150]
    account = _account(username)
    audit_record(
        actor=None, action=AuditAction.LOCKOUT, request=request,
        target_type=get_user_model()._meta.label_lower,
        target_id=str(account.pk) if account else "", target_label=username,
        detail={
            "username": username, "ip_address": ip_address, "failures": failures,
            "minutes": settings.WANGGE_LOCKOUT_MINUTES,
        },
    )


# --- permission changes -------------------------------------------------------------------


def _names(model, pks) -> list[str]:
    if model is Permission:
        rows = model.objects.filter(pk__in=pks).select_related("content_type")
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in rows)
    return sorted(str(obj) for obj in model.objects.filter(pk__in=pks))


def _record_permission_change(target, field: str, change: str, names: list[str]) -> None:
    request = _current_request()
    audit_record(
        actor=_request_user(request), action=AuditAction.PERMISSION_CHANGE, target=target,
        request=request, detail={"field": field, change: names},
    )


def on_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """User.groups, User.user_permissions and Group.permissions, from either side."""
    User = get_user_model()
    fields = {
        User.groups.through: "groups",
        User.user_permissions.through: "user_permissions",
        Group.permissions.through: "permissions",
    }
    field = fields.get(sender)
    if field is None:
        return
    if action == "pre_clear":
        # pk_set is None for a clear: remember what is about to go.
        if reverse:
            instance._wangge_cleared = {
                pk: [_label(instance)] for pk in _reverse_related(instance, field)
            }
        else:
            instance._wangge_cleared = {
                None: _names(model, getattr(instance, field).values_list("pk", flat=True))
            }
        return
    if action == "post_clear":
        cleared = instance.__dict__.pop("_wangge_cleared", {})
        if not reverse:
            if cleared.get(None):
                _record_permission_change(instance, field, "removed", cleared[None])
            return
        owners = model.objects.in_bulk(list(cleared))
        for pk, names in cleared.items():
            if pk in owners:
                _record_permission_change(owners[pk], field, "removed", names)
        return
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    change = "added" if action == "post_add" else "removed"
    if not reverse:
        _record_permission_change(instance, field, change, _names(model, pk_set))
        return
    # e.g. group.user_set.add(user): one row for each user or group that changed.
    for owner in model.objects.filter(pk__in=pk_set):
        _record_permission_change(owner, field, change, [_label(instance)])


def _label(obj) -> str:
    if isinstance(obj, Permission):
        return f"{obj.content_type.app_label}.{obj.codename}"
    return str(obj)


def _reverse_related(instance, field: str) -> list:
    """Pks of the users (or groups) that hold `instance` through `field`, for a reverse clear
    such as group.user_set.clear()."""
    User = get_user_model()
    if field == "permissions":
        return list(Group.objects.filter(permissions=instance).values_list("pk", flat=True))
    return list(User.objects.filter(**{field: instance}).values_list("pk", flat=True))


def on_user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Remember is_superuser/is_staff before the save, for on_user_post_save to compare.
    A new account is not compared: the admin's add form cannot set them (only a shell or
    `createsuperuser` can), so every grant through the site is a change of an account."""
    instance._wangge_privileges = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(PRIVILEGE_FLAGS):
        return  # e.g. last_login on every login: no query needed
    instance._wangge_privileges = (
        type(instance)._default_manager.filter(pk=instance.pk).values(*PRIVILEGE_FLAGS).first()
    )


def on_user_post_save(sender, instance, created, raw=False, **kwargs) -> None:
    before = instance.__dict__.pop("_wangge_privileges", None)
    if raw or created or not before:
        return
    changes = {
        flag: [before[flag], getattr(instance, flag)]
        for flag in PRIVILEGE_FLAGS if before[flag] != getattr(instance, flag)
    }
    if not changes:
        return
    request = _current_request()
    audit_record(
        actor=_request_user(request), action=AuditAction.PERMISSION_CHANGE, target=instance,
        request=request, detail={"field": "flags", "changes": changes},
    )


def connect() -> None:
    from axes.signals import user_locked_out

    from wangge.core.security import flag_lockout_on_http_request

    User = get_user_model()
    user_logged_in.connect(on_logged_in, dispatch_uid="wangge.audit.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="wangge.audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="wangge.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="wangge.audit.lockout")
    user_locked_out.connect(flag_lockout_on_http_request, dispatch_uid="wangge.lockout.drf")
    for through in (User.groups.through, User.user_permissions.through,
                    Group.permissions.through):
        m2m_changed.connect(on_m2m_changed, sender=through,
                            dispatch_uid=f"wangge.audit.m2m.{through._meta.label}")
    pre_save.connect(on_user_pre_save, sender=User, dispatch_uid="wangge.audit.user_pre")
    post_save.connect(on_user_post_save, sender=User, dispatch_uid="wangge.audit.user_post")
