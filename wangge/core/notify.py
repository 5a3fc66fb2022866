"""Pluggable notifications (通知). `send(message)` hands a message to every backend named in
`settings.WANGGE_NOTIFIERS`; the log backend is the default, SMS, WeCom (企业微信) and e-mail
backends are configured by settings. A failing backend is logged and never breaks the
caller: notifications go out after the change they report has been committed."""

from __future__ import annotations

import json
import logging
import urllib.request
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("wangge.notify")


@dataclass(frozen=True)
class Recipient:
    name: str
    phone: str = ""
    email: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class Message:
    kind: str  # assigned, near_deadline, raised, result_ready, deferral_requested
    subject: str
    body: str
    recipients: tuple[Recipient, ...]
    link: str = ""
    extra: dict = field(default_factory=dict)


class LogNotifier:
    """Writes each message to the `wangge.notify` log (the default)."""

    def send(self, message: Message) -> None:
        log.info("notify %s to %s: %s", message.kind,
                 ", ".join(r.name for r in message.recipients), message.subject)


class MemoryNotifier:
    """Keeps messages in memory (`MemoryNotifier.outbox`): for tests and demos."""

    outbox: list[Message] = []

    def send(self, message: Message) -> None:
        MemoryNotifier.outbox.append(message)


class SmsNotifier:
    """Posts {phones, text} as JSON to the SMS gateway at `WANGGE_SMS_URL`."""

    def send(self, message: Message) -> None:
        phones = [r.phone for r in message.recipients if r.phone]
        if phones:
            _post(settings.WANGGE_SMS_URL, {"phones": phones,
                                            "text": f"{message.subject} {message.link}"})


class WeComNotifier:
    """Posts a text message to a WeCom (企业微信) group robot at `WANGGE_WECOM_WEBHOOK`."""

    def send(self, message: Message) -> None:
        _post(settings.WANGGE_WECOM_WEBHOOK, {
            "msgtype": "text",
            "text": {"content": f"{message.subject}\n{message.body}\n{message.link}"}})


class EmailNotifier:
    """Sends through Django's e-mail settings to recipients with an address."""

    def send(self, message: Message) -> None:
        emails = [r.email for r in message.recipients if r.email]
        if emails:
            send_mail(message.subject, f"{message.body}\n{message.link}", None, emails)


def _post(url: str, payload: dict) -> None:
    if not url:
        raise RuntimeError("notifier URL not configured")
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5):
        pass


@cache
def _backends() -> tuple:
    return tuple(import_string(path)() for path in settings.WANGGE_NOTIFIERS)


def send(message: Message) -> None:
    if not message.recipients:
        return
    for backend in _backends():
        try:
            backend.send(message)
        except Exception:
            # Names only: recipients' phones and addresses stay out of the logs.
            log.exception("notifier %s failed for %s %r", type(backend).__name__,
                          message.kind, message.subject)
