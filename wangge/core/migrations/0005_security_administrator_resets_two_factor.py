"""The security administrator (安全管理员) resets a user's two-factor login: sees the users'
TOTP devices (never their secrets: OTP_ADMIN_HIDE_SENSITIVE_DATA) and may delete one."""

from django.db import migrations

ROLE = "安全管理员"
CODENAMES = ["view_totpdevice", "delete_totpdevice"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; the role needs them now.
    config = apps.get_app_config("otp_totp")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.filter(
        content_type__app_label="otp_totp", codename__in=CODENAMES,
    ))
    if len(permissions) != len(CODENAMES):
        raise RuntimeError(f"{ROLE}: missing permissions among {CODENAMES}")
    group, _ = Group.objects.get_or_create(name=ROLE)
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=ROLE).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="otp_totp", codename__in=CODENAMES,
        ))


class Migration(migrations.Migration):

    dependencies = [
        ("otp_totp", "0003_add_timestamps"),
        ("core", "0004_alter_auditevent_action"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
