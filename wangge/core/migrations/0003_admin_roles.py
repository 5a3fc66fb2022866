"""The three administrator roles of 等保2.0 level 3 (三员分立), as groups: the system
administrator manages accounts, the security administrator grants permissions and reads the
audit log, the auditor only reads the audit log. Names as in wangge.core.security."""

from django.db import migrations

ROLES = {
    "系统管理员": [
        ("auth", "user", ["add", "change", "view", "delete"]),
        ("auth", "group", ["view"]),
    ],
    "安全管理员": [
        # change_user only to grant groups: wangge.core.admin keeps the account fields read-only.
        ("auth", "user", ["change", "view"]),
        ("auth", "group", ["add", "change", "view", "delete"]),
        ("auth", "permission", ["view"]),
        ("core", "auditevent", ["view"]),
        # Unlocking a locked-out login is deleting its attempt record.
        ("axes", "accessattempt", ["view", "delete"]),
        ("axes", "accessfailurelog", ["view"]),
        ("axes", "accesslog", ["view"]),
    ],
    "审计员": [
        ("core", "auditevent", ["view"]),
    ],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; the roles need them now.
    for label in ("auth", "core", "axes"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, actions in grants:
            codenames = [f"{action}_{model}" for action in actions]
            permissions = list(Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames,
            ))
            if len(permissions) != len(codenames):
                raise RuntimeError(f"{name}: missing permissions among {codenames}")
            group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
        ("core", "0002_alter_auditevent_action"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
