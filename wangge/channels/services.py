"""Writes of the channels: issuing Open311 API keys. (The 12345 import and the door events
are in `hotline.py` and `access_control.py`; both open cases through `cases.services`.)"""

import secrets

from django.db import transaction

from wangge.channels.models import ApiClient
from wangge.core.crypto import lookup_hash

KEY_PURPOSE = "open311_api_key"


def api_key_hash(key: str) -> str:
    return lookup_hash(key, purpose=KEY_PURPOSE)


@transaction.atomic
def api_client_create(*, name: str, contact: str = "", key: str | None = None
                      ) -> tuple[ApiClient, str]:
    """Issue a key to a client; the key itself is returned once and never stored."""
    key = key or secrets.token_urlsafe(24)
    client = ApiClient.objects.create(name=name, contact=contact, key_hash=api_key_hash(key),
                                      key_hint=key[-4:])
    return client, key


def api_client_for_key(key: str) -> ApiClient | None:
    if not key:
        return None
    return ApiClient.objects.filter(key_hash=api_key_hash(key), active=True).first()
