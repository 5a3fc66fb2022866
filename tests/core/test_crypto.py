"""Encryption at rest and lookup hashes for sensitive personal information."""

import base64

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import connection, models
from django.test.utils import isolate_apps, override_settings
from django.utils.translation import gettext_lazy

from wangge.core import crypto
from wangge.core.crypto import (
    DecryptionError,
    EncryptedTextField,
    decrypt,
    encrypt,
    generate_key,
    lookup_hash,
    validate_key,
)

KEY = generate_key()
OTHER_KEY = generate_key()
ID_NUMBER = "52030219850312123X"


@pytest.fixture(autouse=True)
def data_key(settings):
    settings.WANGGE_DATA_KEY = KEY
    return KEY


# --- encrypt / decrypt ----------------------------------------------------------------------


@pytest.mark.parametrize("text", [ID_NUMBER, "13800138000", "遵义市红花岗区老城街道", "x" * 5000])
def test_round_trip(text):
    token = encrypt(text)
    assert token.startswith("v1:")
    assert text not in token
    assert decrypt(token) == text


def test_empty_values_store_nothing():
    assert encrypt("") == ""
    assert decrypt("") == ""
    assert lookup_hash("", purpose="phone") == ""


def test_two_encryptions_differ_but_hash_the_same():
    first, second = encrypt(ID_NUMBER), encrypt(ID_NUMBER)
    assert first != second
    assert decrypt(first) == decrypt(second) == ID_NUMBER
    assert lookup_hash(ID_NUMBER, purpose="resident_id") == lookup_hash(
        ID_NUMBER, purpose="resident_id"
    )


def test_token_is_urlsafe_base64_of_nonce_and_ciphertext():
    body = encrypt("abc")[3:]
    assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert len(raw) == 12 + 3 + 16  # nonce + ciphertext + GCM tag


def test_wrong_key_cannot_decrypt():
    token = encrypt(ID_NUMBER)
    with override_settings(WANGGE_DATA_KEY=OTHER_KEY), pytest.raises(
        DecryptionError, match="altered or WANGGE_DATA_KEY is not the key"
    ):
        decrypt(token)
    assert decrypt(token) == ID_NUMBER  # the original key still works


def test_tampered_token_is_refused():
    token = encrypt(ID_NUMBER)
    body = bytearray(base64.urlsafe_b64decode(token[3:] + "=" * (-len(token[3:]) % 4)))
    body[20] ^= 0x01
    tampered = "v1:" + base64.urlsafe_b64encode(bytes(body)).decode().rstrip("=")
    with pytest.raises(DecryptionError, match="authentication failed"):
        decrypt(tampered)


@pytest.mark.parametrize(("token", "message"), [
    (ID_NUMBER, "not an encrypted token"),
    ("v1:not base64!", "not valid base64"),
    ("v1:AAAA", "too short"),
])
def test_malformed_tokens_are_refused(token, message):
    with pytest.raises(DecryptionError, match=message):
        decrypt(token)


def test_decryption_error_is_a_value_error():
    assert issubclass(DecryptionError, ValueError)


def test_non_strings_are_refused():
    with pytest.raises(TypeError):
        encrypt(None)
    with pytest.raises(TypeError):
        decrypt(b"v1:abc")
    with pytest.raises(TypeError):
        lookup_hash(13800138000, purpose="phone")


# --- lookup hashes --------------------------------------------------------------------------


def test_lookup_hash_is_hex_sha256():
    digest = lookup_hash(ID_NUMBER, purpose="resident_id")
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert ID_NUMBER not in digest


def test_purposes_separate_fields():
    assert lookup_hash("13800138000", purpose="phone") != lookup_hash(
        "13800138000", purpose="resident_id"
    )
    # The separator keeps purpose and value from running into each other.
    assert lookup_hash("bc", purpose="a") != lookup_hash("c", purpose="ab")


def test_purpose_is_required():
    with pytest.raises(ValueError, match="purpose"):
        lookup_hash("x", purpose="")
    with pytest.raises(ValueError, match="purpose"):
        lookup_hash("x", purpose="a\x00b")


def test_keys_give_different_hashes():
    digest = lookup_hash(ID_NUMBER, purpose="resident_id")
    with override_settings(WANGGE_DATA_KEY=OTHER_KEY):
        assert lookup_hash(ID_NUMBER, purpose="resident_id") != digest
    assert lookup_hash(ID_NUMBER, purpose="resident_id") == digest


def test_hash_and_encryption_keys_are_independent():
    cipher_a, hash_a = crypto._keys_for(KEY)
    cipher_b, hash_b = crypto._keys_for(KEY)
    assert cipher_a is cipher_b and hash_a == hash_b  # derived once, then cached
    raw = base64.urlsafe_b64decode(KEY)
    assert hash_a != raw
    assert crypto._derive(raw, b"wangge encryption v1") not in (hash_a, raw)


# --- keys -----------------------------------------------------------------------------------


def test_generated_keys_are_valid_and_random():
    key = generate_key()
    validate_key(key)
    validate_key(key.rstrip("="))  # padding is optional
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert generate_key() != key


@pytest.mark.parametrize(("key", "message"), [
    ("", "empty"),
    (base64.urlsafe_b64encode(b"k" * 16).decode(), "exactly 32 bytes, not 16"),
    (base64.urlsafe_b64encode(b"k" * 33).decode(), "exactly 32 bytes, not 33"),
    ("not a key at all, just some garbage text!!", "not valid urlsafe base64"),
    (KEY[:-2] + "+=", "not valid urlsafe base64"),  # standard, not urlsafe, alphabet
    (" " + KEY, "not valid urlsafe base64"),
    (KEY + "\n", "not valid urlsafe base64"),
    (KEY + "=", "not valid urlsafe base64"),
    (b"k" * 32, "must be a string"),
])
def test_validate_key_refuses_bad_keys(key, message):
    with pytest.raises(ValueError, match=message):
        validate_key(key)


def test_missing_or_bad_setting_is_an_improper_configuration(settings):
    del settings.WANGGE_DATA_KEY
    with pytest.raises(ImproperlyConfigured, match="WANGGE_DATA_KEY is not set"):
        encrypt("x")
    settings.WANGGE_DATA_KEY = "short"
    with pytest.raises(ImproperlyConfigured, match="WANGGE_DATA_KEY"):
        lookup_hash("x", purpose="phone")


# --- model field ----------------------------------------------------------------------------


def test_field_encrypts_on_the_way_in_and_decrypts_on_the_way_out():
    f = EncryptedTextField()
    token = f.get_prep_value(ID_NUMBER)
    assert token.startswith("v1:")
    assert token != f.get_prep_value(ID_NUMBER)
    assert f.from_db_value(token, None, connection) == ID_NUMBER
    assert f.get_db_prep_save("手机 13800138000", connection).startswith("v1:")


def test_field_keeps_null_and_empty():
    f = EncryptedTextField(null=True)
    assert f.get_prep_value(None) is None
    assert f.from_db_value(None, None, connection) is None
    assert f.get_prep_value("") == ""
    assert f.from_db_value("", None, connection) == ""


def test_field_encrypts_lazy_strings():
    token = EncryptedTextField().get_prep_value(gettext_lazy("未登记"))
    assert decrypt(token) == "未登记"


def test_field_refuses_a_tampered_column():
    with pytest.raises(DecryptionError):
        EncryptedTextField().from_db_value("v1:" + "A" * 60, None, connection)


def test_to_python_gives_plaintext():
    f = EncryptedTextField()
    assert f.to_python(ID_NUMBER) == ID_NUMBER
    assert f.to_python(encrypt(ID_NUMBER)) == ID_NUMBER
    assert f.to_python(None) is None
    assert f.to_python(123) == "123"
    with pytest.raises(ValidationError):
        f.to_python("v1:" + "A" * 60)


def test_only_isnull_lookups():
    f = EncryptedTextField()
    assert f.get_lookup("isnull") is models.TextField().get_lookup("isnull")
    for name in ("exact", "iexact", "in", "contains", "startswith", "gt", "regex"):
        with pytest.raises(FieldError, match="lookup_hash"):
            f.get_lookup(name)
    with pytest.raises(FieldError, match="cannot be searched"):
        f.get_transform("lower")


def test_deconstruct_for_migrations():
    f = EncryptedTextField(blank=True, null=True, verbose_name="身份证号")
    _name, path, args, kwargs = f.deconstruct()
    assert path == "wangge.core.crypto.EncryptedTextField"
    assert args == []
    assert kwargs == {"blank": True, "null": True, "verbose_name": "身份证号"}
    clone = EncryptedTextField(*args, **kwargs)
    assert clone.deconstruct()[1:] == (path, args, kwargs)


@pytest.fixture
def probe_model(db):
    """A throwaway model in an isolated app registry (no migration, invisible to
    makemigrations), with its table created inside the test's rolled-back transaction."""
    with isolate_apps("wangge.core"):

        class CryptoProbe(models.Model):
            label = models.CharField(max_length=10)
            secret = EncryptedTextField(null=True, blank=True)

            class Meta:
                app_label = "core"
                db_table = "test_crypto_probe"

            def __str__(self):
                return self.label

        sql, params = connection.schema_editor().table_sql(CryptoProbe)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        yield CryptoProbe


def _stored(label):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM test_crypto_probe WHERE label = %s", [label])
        return cursor.fetchone()[0]


def test_field_in_the_database(probe_model):
    probe = probe_model.objects.create(label="one", secret=ID_NUMBER)
    assert _stored("one").startswith("v1:")
    assert ID_NUMBER not in _stored("one")
    assert probe_model.objects.get(pk=probe.pk).secret == ID_NUMBER
    assert list(probe_model.objects.values_list("secret", flat=True)) == [ID_NUMBER]

    probe_model.objects.filter(pk=probe.pk).update(secret="13800138000")
    assert _stored("one").startswith("v1:")
    assert probe_model.objects.get(pk=probe.pk).secret == "13800138000"

    probe_model.objects.create(label="none", secret=None)
    assert probe_model.objects.filter(secret__isnull=True).get().label == "none"
    with pytest.raises(FieldError, match="lookup_hash"):
        probe_model.objects.filter(secret=ID_NUMBER).count()
    with pytest.raises(FieldError, match="lookup_hash"):
        probe_model.objects.filter(secret__contains="1380").count()


def test_bulk_create_and_bulk_update_encrypt(probe_model):
    probe_model.objects.bulk_create(
        [probe_model(label=f"p{i}", secret=f"1380013800{i}") for i in range(5)]
    )
    assert all(_stored(f"p{i}").startswith("v1:") for i in range(5))
    probes = list(probe_model.objects.order_by("label"))
    assert [p.secret for p in probes] == [f"1380013800{i}" for i in range(5)]

    for p in probes:
        p.secret = f"新号码{p.label}"
    probe_model.objects.bulk_update(probes, ["secret"])
    assert all(_stored(f"p{i}").startswith("v1:") for i in range(5))
    assert all("新号码" not in _stored(f"p{i}") for i in range(5))
    assert sorted(probe_model.objects.values_list("secret", flat=True)) == [
        f"新号码p{i}" for i in range(5)
    ]


def test_serialisation_writes_tokens_not_plaintext(probe_model):
    probe = probe_model(label="dump", secret=ID_NUMBER)
    field = probe_model._meta.get_field("secret")
    dumped = field.value_to_string(probe)
    assert dumped.startswith("v1:")
    assert field.to_python(dumped) == ID_NUMBER


# --- in bulk --------------------------------------------------------------------------------


def test_encrypt_many_is_encrypt_for_each_value_with_a_nonce_of_its_own():
    values = [ID_NUMBER, "", "13800138000", ID_NUMBER, "遵义市"]
    tokens = crypto.encrypt_many(values)
    assert [decrypt(t) for t in tokens] == values
    assert tokens[1] == ""
    assert tokens[0] != tokens[3]  # equal values, different nonces
    assert len({t[3:19] for t in tokens if t}) == 4  # every nonce differs


def test_encrypt_many_needs_no_key_for_blank_values(settings):
    del settings.WANGGE_DATA_KEY
    assert crypto.encrypt_many(["", ""]) == ["", ""]
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt_many(["", ID_NUMBER])


def test_encrypt_many_refuses_what_encrypt_refuses():
    with pytest.raises(TypeError):
        crypto.encrypt_many([ID_NUMBER, 520302])


def test_lookup_hashes_are_lookup_hash_for_each_value():
    values = [ID_NUMBER, "", "13800138000"]
    assert crypto.lookup_hashes(values, purpose="phone") == [
        lookup_hash(v, purpose="phone") for v in values]
    with pytest.raises(ValueError):
        crypto.lookup_hashes(values, purpose="")
    with pytest.raises(TypeError):
        crypto.lookup_hashes([None], purpose="phone")
