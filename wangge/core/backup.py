"""Backups of a whole installation and their restore: the database and the uploaded files
(`MEDIA_ROOT`) in one archive, with a manifest saying what is inside.

An archive is a gzip'd tar:

    manifest.json       format, wangge version, database vendor, applied migrations, time,
                        row count of every table, number of media files
    database.sqlite3    SQLite: a copy made with SQLite's online backup API
    database.pgdump     PostgreSQL: `pg_dump -Fc` (custom format)
    media/...           the uploaded files

Both are consistent while the server keeps running: SQLite's backup API copies one committed
state; on PostgreSQL the row counts are taken in a REPEATABLE READ transaction whose snapshot
`pg_dump --snapshot` dumps. A restore is all or nothing for the database (SQLite: one backup
step into the live file; PostgreSQL: every table dropped and the dump replayed by `psql` in a
single transaction), then the media directory is swapped in whole. It refuses an archive of
the other vendor or one made after migrations this code does not have, before changing
anything. WANGGE_DATA_KEY is not in the archive: without it the encrypted personal data in a
backup cannot be read, so keep the key, separately and safely.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

import wangge

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class Manifest:
    vendor: str
    created_at: str
    migrations: dict[str, list[str]]
    tables: dict[str, int]
    media_files: int = 0
    format: int = FORMAT
    wangge_version: str = wangge.__version__
    database_file: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --- reading a database: tables, counts, migrations, checksums -----------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                       "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                       "ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _describe(cursor, vendor: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Row count of every table and the applied migrations, read through `cursor`."""
    counts = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return counts, migrations


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.")
                          % {"vendor": vendor})
    return vendor


def table_counts(*, using: str = "default") -> dict[str, int]:
    """Rows in every table of the live database."""
    with connections[using].cursor() as cursor:
        return _describe(cursor, _vendor(using))[0]


def table_checksums(*, using: str = "default", tables: Iterable[str] | None = None
                    ) -> dict[str, str]:
    """A checksum of each table's committed rows (all tables, or `tables`), independent of
    their order: two databases with the same checksums hold the same rows. For verifying a
    round trip; it reads every row (PostgreSQL hashes them in the server; SQLite reads
    through a plain connection of its own, without Django's type conversions, which would
    take twice as long)."""
    vendor = _vendor(using)
    result = {}
    if vendor == "postgresql":
        with connections[using].cursor() as cursor:
            for table in (list(tables) if tables is not None else _tables(cursor, vendor)):
                cursor.execute(
                    "SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' "
                    f"ORDER BY md5(t::text))), '') FROM {_quote(table)} AS t")
                count, digest = cursor.fetchone()
                result[table] = f"{count}:{digest}"
        return result
    db = sqlite3.connect(connections[using].settings_dict["NAME"], timeout=20)
    try:
        cursor = db.cursor()
        for table in (list(tables) if tables is not None else _tables(cursor, vendor)):
            # A sum of per-row digests: the same rows in any order give the same sum.
            count, total = 0, 0
            cursor.execute(f"SELECT * FROM {_quote(table)}")
            while rows := cursor.fetchmany(5000):
                count += len(rows)
                total += sum(int.from_bytes(hashlib.blake2b(repr(row).encode(),
                                                            digest_size=16).digest())
                             for row in rows)
            result[table] = f"{count}:{total % (1 << 128):032x}"
    finally:
        db.close()
    return result


def _known_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


# --- backup ---------------------------------------------------------------------------------


def default_output(vendor: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"wangge-{vendor}-{stamp}.tar.gz"


def backup_create(*, output: Path | None = None, using: str = "default") -> tuple[Path, Manifest]:
    """Write an archive of the database and the media directory; returns where and what.
    The archive appears under its name only once complete (written beside it, then renamed),
    readable by its owner alone: it holds personal data (encrypted) and login sessions."""
    vendor = _vendor(using)
    output = Path(output) if output else default_output(vendor)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".wangge-backup-") as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        if vendor == "sqlite":
            counts, migrations = _sqlite_dump(using, dump)
        else:
            counts, migrations = _postgres_dump(using, dump)
        manifest = Manifest(vendor=vendor, created_at=timezone.now().isoformat(),
                            migrations=migrations, tables=counts, database_file=dump.name)
        partial = Path(work) / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, \
                tarfile.open(fileobj=raw, mode="w:gz", compresslevel=3) as tar:
            media = _media_root()
            files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
            manifest.media_files = len(files)
            _add_bytes(tar, MANIFEST, json.dumps(asdict(manifest), ensure_ascii=False,
                                                 indent=1).encode())
            tar.add(dump, arcname=dump.name)
            for path in files:
                tar.add(path, arcname=f"{MEDIA}/{path.relative_to(media).as_posix()}")
        partial.replace(output)
    return output, manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _sqlite_dump(using: str, target: Path):
    """SQLite's online backup API: one consistent copy while other connections write."""
    source = sqlite3.connect(connections[using].settings_dict["NAME"], timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # One self-contained file: no -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        return _describe(copy.cursor(), "sqlite")
    finally:
        copy.close()
        source.close()


def _pg_env(using: str) -> dict[str, str]:
    s = connections[using].settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if s.get(key):
            env[var] = str(s[key])
    options = s.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                     ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _pg_tool(name: str, using: str) -> str:
    """The client tool, refused when missing or older than the server (it could not read
    or write the server's dumps correctly)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(_(
            "%(tool)s not found: install the PostgreSQL client tools of the server's major "
            "version (Debian: postgresql-client).") % {"tool": name})
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    connection = connections[using]
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if match is None or int(match.group(1)) < server:
        raise BackupError(_(
            "%(tool)s is version %(client)s but the server is PostgreSQL %(server)s: install "
            "the client tools of version %(server)s or newer.") % {
                "tool": name, "client": out.stdout.strip() or "?", "server": server})
    return path


def _postgres_dump(using: str, target: Path):
    """`pg_dump -Fc` of the snapshot in which the rows were counted."""
    pg_dump = _pg_tool("pg_dump", using)
    connection = connections[using]
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts, migrations = _describe(cursor, "postgresql")
            result = subprocess.run(
                [pg_dump, "--format=custom", "--no-owner", "--no-acl",
                 f"--snapshot={snapshot}", f"--file={target}"],
                env=_pg_env(using), capture_output=True, text=True, check=False)
        raw.rollback()
    finally:
        raw.close()
    if result.returncode != 0:
        raise BackupError(_("pg_dump failed: %(error)s") % {"error": result.stderr.strip()})
    return counts, migrations


# --- restore --------------------------------------------------------------------------------


def read_manifest(archive: Path) -> Manifest:
    """The manifest of an archive; a file that is not a wangge backup is refused."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            member = tar.extractfile(MANIFEST)
            data = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError):
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(_("%(file)s is not a wangge backup (no readable manifest).")
                          % {"file": archive})
    try:
        manifest = Manifest(**data)
        created = dt.datetime.fromisoformat(manifest.created_at)
        if created.tzinfo is None or not isinstance(manifest.tables, dict) or \
                not isinstance(manifest.migrations, dict):
            raise ValueError
        return manifest
    except (TypeError, ValueError):
        raise BackupError(_("%(file)s is not a wangge backup (no readable manifest).")
                          % {"file": archive}) from None


def restore_problems(manifest: Manifest, *, using: str = "default") -> list[str]:
    """Why this archive may not be restored here; empty when it may."""
    vendor = _vendor(using)
    if manifest.vendor != vendor:
        return [_("This backup is of a %(theirs)s database; this installation uses %(ours)s. "
                  "Restore it into an installation of the same kind (or move the data with "
                  "`wangge dumpdata`/`loaddata`).") % {"theirs": manifest.vendor, "ours": vendor}]
    unknown = sorted({(app, name) for app, names in manifest.migrations.items()
                      for name in names} - _known_migrations())
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        return [_("This backup was made by a newer version of wangge (migrations unknown "
                  "here: %(list)s). Upgrade wangge first, then restore.") % {"list": listed}]
    return []


def pending_migrations(manifest: Manifest) -> list[str]:
    """Migrations of this code the backup had not applied: `wangge migrate` after restoring."""
    applied = {(app, name) for app, names in manifest.migrations.items() for name in names}
    return sorted(f"{app}.{name}" for app, name in _known_migrations() - applied)


def backup_restore(*, archive: Path, using: str = "default") -> Manifest:
    """Replace the database and the media directory with the archive's. Checks first and
    changes nothing when the archive may not be restored here."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    problems = restore_problems(manifest, using=using)
    if problems:
        raise BackupError(problems[0])
    media = _media_root()
    media.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media.parent, prefix=".wangge-restore-") as work:
        work_dir = Path(work)
        with tarfile.open(archive, "r:*") as tar:
            members = [m for m in tar.getmembers()
                       if m.name == manifest.database_file or m.name.startswith(MEDIA + "/")]
            if not any(m.name == manifest.database_file for m in members):
                raise BackupError(_("%(file)s is incomplete: the database is missing.")
                                  % {"file": archive})
            # The "data" filter refuses absolute paths, links out of the tree and devices.
            tar.extractall(work_dir, members=members, filter="data")
        dump = work_dir / manifest.database_file
        connections[using].close()
        if manifest.vendor == "sqlite":
            _sqlite_load(using, dump)
        else:
            _postgres_load(using, dump)
        _swap_media(work_dir / MEDIA, media, work_dir / "old-media")
    return manifest


def _sqlite_load(using: str, dump: Path) -> None:
    """One backup step copies every page into the live file under one write lock: other
    connections see the old database or the new one, never a mixture."""
    source = sqlite3.connect(dump)
    live = sqlite3.connect(connections[using].settings_dict["NAME"], timeout=20)
    try:
        source.backup(live)
    except sqlite3.Error as exc:
        raise BackupError(_("The database could not be restored (it is unchanged): %(error)s")
                          % {"error": exc}) from None
    finally:
        live.close()
        source.close()


# Drops every table, view and sequence of the current schema: what the dump recreates.
_PG_CLEAR = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
           -- Tables first: their identity sequences go with them and cannot go alone.
           ORDER BY c.relkind NOT IN ('r', 'p'), c.relname
  LOOP
    EXECUTE format('DROP %s IF EXISTS %I.%I CASCADE',
                   CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                  WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                   current_schema(), r.relname);
  END LOOP;
END $$;
"""


def _postgres_load(using: str, dump: Path) -> None:
    """`pg_restore` turns the dump into SQL; `psql` runs it after dropping every table, all
    in one transaction: on any error nothing has changed. (`pg_restore --clean` would leave
    tables the dump does not have, e.g. from a later migration.)"""
    pg_restore = _pg_tool("pg_restore", using)
    psql = _pg_tool("psql", using)
    env = _pg_env(using)
    producer = subprocess.Popen([pg_restore, "--no-owner", "--no-acl", "--file=-", str(dump)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    consumer = subprocess.run(
        [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
         "--command", _PG_CLEAR, "--file=-"],
        stdin=producer.stdout, capture_output=True, text=True, env=env, check=False)
    producer.stdout.close()
    producer_error = producer.stderr.read().decode(errors="replace")
    producer.wait()
    if producer.returncode != 0 or consumer.returncode != 0:
        lines = (consumer.stderr or producer_error).strip().splitlines()
        error = next((line for line in lines if "ERROR" in line), lines[-1] if lines else "?")
        raise BackupError(_("The database could not be restored (it is unchanged): %(error)s")
                          % {"error": error})


def _swap_media(new: Path, media: Path, old: Path) -> None:
    """Put the restored media directory in place of the live one (`old` goes with the
    temporary directory). A mount point cannot be renamed: its contents are replaced."""
    new.mkdir(exist_ok=True)
    try:
        if media.exists():
            media.rename(old)
        new.rename(media)
    except OSError:
        if not media.exists():
            raise
        old.mkdir(exist_ok=True)
        for child in list(media.iterdir()):
            child.rename(old / child.name)
        for child in list(new.iterdir()):
            shutil.move(str(child), media / child.name)


def compare_counts(manifest: Manifest, *, using: str = "default") -> list[str]:
    """Tables whose row count differs from the manifest's (after a restore: none)."""
    now = table_counts(using=using)
    return [f"{t}: {manifest.tables.get(t)} → {now.get(t)}"
            for t in sorted(set(now) | set(manifest.tables))
            if now.get(t) != manifest.tables.get(t)]


def describe(manifest: Manifest) -> Iterable[str]:
    """Lines for the operator: what the archive holds."""
    created = dt.datetime.fromisoformat(manifest.created_at)
    yield _("made %(when)s by wangge %(version)s") % {
        "when": timezone.localtime(created).strftime("%Y-%m-%d %H:%M:%S"),
        "version": manifest.wangge_version}
    yield _("database: %(vendor)s, %(tables)d tables, %(rows)d rows") % {
        "vendor": manifest.vendor, "tables": len(manifest.tables), "rows": manifest.rows}
    yield _("media: %(n)d files") % {"n": manifest.media_files}
