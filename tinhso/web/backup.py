"""Backup and restore of one installation: the database and the uploaded files, in one
directory with a manifest (docs/deploy.md "Backup and restore").

- PostgreSQL: ``pg_dump --format=custom`` / ``pg_restore --clean --if-exists`` (the client
  programs of the server's major version or newer, on the PATH).
- SQLite (the embedded mode): SQLite's online backup API, consistent while the site runs.
- Files: the default storage's directory, as a tar archive.

The database is dumped before the files: a row is committed only after its file is stored
(``tinhso.files.atomic_with_files``) and files are deleted only after the deleting commit,
so every file a dumped row names is in the archive (a file stored meanwhile is an extra).
The keys outside the database (``SECRET_KEY``, ``DATA_LOG_HMAC_KEY``, the signing keys
under ``TINHSO_SIGNING_DIR``) are backed up with the configuration, not here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
FILES = "files.tar"
FORMAT = 1


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Database:
    vendor: str
    name: str
    settings: dict[str, Any]


def _database(alias: str = "default") -> Database:
    conf = settings.DATABASES[alias]
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(_("Không hỗ trợ sao lưu cơ sở dữ liệu %(vendor)s.") % {"vendor": vendor})
    return Database(vendor=vendor, name=str(conf["NAME"]), settings=dict(conf))


def _pg_env(db: Database) -> dict[str, str]:
    env = dict(os.environ)
    s = db.settings
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if s.get(key):
            env[var] = str(s[key])
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return env


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _files_root() -> Path:
    from django.core.files.storage import default_storage

    location = getattr(default_storage, "location", None)
    if not location:
        raise BackupError(_("Kho tệp mặc định không phải thư mục cục bộ: hãy sao lưu nó riêng."))
    return Path(location)


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s thất bại: %(error)s")
            % {"program": args[0], "error": done.stderr.strip()[:2000]}
        )


def backup_create(*, target: Path) -> dict[str, Any]:
    """Write a backup into the empty (or new) directory ``target``; returns its manifest."""
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(_("Thư mục %(path)s không trống.") % {"path": target})
    db = _database()
    if db.vendor == "postgresql":
        dump = target / "database.dump"
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={dump}", db.name],
            _pg_env(db),
        )
    else:
        dump = target / "database.sqlite3"
        src = sqlite3.connect(db.name)
        dst = sqlite3.connect(dump)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    root = _files_root()
    archive = target / FILES
    with tarfile.open(archive, "w") as tar:
        if root.exists():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": db.vendor,
        "parts": {p.name: _sha256(p) for p in (dump, archive)},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def _manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(
            _("Không đọc được %(path)s: %(error)s") % {"path": source / MANIFEST, "error": exc}
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(_("Bản sao lưu có định dạng không được hỗ trợ."))
    for name, digest in manifest["parts"].items():
        part = source / name
        if not part.is_file() or _sha256(part) != digest:
            raise BackupError(
                _("Phần %(part)s của bản sao lưu bị thiếu hoặc bị sửa.") % {"part": name}
            )
    return manifest


def backup_restore(*, source: Path) -> None:
    """Restore the backup in ``source`` into the configured database and file storage
    (they are replaced). Run with the site and the workers stopped."""
    manifest = _manifest(source)
    db = _database()
    if manifest["vendor"] != db.vendor:
        raise BackupError(
            _("Bản sao lưu của %(source)s không khôi phục được vào %(target)s.")
            % {"source": manifest["vendor"], "target": db.vendor}
        )
    for conn in connections.all():
        conn.close()
    if db.vendor == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                f"--dbname={db.name}",
                str(source / "database.dump"),
            ],
            _pg_env(db),
        )
    else:
        src = sqlite3.connect(source / "database.sqlite3")
        dst = sqlite3.connect(db.name)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    root = _files_root()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    with tarfile.open(source / FILES) as tar:
        tar.extractall(root, filter="data")


def backup_verify() -> list[str]:
    """After a restore: the audit chain and the data access log must verify."""
    from tinhso.audit.selectors import audit_chain_verify
    from tinhso.data.selectors import accesslog_verify

    problems = [f"audit {p.chain} #{p.seq}: {p.reason}" for p in audit_chain_verify()]
    problems += [f"data log #{p.seq}: {p.reason}" for p in accesslog_verify()]
    return problems
