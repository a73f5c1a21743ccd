"""Datastore loads run by a worker (issue 13): the request stores the upload and queues a
task; the worker builds the new version in committed batches with its progress; the
previous version is served until the new one is complete; the page shows progress and the
outcome."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from tinhso.audit.models import AuditEntry
from tinhso.data import tabular
from tinhso.data.models import DatastoreLoad, DatastoreRow, DatastoreTable, Resource
from tinhso.data.selectors import datastore_table
from tinhso.data.services import datastore_load, loads
from tinhso.data.tests.conftest import make_dataset, make_resource
from tinhso.jobs.testing import queue_drain
from tinhso.testing import files_on_both

pytestmark = pytest.mark.django_db

OLD = b"ma,ten\n01,Cu mot\n02,Cu hai\n"
NEW = "ma,ten,so\n" + "".join(f"{i:03d},Phường số {i},{i * 10}\n" for i in range(1, 8))


@pytest.fixture
def db_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def dataset(demo_users: None) -> Any:
    return make_dataset()


@pytest.fixture
def loaded(dataset: Any, tmp_path: Any) -> Resource:
    """A resource whose version 1 is current (loaded from a local file: works on any storage)."""
    res = make_resource(dataset, tmp_path, b"ma,ten\n")
    old = tmp_path / "cu.csv"
    old.write_bytes(OLD)
    datastore_load(actor=None, resource=res, path=old)
    res.refresh_from_db()
    return res


def current_rows(resource: Resource) -> list[dict]:
    table = datastore_table(resource=resource)
    return [r.data for r in DatastoreRow.objects.filter(table=table).order_by("row_no")]


def csv_upload(text: str | bytes, name: str = "moi.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


@files_on_both
def test_worker_builds_the_new_version_while_the_old_one_stays_live(
    file_storage, db_queue, loaded, user_named, monkeypatch, django_capture_on_commit_callbacks
):
    officer = user_named("canbo.stttt")
    old_file = loaded.file.name
    load = loads.datastore_load_request(
        actor=officer, dataset=loaded.dataset, resource=loaded, upload=csv_upload(NEW)
    )
    # the request only queued it: nothing loaded yet, version 1 served
    assert load.status == "queued" and DBTaskResult.objects.count() == 1
    assert current_rows(loaded) == [{"ma": "01", "ten": "Cu mot"}, {"ma": "02", "ten": "Cu hai"}]
    assert default_storage.exists(load.file.name)  # the upload waits in shared storage

    # batches of 2 rows, each committed with the progress; look at row 5 what others see
    import tinhso.data.services.datastore as data_services

    monkeypatch.setattr(data_services, "BATCH", 2)
    seen: list[tuple[int, int, str, int | None]] = []
    real_records = tabular.records

    def watching(*args: Any, **kwargs: Any) -> Any:
        for n, item in enumerate(real_records(*args, **kwargs), start=1):
            if n == 5:
                row = DatastoreLoad.objects.get(pk=load.pk)
                live = datastore_table(resource=loaded)
                seen.append(
                    (
                        row.rows_done,
                        live.version if live else 0,
                        row.status,
                        row.rows_total,
                    )
                )
            yield item

    monkeypatch.setattr(tabular, "records", watching)
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_drain() == 1
    assert seen == [(4, 1, "running", 7)]  # progress visible, version 1 still current

    load.refresh_from_db()
    loaded.refresh_from_db()
    assert (load.status, load.version, load.rows_done, load.percent) == ("done", 2, 7, 100)
    assert current_rows(loaded)[0] == {"ma": "001", "ten": "Phường số 1", "so": 10}
    assert len(current_rows(loaded)) == 7
    assert DatastoreTable.objects.filter(resource=loaded).count() == 1  # v1 removed
    assert loaded.file.name == load.file.name and not default_storage.exists(old_file)
    with loaded.file.open("rb") as fh:
        assert fh.read() == NEW.encode()
    entry = AuditEntry.objects.filter(action="data.datastore.load").latest("pk")
    assert entry.changes["after"]["version"] == 2
    assert entry.changes["after"]["load"] == str(load.uuid)
    # a second run of the same task changes nothing (idempotent)
    assert loads.datastore_load_execute(load_id=load.pk) == "done"
    assert DatastoreTable.objects.filter(resource=loaded).count() == 1


@files_on_both
def test_a_refused_file_ends_failed_with_its_rows_and_keeps_the_old_version(
    file_storage, db_queue, loaded, user_named, django_capture_on_commit_callbacks
):
    ragged = "ma,ten\n01,Một\n02,Hai,thừa\n03\n"
    load = loads.datastore_load_request(
        actor=user_named("canbo.stttt"),
        dataset=loaded.dataset,
        resource=loaded,
        upload=csv_upload(ragged),
    )
    with django_capture_on_commit_callbacks(execute=True):
        queue_drain()
    load.refresh_from_db()
    assert load.status == "failed" and "dòng lỗi" in load.error
    assert [line for line, _reason in load.bad_rows] == [3, 4]
    assert datastore_table(resource=loaded).version == 1
    assert DatastoreTable.objects.filter(resource=loaded).count() == 1  # no partial version
    assert not default_storage.exists(load.file.name)  # the refused upload is removed
    assert default_storage.exists(Resource.objects.get(pk=loaded.pk).file.name)


def test_a_new_resource_whose_load_fails_is_removed(db_queue, dataset, user_named):
    load = loads.datastore_load_request(
        actor=user_named("canbo.stttt"),
        dataset=dataset,
        name="Tài nguyên mới",
        upload=csv_upload("a,b\n1,2\n3\n"),
    )
    assert Resource.objects.filter(dataset=dataset).count() == 1
    queue_drain()
    load.refresh_from_db()
    assert load.status == "failed" and load.resource is None
    assert not Resource.objects.filter(dataset=dataset).exists()


def test_a_crash_mid_load_removes_the_partial_version_and_the_retry_completes(
    db_queue, loaded, user_named, monkeypatch
):
    from django.utils import timezone

    import tinhso.data.services.datastore as data_services

    monkeypatch.setattr(data_services, "BATCH", 2)
    load = loads.datastore_load_request(
        actor=user_named("canbo.stttt"),
        dataset=loaded.dataset,
        resource=loaded,
        upload=csv_upload(NEW),
    )
    real_records = tabular.records

    def dies(*args: Any, **kwargs: Any) -> Any:
        for n, item in enumerate(real_records(*args, **kwargs), start=1):
            if n == 6:
                raise OSError("database connection lost")
            yield item

    monkeypatch.setattr(tabular, "records", dies)
    queue_drain()
    row = DBTaskResult.objects.get()
    assert row.status == "READY"  # back in the queue with backoff
    assert DatastoreTable.objects.filter(resource=loaded).count() == 1  # partial one removed
    assert datastore_table(resource=loaded).version == 1
    monkeypatch.setattr(tabular, "records", real_records)
    DBTaskResult.objects.update(run_after=timezone.now())
    queue_drain()
    load.refresh_from_db()
    assert load.status == "done" and load.rows_done == 7 and len(current_rows(loaded)) == 7


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ban-do.geojson", b'{"type": "FeatureCollection", "features": []}', "Chỉ tệp CSV"),
        ("bang.xlsx", b"ma,ten\n1,2\n", "không"),  # the content is not a workbook
        ("du-lieu.exe", b"MZ\x90\x00", "Chỉ nhận tệp"),
    ],
)
def test_bad_input_is_refused_at_once_and_nothing_is_queued(
    db_queue, loaded, user_named, name, content, message
):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        loads.datastore_load_request(
            actor=user_named("canbo.stttt"),
            dataset=loaded.dataset,
            resource=loaded if name.endswith(".csv") else None,
            name="x",
            upload=csv_upload(content, name),
        )
    assert message.lower() in " ".join(exc.value.message_dict["file"]).lower()
    assert not DatastoreLoad.objects.exists() and not DBTaskResult.objects.exists()
    assert AuditEntry.objects.count() == before
    assert Resource.objects.filter(dataset=loaded.dataset).count() == 1


def test_another_format_cannot_replace_a_resource(db_queue, loaded, user_named):
    with pytest.raises(ValidationError) as exc:
        loads.datastore_load_request(
            actor=user_named("canbo.stttt"),
            dataset=loaded.dataset,
            resource=loaded,
            upload=SimpleUploadedFile("x.json", b'[{"a": 1}]'),
        )
    assert "định dạng CSV" in exc.value.message_dict["file"][0]


def test_only_maintainers_may_load(db_queue, loaded, user_named):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        loads.datastore_load_request(
            actor=user_named("canbo.dian"),
            dataset=loaded.dataset,
            resource=loaded,
            upload=csv_upload(NEW),
        )
    assert not DatastoreLoad.objects.exists()


def test_page_shows_progress_then_the_outcome(db_queue, loaded, user_named, client):
    load = loads.datastore_load_request(
        actor=user_named("canbo.stttt"),
        dataset=loaded.dataset,
        resource=loaded,
        upload=csv_upload(NEW),
    )
    url = f"/du-lieu/{loaded.dataset.name}/nap/{load.uuid}/"
    client.force_login(user_named("canbo.dian"))
    assert client.get(url).status_code in (403, 404)
    client.force_login(user_named("canbo.stttt"))
    DatastoreLoad.objects.filter(pk=load.pk).update(status="running", rows_total=8, rows_done=2)
    page = client.get(url).content.decode()
    assert "Đang nạp" in page and 'value="25"' in page and 'hx-trigger="every 2s"' in page
    queue_drain()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Phiên bản 2 đã được nạp: 7 dòng." in fragment
    assert "hx-trigger" not in fragment and "<html" not in fragment  # polling stops
