"""`wangge backup` / `wangge restore`: after a round trip nothing differs, neither a table's
rows nor a media file; an archive that may not be restored here changes nothing."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from tests.conftest import MICRO_A
from wangge.core.backup import FORMAT, MANIFEST, table_checksums, table_counts
from wangge.demo.services import demo_is_loaded, demo_load
from wangge.grids.models import Grid
from wangge.registry.models import Person


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read the English messages (the default language is Chinese; the
    catalogue is checked by `tests/core/test_settings.py` and the pages' own tests)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def assert_test_database() -> None:
    """Never the real database: pytest-django sets the test database up only when some test
    of the run asks for `db` (the refusal tests below do)."""
    settings_dict = connection.settings_dict
    test_name = settings_dict["TEST"].get("NAME")
    name = str(settings_dict["NAME"])
    assert (name == test_name) if test_name else name.startswith("test_"), (
        "no test database: run this module whole")


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """The test database as committed, outside any test transaction: `pg_dump` and SQLite's
    backup API see committed data only. The round trip itself puts it back as it was."""
    with django_db_blocker.unblock():
        assert_test_database()
        if not demo_is_loaded():
            demo_load(with_cases=False)
        yield


@pytest.fixture
def media(tmp_path, settings) -> Path:
    root = tmp_path / "media"
    (root / "cases" / "2026" / "01").mkdir(parents=True)
    (root / "cases" / "2026" / "01" / "kept.jpg").write_bytes(b"\xff\xd8 photo one")
    (root / "cases" / "2026" / "01" / "changed.jpg").write_bytes(b"\xff\xd8 photo two")
    settings.MEDIA_ROOT = root
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_round_trip_restores_every_row_and_every_file(committed, media, tmp_path, capsys):
    before, files_before = table_checksums(), _files(media)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(archive))
    assert capsys.readouterr().out.strip() == str(archive)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"] == table_counts()
    assert manifest["media_files"] == 2
    assert "0001_initial" in manifest["migrations"]["cases"]

    try:
        # Add, change and delete rows; add and change files.
        get_user_model().objects.create_user("after-the-backup", password="x")
        Grid.objects.filter(code=MICRO_A).update(name="改过的名字")
        link = Person.care_groups.through.objects.order_by("pk").first()
        Person.care_groups.through.objects.filter(pk=link.pk).delete()
        (media / "cases" / "2026" / "01" / "changed.jpg").write_bytes(b"\xff\xd8 other")
        (media / "new.jpg").write_bytes(b"\xff\xd8 new")
        touched = ["auth_user", "grids_grid", Person.care_groups.through._meta.db_table]
        changed = table_checksums(tables=touched)
        assert all(changed[t] != before[t] for t in touched)
    finally:
        call_command("restore", str(archive), "--yes")

    assert "row counts verified" in capsys.readouterr().out
    assert table_checksums() == before
    assert _files(media) == files_before
    assert Grid.objects.get(code=MICRO_A).name != "改过的名字"


def _archive(tmp_path: Path, **manifest) -> Path:
    data = {"format": FORMAT, "vendor": connection.vendor,
            "created_at": "2026-01-01T00:00:00+00:00", "migrations": {}, "tables": {},
            "database_file": "database.sqlite3", **manifest}
    path = tmp_path / "made-up.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        body = json.dumps(data).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    return path


@pytest.mark.parametrize(("manifest", "message"), [
    ({"vendor": "other"}, "this installation uses"),
    ({"migrations": {"cases": ["0001_initial", "9999_from_the_future"]}}, "newer version"),
])
def test_restore_refuses_another_vendor_or_a_newer_version(db, tmp_path, media, manifest,
                                                            message):
    counts = table_counts()
    if manifest.get("vendor") == "other":
        manifest["vendor"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(_archive(tmp_path, **manifest)), "--yes")
    assert _files(media) == {"cases/2026/01/kept.jpg": b"\xff\xd8 photo one",
                             "cases/2026/01/changed.jpg": b"\xff\xd8 photo two"}
    assert table_counts() == counts


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    junk = tmp_path / "photo.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a wangge backup"):
        call_command("restore", str(junk), "--yes")


def test_restore_asks_before_replacing_anything(tmp_path, media):
    # No terminal to ask on, and no --yes: nothing happens.
    with pytest.raises(CommandError, match="add --yes"):
        call_command("restore", str(_archive(tmp_path)))
