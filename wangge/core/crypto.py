"""Encryption at rest and exact-match lookup hashes for sensitive personal information.

Residents' ID numbers and phone numbers are sensitive personal information under the PIPL:
they are stored encrypted with a key from the environment (``settings.WANGGE_DATA_KEY``), and
each such field has a companion keyed-hash column, indexed, through which records are found
by exact value.  The ciphertext column itself can never be searched (every encryption uses a
fresh random nonce, so equal values give different ciphertexts).

Two independent 32-byte subkeys are derived from the data key with HKDF-SHA256, one for
AES-256-GCM encryption and one for the HMAC-SHA256 lookup hashes, so the hash column reveals
nothing that helps an attack on the ciphertexts and vice versa.

Typical use in a model::

    id_number = EncryptedTextField(blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    def save(self, *args, **kwargs):
        self.id_number_hash = lookup_hash(self.id_number, purpose="resident_id")
        super().save(*args, **kwargs)

    Resident.objects.filter(id_number_hash=lookup_hash(value, purpose="resident_id"))

Normalising values (trimming, upper-casing the ID check character) is the caller's job and
must be done the same way before hashing on save and on search.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import models

__all__ = [
    "DecryptionError",
    "EncryptedTextField",
    "decrypt",
    "encrypt",
    "encrypt_many",
    "generate_key",
    "lookup_hash",
    "lookup_hashes",
    "validate_key",
]

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
TOKEN_PREFIX = "v1:"

_ENCRYPTION_INFO = b"wangge encryption v1"
_LOOKUP_INFO = b"wangge lookup hash v1"


class DecryptionError(ValueError):
    """A token could not be decrypted: malformed, tampered with, or made with another key."""


# --- keys ----------------------------------------------------------------------------------


def generate_key() -> str:
    """A new random data key: urlsafe base64 of 32 random bytes (44 characters, padded)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def _decode_key(key: object) -> bytes:
    if not isinstance(key, str):
        raise ValueError(f"WANGGE_DATA_KEY must be a string, not {type(key).__name__}.")
    hint = "generate one with wangge.core.crypto.generate_key()"
    if not key:
        raise ValueError(f"WANGGE_DATA_KEY is empty; {hint}.")
    unpadded = key.rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    # urlsafe_b64decode silently skips characters outside the alphabet (and "+/"), so insist
    # that the key is exactly the canonical encoding of what it decodes to.
    canonical = base64.urlsafe_b64encode(raw).decode("ascii")
    if not raw or key not in (canonical, canonical.rstrip("=")):
        raise ValueError(f"WANGGE_DATA_KEY is not valid urlsafe base64; {hint}.")
    if len(raw) != KEY_BYTES:
        raise ValueError(
            f"WANGGE_DATA_KEY must encode exactly {KEY_BYTES} bytes, not {len(raw)}; {hint}."
        )
    return raw


def validate_key(key: str) -> None:
    """Raise ValueError with a readable message unless ``key`` is urlsafe base64 of 32 bytes.

    Padding ("=") may be present or left out; anything else (whitespace, standard-base64
    "+/" characters, the wrong length) is refused.
    """
    _decode_key(key)


def _derive(raw: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(raw)


@functools.lru_cache(maxsize=8)
def _keys_for(key: str) -> tuple[AESGCM, bytes]:
    """The AES-GCM cipher and the lookup-hash key for one data key, derived once."""
    raw = _decode_key(key)
    return AESGCM(_derive(raw, _ENCRYPTION_INFO)), _derive(raw, _LOOKUP_INFO)


def _keys() -> tuple[AESGCM, bytes]:
    key = getattr(settings, "WANGGE_DATA_KEY", None)
    if key is None:
        raise ImproperlyConfigured(
            "WANGGE_DATA_KEY is not set: sensitive fields cannot be encrypted without it."
        )
    try:
        return _keys_for(key)
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from None


# --- encryption ----------------------------------------------------------------------------


def encrypt(plaintext: str) -> str:
    """AES-256-GCM with a random nonce: ``"v1:" + urlsafe-base64(nonce + ciphertext)``.

    The empty string stays empty, so blank values store nothing.
    """
    if not isinstance(plaintext, str):
        raise TypeError(f"encrypt() takes a str, not {type(plaintext).__name__}.")
    if not plaintext:
        return ""
    cipher, _ = _keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + cipher.encrypt(nonce, plaintext.encode("utf-8"), None)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")


def encrypt_many(plaintexts: Sequence[str]) -> list[str]:
    """``[encrypt(p) for p in plaintexts]`` for bulk writes: the cipher is looked up once and
    the random nonces are drawn in one call (every value still gets a nonce of its own)."""
    for plaintext in plaintexts:
        if not isinstance(plaintext, str):
            raise TypeError(f"encrypt() takes a str, not {type(plaintext).__name__}.")
    filled = sum(1 for plaintext in plaintexts if plaintext)
    if not filled:
        return [""] * len(plaintexts)
    seal = _keys()[0].encrypt
    nonces = os.urandom(NONCE_BYTES * filled)
    encode = base64.urlsafe_b64encode
    out: list[str] = []
    append = out.append
    start = 0
    for plaintext in plaintexts:
        if not plaintext:
            append("")
            continue
        nonce = nonces[start:start + NONCE_BYTES]
        start += NONCE_BYTES
        sealed = nonce + seal(nonce, plaintext.encode("utf-8"), None)
        append(TOKEN_PREFIX + encode(sealed).rstrip(b"=").decode("ascii"))
    return out


def decrypt(token: str) -> str:
    """The plaintext of an ``encrypt()`` token; ``""`` stays ``""``.

    Raises DecryptionError if the token is malformed, was altered, or was made with another key.
    """
    if not isinstance(token, str):
        raise TypeError(f"decrypt() takes a str, not {type(token).__name__}.")
    if not token:
        return ""
    if not token.startswith(TOKEN_PREFIX):
        raise DecryptionError(
            f"Cannot decrypt: the value is not an encrypted token (no {TOKEN_PREFIX!r} prefix)."
        )
    body = token[len(TOKEN_PREFIX):]
    try:
        sealed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("Cannot decrypt: the token is not valid base64.") from None
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("Cannot decrypt: the token is too short (truncated?).")
    cipher, _ = _keys()
    try:
        plain = cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], None)
    except InvalidTag:
        raise DecryptionError(
            "Cannot decrypt: authentication failed - the token was altered or "
            "WANGGE_DATA_KEY is not the key it was encrypted with."
        ) from None
    return plain.decode("utf-8")


# --- lookup hashes -------------------------------------------------------------------------


def lookup_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 (lookup subkey) of ``purpose + "\\x00" + value`` as 64 hex characters.

    ``purpose`` names the field ("resident_id", "phone") so equal values in different fields
    hash differently.  The empty value hashes to ``""``.
    """
    if not isinstance(value, str):
        raise TypeError(f"lookup_hash() takes a str value, not {type(value).__name__}.")
    if not isinstance(purpose, str) or not purpose or "\x00" in purpose:
        raise ValueError("lookup_hash() needs a non-empty purpose without NUL characters.")
    if not value:
        return ""
    _, hash_key = _keys()
    message = f"{purpose}\x00{value}".encode()
    return hmac.digest(hash_key, message, hashlib.sha256).hex()


def lookup_hashes(values: Sequence[str], *, purpose: str) -> list[str]:
    """``[lookup_hash(v, purpose=purpose) for v in values]`` for bulk work: the key is looked
    up and the arguments checked once."""
    for value in values:
        if not isinstance(value, str):
            raise TypeError(f"lookup_hash() takes a str value, not {type(value).__name__}.")
    if not isinstance(purpose, str) or not purpose or "\x00" in purpose:
        raise ValueError("lookup_hash() needs a non-empty purpose without NUL characters.")
    if not any(values):
        return [""] * len(values)
    _, hash_key = _keys()
    digest, sha256, prefix = hmac.digest, hashlib.sha256, f"{purpose}\x00"
    return [digest(hash_key, (prefix + value).encode(), sha256).hex() if value else ""
            for value in values]


# --- model field ---------------------------------------------------------------------------


class EncryptedTextField(models.TextField):
    """A text column holding ``encrypt()`` tokens; the model attribute holds the plaintext.

    Values are encrypted in ``get_prep_value`` (so ``save``, ``bulk_create``, ``bulk_update``
    and ``QuerySet.update`` all encrypt) and decrypted in ``from_db_value``.  The column can
    not be searched: every lookup but ``isnull`` raises FieldError - search the companion
    ``lookup_hash()`` column instead.  Serialisation (``dumpdata``) writes tokens, not
    plaintext, and ``to_python`` decrypts them again on ``loaddata``.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def get_prep_value(self, value: Any) -> str | None:
        # Deliberately skip TextField.get_prep_value: it would call to_python, which decrypts.
        value = models.Field.get_prep_value(self, value)  # resolves lazy translations
        if value is None:
            return None
        return encrypt(value if isinstance(value, str) else str(value))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return decrypt(value)

    def to_python(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            return str(value)
        if value.startswith(TOKEN_PREFIX):
            try:
                return decrypt(value)
            except DecryptionError as exc:
                raise ValidationError(str(exc), code="invalid") from None
        return value

    def value_to_string(self, obj: models.Model) -> str | None:
        value = self.value_from_object(obj)
        return None if value is None else encrypt(value)

    def get_lookup(self, lookup_name: str):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(self._refusal(lookup_name))

    def get_transform(self, lookup_name: str):
        raise FieldError(self._refusal(lookup_name))

    def _refusal(self, lookup_name: str) -> str:
        where = f"{self.model.__name__}.{self.name}" if hasattr(self, "model") else "it"
        return (
            f"{where} is an EncryptedTextField and cannot be searched ('{lookup_name}'): "
            "only 'isnull' is supported. Filter on its lookup_hash() column instead."
        )
