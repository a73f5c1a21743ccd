"""Issue 14, backup and restore: a backup of a database with dossiers and their files,
restored into an emptied database and an empty file store, gives back the same dossiers,
the same files (same hashes, served by the download view) and chains that still verify.
SQLite (the embedded mode) in the default pass; pg_dump/pg_restore in the PostgreSQL pass."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tinhso.audit.models import AuditEntry
from tinhso.audit.selectors import audit_chain_verify
from tinhso.data.models import AccessLog
from tinhso.data.selectors import accesslog_verify
from tinhso.data.services import accesslog_append
from tinhso.services.models import Dossier, DossierFile

pytestmark = pytest.mark.django_db(transaction=True)


def _state() -> dict:
    return {
        "dossiers": sorted(Dossier.objects.values_list("number", "status", "applicant_id")),
        "files": sorted(DossierFile.objects.values_list("dossier__number", "file", "sha256")),
        "audit": AuditEntry.objects.count(),
        "log": AccessLog.objects.count(),
    }


def _empty_database() -> None:
    """A fresh database: nothing of the old one left."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        connection.close()
    else:
        name = connection.settings_dict["NAME"]
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(name + suffix):
                os.remove(name + suffix)


def _round_trip(tmp_path: Path, submit_birth, settings, client, user_named) -> None:
    d1, d2 = submit_birth(), submit_birth()
    accesslog_append(client=None, action="package_search", outcome="ok", status=200, rows=2)
    before = _state()
    assert len(before["files"]) >= 2 and before["log"] == 1
    media = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    hashes = {f.pk: f.sha256 for f in DossierFile.objects.all()}

    call_command("backup", str(tmp_path / "bk"))
    with pytest.raises(CommandError):  # a backup never overwrites another
        call_command("backup", str(tmp_path / "bk"))

    _empty_database()
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()
    with pytest.raises(CommandError):  # restoring replaces everything: asked for explicitly
        call_command("restore", str(tmp_path / "bk"))
    call_command("restore", str(tmp_path / "bk"), "--yes")

    assert _state() == before
    assert audit_chain_verify() == [] and accesslog_verify() == []
    for row in DossierFile.objects.all():
        with row.file.open("rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == hashes[row.pk] == row.sha256
    # served again to its owner
    client.force_login(user_named("congdan"))
    f = DossierFile.objects.filter(dossier=d1).first()
    assert f is not None
    r = client.get(f"/dich-vu-cong/ho-so/{d1.pk}/tep/{f.pk}/")
    assert r.status_code == 200
    assert hashlib.sha256(b"".join(r.streaming_content)).hexdigest() == f.sha256
    assert Dossier.objects.filter(pk=d2.pk).exists()


@pytest.mark.sqlite_only
def test_sqlite_backup_restores_dossiers_files_and_chains(
    tmp_path, submit_birth, settings, client, user_named
):
    assert connection.vendor == "sqlite"
    _round_trip(tmp_path, submit_birth, settings, client, user_named)


@pytest.mark.postgres
def test_postgresql_backup_restores_dossiers_files_and_chains(
    tmp_path, submit_birth, settings, client, user_named
):
    _round_trip(tmp_path, submit_birth, settings, client, user_named)


def test_a_tampered_backup_is_refused(tmp_path, submit_birth):
    submit_birth()
    call_command("backup", str(tmp_path / "bk"))
    archive = tmp_path / "bk" / "files.tar"
    archive.write_bytes(archive.read_bytes() + b"x")
    before = Dossier.objects.count()
    with pytest.raises(CommandError, match="bị sửa"):
        call_command("restore", str(tmp_path / "bk"), "--yes")
    assert Dossier.objects.count() == before  # nothing was replaced
