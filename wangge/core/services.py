"""Writes shared by every app: the audit log."""

from django.db import models
from django.utils import timezone

from wangge.core.models import AuditAction, AuditEvent


def audit_record(*, actor, action: AuditAction, target: models.Model | None = None,
                 target_type: str = "", target_id: str = "", target_label: str = "",
                 reason: str = "", detail: dict | None = None, request=None) -> AuditEvent:
    """Append one audit entry. Callers write it in the same transaction as what it records,
    so that an export that fails leaves no entry and one that succeeds always has one."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor.get_username() if getattr(actor, "pk", None) else "system",
        target_type=target_type, target_id=target_id, target_label=target_label[:200],
        reason=reason, detail=detail or {}, ip_address=ip, at=timezone.now(),
    )
