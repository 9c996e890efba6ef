"""Backups and restores of the database and the media files (`manage.py backup`, `restore`).

A backup is a folder, on local disk or under an S3 prefix, named by its UTC time:

    database.dump        pg_dump's custom format (PostgreSQL), or
    database.sqlite3     a consistent copy made with SQLite's online backup API
    media/...            a copy of every media file (unless --no-media-copy, see below)
    manifest.json        what was backed up: every media file with its size and SHA-256, and a
                         fingerprint of every table (row count and a hash of its rows)

With media on S3 the bucket's own versioning and replication are the media backup
(docs/operations.md) and `--no-media-copy` keeps only the manifest; the restore then checks
the bucket against it. A restore loads the database, puts back every media file whose content
differs from the manifest, and verifies rows and files against the manifest.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connection, connections, transaction

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore could not be made; the message says why."""


def target_storage(location: str) -> tuple[Storage, str]:
    """The storage of a backup location: a local folder, or `s3://bucket/prefix`."""
    if location.startswith("s3://"):
        from core.s3 import MediaS3Storage

        bucket, _, prefix = location[len("s3://") :].partition("/")
        default = settings.STORAGES["default"]
        # The media bucket's endpoint and credentials when media are on S3; otherwise
        # django-storages' own settings (AWS_S3_ENDPOINT_URL, ...) and boto3's chain.
        options = dict(default.get("OPTIONS", {})) if "S3" in default["BACKEND"] else {}
        options.update(bucket_name=bucket, location=prefix.strip("/"), custom_domain=None)
        options.update(querystring_auth=True, file_overwrite=True)
        return MediaS3Storage(**options), location.rstrip("/")
    path = Path(location).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return FileSystemStorage(location=path), str(path)


def walk(storage: Storage, prefix: str = ""):
    """Every file name under `prefix` in a storage, sorted."""
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for directory in sorted(directories):
        yield from walk(storage, f"{prefix}{directory}/")


def sha256_of(storage: Storage, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def media_manifest(storage: Storage | None = None) -> dict[str, dict]:
    storage = storage or default_storage
    files = {}
    for name in walk(storage):
        try:
            sha256, size = sha256_of(storage, name)
        except FileNotFoundError:  # deleted while we walked: not part of the backup
            continue
        files[name] = {"sha256": sha256, "size": size}
    return files


def database_fingerprint(using: str = "default") -> dict[str, dict]:
    """Each table's row count and a SHA-256 of its rows in primary-key order: two databases
    with the same fingerprint hold the same rows."""
    conn = connections[using]
    tables = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            columns = [c.name for c in conn.introspection.get_table_description(cursor, table)]
            key = conn.introspection.get_primary_key_column(cursor, table)
            order = [key] if key else columns
            quote = conn.ops.quote_name
            cursor.execute(
                f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)} "  # noqa: S608  # nosec B608
                f"ORDER BY {', '.join(map(quote, order))}"
            )
            digest, count = hashlib.sha256(), 0
            for row in cursor.fetchall():
                digest.update(repr(tuple(_comparable(value) for value in row)).encode())
                count += 1
            tables[table] = {"rows": count, "sha256": digest.hexdigest()}
    return tables


def _comparable(value):
    # The same row reads back as the same value on both sides of a dump and restore.
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


@dataclass
class BackupResult:
    location: str
    database_file: str
    tables: int
    rows: int
    media_files: int
    media_bytes: int
    manifest: dict = field(repr=False)


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["--host", db.get("HOST") or "localhost", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _dump_database(workdir: Path) -> tuple[Path, dict]:
    """Dump the database and fingerprint it, both from the same moment."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        path = workdir / "database.dump"
        args, env = _pg_env(db)
        with transaction.atomic(), connection.cursor() as cursor:
            # One snapshot for pg_dump and for the fingerprint: writes after it are in neither.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", *args, "--file", str(path), db["NAME"]],
                env=env, capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
            fingerprint = database_fingerprint()
        return path, fingerprint
    if connection.vendor == "sqlite":
        path = workdir / "database.sqlite3"
        with transaction.atomic():
            # The fingerprint's reads hold SQLite's shared lock until the copy is made, so no
            # write lands between the two (writers wait, up to the database timeout).
            fingerprint = database_fingerprint()
            target = sqlite3.connect(str(path))
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        return path, fingerprint
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


def backup_create(*, location: str, copy_media: bool = True, now=None) -> BackupResult:
    """Back up the database and media into a new folder under `location`."""
    storage, base = target_storage(location)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    if storage.exists(f"{stamp}/{MANIFEST}"):
        raise BackupError(f"a backup named {stamp} already exists in {base}")
    with tempfile.TemporaryDirectory(prefix="microvid-backup-") as workdir:
        dump, fingerprint = _dump_database(Path(workdir))
        dump_sha, _ = sha256_of(FileSystemStorage(location=workdir), dump.name)
        media = media_manifest()
        with dump.open("rb") as handle:
            _save(storage, f"{stamp}/{dump.name}", handle)
    if copy_media:
        for name in media:
            with default_storage.open(name, "rb") as handle:
                _save(storage, f"{stamp}/media/{name}", handle)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": stamp,
        "database": {"vendor": connection.vendor, "file": dump.name, "sha256": dump_sha},
        "tables": fingerprint,
        "media_copied": copy_media,
        "media": media,
    }
    _save_bytes(storage, f"{stamp}/{MANIFEST}", json.dumps(manifest, indent=1).encode())
    return BackupResult(
        location=f"{base}/{stamp}",
        database_file=dump.name,
        tables=len(fingerprint),
        rows=sum(t["rows"] for t in fingerprint.values()),
        media_files=len(media),
        media_bytes=sum(f["size"] for f in media.values()),
        manifest=manifest,
    )


def _save(storage: Storage, name: str, handle) -> None:
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, File(handle))
    if saved != name:
        raise BackupError(f"the backup storage renamed {name} to {saved}")


def _save_bytes(storage: Storage, name: str, data: bytes) -> None:
    with tempfile.TemporaryFile() as handle:
        handle.write(data)
        handle.seek(0)
        _save(storage, name, handle)


def backup_latest(location: str) -> str:
    """The newest backup's full location under `location`."""
    storage, base = target_storage(location)
    directories, _ = storage.listdir("")
    complete = sorted(d for d in directories if storage.exists(f"{d}/{MANIFEST}"))
    if not complete:
        raise BackupError(f"no backup in {base}")
    return f"{location.rstrip('/')}/{complete[-1]}"


@dataclass
class RestoreResult:
    tables_restored: int
    tables_differing: list[str]
    media_restored: int
    media_missing: list[str]
    media_extra: list[str]

    @property
    def identical(self) -> bool:
        return not (self.tables_differing or self.media_missing)


def _restore_postgres(dump: Path) -> None:
    db = connection.settings_dict
    args, env = _pg_env(db)
    connections.close_all()
    exists = subprocess.run(
        ["psql", *args, "--dbname", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{db['NAME']}'"],  # noqa: S608  # nosec B608
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if exists.returncode != 0:
        raise BackupError(f"cannot reach PostgreSQL: {exists.stderr.strip()}")
    if exists.stdout.strip() != "1":
        subprocess.run(["createdb", *args, db["NAME"]], env=env, check=True, capture_output=True)
    result = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "--exit-on-error", *args, "--dbname", db["NAME"], str(dump)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _restore_sqlite(copy: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(str(copy))
    try:
        source.backup(connection.connection)  # replaces every page of the live database
    finally:
        source.close()


def backup_restore(*, location: str, prune_media: bool = False) -> RestoreResult:
    """Restore the backup at `location` (one backup's folder) and verify it."""
    storage, base = target_storage(location)
    if not storage.exists(MANIFEST):
        raise BackupError(f"{base} is not a backup (no {MANIFEST})")
    with storage.open(MANIFEST, "rb") as handle:
        manifest = json.load(handle)
    database = manifest["database"]
    if database["vendor"] != connection.vendor:
        raise BackupError(
            f"this backup is of a {database['vendor']} database; this site uses {connection.vendor}"
        )
    with tempfile.TemporaryDirectory(prefix="microvid-restore-") as workdir:
        local = Path(workdir) / database["file"]
        with storage.open(database["file"], "rb") as stored, local.open("wb") as out:
            shutil.copyfileobj(stored, out, CHUNK)
        if sha256_of(FileSystemStorage(location=workdir), local.name)[0] != database["sha256"]:
            raise BackupError(f"{database['file']} does not match its checksum in the manifest")
        if database["vendor"] == "postgresql":
            _restore_postgres(local)
        else:
            _restore_sqlite(local)

    restored, missing = 0, []
    for name, expected in manifest["media"].items():
        if (
            default_storage.exists(name)
            and sha256_of(default_storage, name)[0] == expected["sha256"]
        ):
            continue
        if not manifest["media_copied"]:
            missing.append(name)
            continue
        with storage.open(f"media/{name}", "rb") as handle:
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, File(handle))
        if saved != name or sha256_of(default_storage, name)[0] != expected["sha256"]:
            missing.append(name)
        restored += 1
    extra = [name for name in walk(default_storage) if name not in manifest["media"]]
    if prune_media:
        for name in extra:
            default_storage.delete(name)
    fingerprint = database_fingerprint()
    differing = sorted(
        table
        for table in set(fingerprint) | set(manifest["tables"])
        if fingerprint.get(table) != manifest["tables"].get(table)
    )
    return RestoreResult(
        tables_restored=len(fingerprint),
        tables_differing=differing,
        media_restored=restored,
        media_missing=missing,
        media_extra=[] if prune_media else extra,
    )
