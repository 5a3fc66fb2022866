from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW_UNMASKED = "view_unmasked", _("viewed personal data unmasked")
    EXPORT = "export", _("exported")
    IMPORT = "import", _("imported")
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("failed to log in")
    LOGOUT = "logout", _("logged out")
    LOCKOUT = "lockout", _("locked out after failed logins")
    UNLOCK = "unlock", _("unlocked a locked-out login")
    PERMISSION_CHANGE = "permission_change", _("changed permissions")
    TWO_FACTOR_ENROLL = "2fa_enroll", _("set up two-factor login")
    TWO_FACTOR_VERIFY = "2fa_verify", _("passed the two-factor check")
    TWO_FACTOR_FAILED = "2fa_failed", _("entered a wrong two-factor code")
    TWO_FACTOR_RESET = "2fa_reset", _("removed a two-factor device")
    REQUEST_REFUSED = "request_refused", _("refused a request with a bad signature")


class AuditEvent(models.Model):
    """One entry of the append-only audit log (审计日志): who saw or took what, when and why.
    Written only by `core.services.audit_record`; never changed or deleted."""

    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target"), max_length=64, blank=True)
    target_label = models.CharField(_("target name"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"
