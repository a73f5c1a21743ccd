"""Files where several servers reach them (issue 13, part 4).

Every test marked ``files_on_both`` runs twice: on the local filesystem and on an
S3-compatible bucket served over HTTP by a local moto server (conftest.py ``file_storage``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tinhso.files import S3_BACKEND, atomic_with_files, storage_config
from tinhso.services.models import Dossier
from tinhso.testing import files_on_both

from .conftest import PDF, PNG, upload

pytestmark = pytest.mark.django_db


def stored_names(storage: Any = None, top: str = "") -> list[str]:
    """Every file in a storage, walked through the storage API only."""
    storage = storage or default_storage
    dirs, files = storage.listdir(top)
    names = [f"{top}/{f}" if top else f for f in files]
    for d in dirs:
        names += stored_names(storage, f"{top}/{d}" if top else d)
    return sorted(names)


def local_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_storage_is_chosen_by_settings(tmp_path):
    local = storage_config({}, media_root=str(tmp_path))
    assert local["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert local["OPTIONS"]["base_url"] is None  # no public URL: files go through views
    s3 = storage_config(
        {
            "TINHSO_STORAGE": "s3",
            "TINHSO_S3_BUCKET": "tinhso",
            "TINHSO_S3_ENDPOINT_URL": "http://minio:9000",
        },
        media_root=str(tmp_path),
    )
    assert s3["BACKEND"] == S3_BACKEND
    options = s3["OPTIONS"]
    assert options["bucket_name"] == "tinhso" and options["endpoint_url"] == "http://minio:9000"
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["querystring_expire"] <= 300 and options["file_overwrite"] is False
    with pytest.raises(ValueError, match="TINHSO_S3_BUCKET"):
        storage_config({"TINHSO_STORAGE": "s3"}, media_root=str(tmp_path))
    with pytest.raises(ValueError, match="local"):
        storage_config({"TINHSO_STORAGE": "ftp"}, media_root=str(tmp_path))


@files_on_both
def test_uploaded_files_live_in_the_configured_storage(
    file_storage, submit_birth, user_named, client, settings
):
    d = submit_birth()
    f = d.files.get()
    assert stored_names() == [f.file.name]
    if file_storage == "s3":
        assert type(default_storage._wrapped).__module__ == "storages.backends.s3"
        assert local_files(settings) == []  # nothing on this server's disk
        obj = default_storage.bucket.Object(default_storage._normalize_name(f.file.name))
        grants = obj.Acl().grants
        assert grants and all("URI" not in g["Grantee"] for g in grants)  # no public grant
    # served only through the permission-checked view, streamed from the storage
    url = f"/dich-vu-cong/ho-so/{d.pk}/tep/{f.pk}/"
    client.force_login(user_named("canbo.thuanan"))
    assert client.get(url).status_code == 404
    client.force_login(user_named("canbo.dian"))
    r = client.get(url)
    assert r.status_code == 200 and r["Cache-Control"] == "private, no-store"
    assert b"".join(r.streaming_content) == PDF


@files_on_both
def test_same_name_twice_keeps_both_files(file_storage):
    with atomic_with_files() as stored:
        a = default_storage.save("dossiers/x/don.pdf", ContentFile(b"one"))
        stored.append((default_storage, a))
        b = default_storage.save("dossiers/x/don.pdf", ContentFile(b"two"))
        stored.append((default_storage, b))
    assert a != b
    with default_storage.open(a, "rb") as fh:
        assert fh.read() == b"one"
    with default_storage.open(b, "rb") as fh:
        assert fh.read() == b"two"


@files_on_both
def test_files_of_a_rolled_back_change_are_deleted(file_storage, birth, ward_dian, user_named):
    import tinhso.services.services.submission as svc  # where the step is looked up
    from tinhso.services.services import dossier_create_and_submit

    from .conftest import BIRTH_FORM

    required = birth.parts.filter(required=True).first()
    optional = birth.parts.exclude(pk=required.pk).first()
    written: list[str] = []
    from django.core.files.storage import Storage

    real_save = Storage.save

    def spy(self: Any, name: Any, content: Any, max_length: Any = None) -> str:
        out = real_save(self, name, content, max_length=max_length)
        written.append(out)
        return out

    def audit_down(**kwargs: Any) -> None:
        raise RuntimeError("audit down")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Storage, "save", spy)
        mp.setattr(svc, "audit_record", audit_down)
        with pytest.raises(RuntimeError):
            dossier_create_and_submit(
                user=user_named("congdan"),
                procedure=birth,
                org_unit=ward_dian,
                form_data=BIRTH_FORM,
                files={
                    required.pk: [upload()],
                    optional.pk: [upload("b.png", PNG, "image/png")],
                },
            )
    assert len(written) == 2  # both were written to the storage, then removed
    assert not Dossier.objects.exists() and stored_names() == []
