"""Online submission through the API in one step (``dossier_create_and_submit``): one
transaction, a bounded number of queries, and a failure anywhere leaves no row and no
stored file."""

import json
import threading
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection

from tinhso.audit.models import AuditEntry
from tinhso.audit.selectors import audit_chain_verify
from tinhso.files import atomic_with_files
from tinhso.services.models import (
    Dossier,
    DossierCounter,
    DossierEvent,
    DossierFile,
    ServiceApplicantYear,
    Status,
)
from tinhso.services.services import dossier_create_and_submit
from tinhso.services.services import submission as svc  # where the steps are looked up

from .conftest import BIRTH_FORM, EXE, PDF, PNG, upload

pytestmark = pytest.mark.django_db

# session + user (authentication), procedure with its parts and e-form fields (one
# statement), unit, agency check, start step; then in the transaction: applicant-year, number, dossier, files (one insert
# for all), event, audit chain head (one SELECT … FOR UPDATE), audit entry, chain head
# update; plus BEGIN/COMMIT (or SAVEPOINT/RELEASE inside the test's transaction).
# It was 39 with a draft then a submit (two transactions).
# + the online channel's settled unit and fee (issue 11: unclear ones take no online dossier)
# + the national portal outbox row (issue 13)
# + the procedure's published studio form revision (issue 16)
# + the applicant's notification preferences, read by the status notification, which the
#   test's immediate task backend runs inside the request (a worker's query in production)
# + the applicant's other dossiers of the procedure today, for the non-blocking
#   "duplicate_same_day" warning of the answer (issue 15)
SUBMIT_QUERY_BUDGET = 21


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _parts(birth):
    required = birth.parts.filter(required=True).first()
    optional = birth.parts.exclude(pk=required.pk).first()
    return required, optional


def _post(client, birth, unit, files=None, part_ids=None, **extra):
    if part_ids is None:
        part_ids = ",".join(str(p.pk) for p in _parts(birth))
    data = {
        "procedure_code": birth.code,
        "org_unit_id": unit.pk,
        "form_json": json.dumps(BIRTH_FORM, ensure_ascii=False),
        "part_ids": part_ids,
        "files": files
        if files is not None
        else [upload(), upload("uy-quyen.png", PNG, "image/png")],
        **extra,
    }
    return client.post("/api/v1/dossiers", data)


def _nothing_stored(settings) -> None:
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0
    assert DossierEvent.objects.count() == 0
    assert ServiceApplicantYear.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="services.dossier").exists()
    assert _media_files(settings) == []


def test_api_submission_stores_everything_in_one_step(
    client, birth, ward_dian, user_named, settings, django_capture_on_commit_callbacks
):
    user = user_named("congdan")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = _post(client, birth, ward_dian)
    assert r.status_code == 201, r.content
    body = r.json()
    d = Dossier.objects.get(pk=body["id"])
    assert body["number"] == d.number and d.number.endswith("-0001")
    assert (d.status, d.version, d.channel) == (Status.NEW, 1, 2)
    assert d.submitted_at and d.step_entered_at == d.submitted_at and d.step.is_start
    assert d.applicant == user and d.applicant_id_number == "074190001234"
    assert d.form_data["ho_ten_tre"] == BIRTH_FORM["ho_ten_tre"]
    # the files: rows and bytes on disk
    files = list(d.files.order_by("pk"))
    assert [(f.content_type, f.size) for f in files] == [
        ("application/pdf", len(PDF)),
        ("image/png", len(PNG)),
    ]
    assert [Path(f.file.path).read_bytes() for f in files] == [PDF, PNG]
    assert len(_media_files(settings)) == 2
    # history, applicant-year, audit (one entry for the one change), notification
    assert list(d.events.values_list("action", "from_status", "to_status")) == [
        ("submit", Status.DRAFT, Status.NEW)
    ]
    assert ServiceApplicantYear.objects.filter(
        org_unit=ward_dian, applicant=user, year=d.submitted_at.year
    ).exists()
    entries = list(AuditEntry.objects.filter(object_type="services.dossier", object_id=d.pk))
    assert [e.action for e in entries] == ["services.dossier_submit"]
    assert entries[0].changes["after"]["number"] == d.number
    assert entries[0].changes["after"]["files"] == [f.sha256 for f in files]
    assert audit_chain_verify() == []
    assert callbacks and len(mail.outbox) == 1 and d.number in mail.outbox[0].subject
    # a second submission: next number, the applicant-year row is not duplicated
    r2 = _post(client, birth, ward_dian)
    assert r2.status_code == 201
    assert int(r2.json()["number"][-4:]) == int(d.number[-4:]) + 1
    assert ServiceApplicantYear.objects.count() == 1


def test_api_submission_query_count(
    client, birth, ward_dian, user_named, django_assert_max_num_queries
):
    client.force_login(user_named("congdan"))
    assert _post(client, birth, ward_dian).status_code == 201  # warm: the default process
    part_ids = ",".join(str(p.pk) for p in _parts(birth))
    with django_assert_max_num_queries(SUBMIT_QUERY_BUDGET):
        r = _post(client, birth, ward_dian, part_ids=part_ids)
    assert r.status_code == 201, r.content


def test_no_query_for_a_row_inserted_in_the_same_transaction(client, birth, ward_dian, user_named):
    from django.test.utils import CaptureQueriesContext

    client.force_login(user_named("congdan"))
    assert _post(client, birth, ward_dian).status_code == 201
    part_ids = ",".join(str(p.pk) for p in _parts(birth))
    with CaptureQueriesContext(connection) as ctx:
        assert _post(client, birth, ward_dian, part_ids=part_ids).status_code == 201
    sql = [q["sql"] for q in ctx.captured_queries]
    reads = [s for s in sql if 'FROM "services_dossier"' in s]
    # never re-read: the one read is the same-day duplicate look-up of the applicant's others
    assert len(reads) == 1 and '"services_dossier"."applicant_id"' in reads[0], reads
    assert sum('INTO "services_dossierfile"' in s for s in sql) == 1  # one insert, 2 files
    assert sum('FROM "audit_chainhead"' in s for s in sql) == 1  # one locked read


@pytest.mark.parametrize("failing", ["audit_record", "dossier_number_next", "_notify"])
def test_a_failure_at_any_later_step_leaves_nothing(
    birth, ward_dian, user_named, settings, monkeypatch, failing
):
    user = user_named("congdan")
    required, optional = _parts(birth)
    seen_on_disk: list[int] = []

    def boom(*args, **kwargs):
        seen_on_disk.append(len(_media_files(settings)))
        raise RuntimeError(f"{failing} failed")

    monkeypatch.setattr(svc, failing, boom)
    counters = list(DossierCounter.objects.values_list("agency_code", "day", "last"))
    with pytest.raises(RuntimeError):
        dossier_create_and_submit(
            user=user,
            procedure=birth,
            org_unit=ward_dian,
            form_data=BIRTH_FORM,
            files={required.pk: [upload()], optional.pk: [upload("b.png", PNG, "image/png")]},
        )
    # the audit and the notification come after the files were written: they were
    # there, and are gone
    assert seen_on_disk == ([0] if failing == "dossier_number_next" else [2])
    _nothing_stored(settings)
    assert list(DossierCounter.objects.values_list("agency_code", "day", "last")) == counters
    # and the next submission gets the number the failed one would have had
    monkeypatch.undo()
    d = dossier_create_and_submit(
        user=user,
        procedure=birth,
        org_unit=ward_dian,
        form_data=BIRTH_FORM,
        files={required.pk: [upload()]},
    )
    assert d.number.endswith("-0001") and len(_media_files(settings)) == 1


def test_a_failing_file_write_removes_the_files_already_written(
    birth, ward_dian, user_named, settings, monkeypatch
):
    from django.core.files.storage import FileSystemStorage

    required, optional = _parts(birth)
    real_save = FileSystemStorage._save
    calls: list[str] = []

    def second_fails(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", second_fails)
    with pytest.raises(OSError):
        dossier_create_and_submit(
            user=user_named("congdan"),
            procedure=birth,
            org_unit=ward_dian,
            form_data=BIRTH_FORM,
            files={required.pk: [upload()], optional.pk: [upload("b.png", PNG, "image/png")]},
        )
    assert len(calls) == 2
    _nothing_stored(settings)


def test_bad_input_is_refused_before_anything_is_written(
    client, birth, ward_dian, user_named, settings, demo_orgs
):
    from tinhso.orgs.selectors import orgunit_get

    client.force_login(user_named("congdan"))
    required, optional = _parts(birth)
    # a disguised executable, a missing required part, a bad e-form value: all reported
    r = _post(client, birth, ward_dian, files=[upload("x.pdf", EXE)], part_ids=str(optional.pk))
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    details = r.json()["details"]
    assert f"part_{optional.pk}" in details and f"part_{required.pk}" in details
    bad_form = _post(client, birth, ward_dian, form_json=json.dumps({"ho_ten_tre": ""}))
    assert bad_form.status_code == 422 and "ho_ten_tre" in bad_form.json()["details"]
    # an agency that does not receive the procedure
    r = _post(client, birth, orgunit_get(code="74.STTTT"))
    assert r.status_code == 422 and "org_unit" in r.json()["details"]
    # an oversized upload
    settings.TINHSO_MAX_UPLOAD_BYTES = 100
    r = _post(
        client,
        birth,
        ward_dian,
        files=[upload("a.pdf", b"%PDF-1.4" + b"0" * 200)],
        part_ids=str(required.pk),
    )
    assert r.status_code == 422 and "vượt quá dung lượng" in r.json()["message"]
    _nothing_stored(settings)
    # unknown unit / procedure; an official may not submit online
    assert _post(client, birth, ward_dian, org_unit_id=10**9).status_code == 404
    assert _post(client, birth, ward_dian, procedure_code="9.999999").status_code == 404
    client.force_login(user_named("canbo.dian"))
    assert _post(client, birth, ward_dian).status_code == 403
    _nothing_stored(settings)


def test_officials_and_anonymous_cannot_use_the_service(birth, ward_dian, user_named):
    from django.contrib.auth.models import AnonymousUser

    required, _optional = _parts(birth)
    for who in (user_named("canbo.dian"), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            dossier_create_and_submit(
                user=who,
                procedure=birth,
                org_unit=ward_dian,
                form_data=BIRTH_FORM,
                files={required.pk: [upload()]},
            )
    with pytest.raises(ValidationError):
        dossier_create_and_submit(
            user=user_named("congdan"),
            procedure=birth,
            org_unit=ward_dian,
            form_data=BIRTH_FORM,
            files={},
        )
    assert Dossier.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_commit_failure_with_unknown_outcome_keeps_the_files(settings, monkeypatch):
    """If COMMIT itself fails on the connection, the rows may be stored: their files must
    not be deleted. A failure before the commit deletes them."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    def write(stored, name):
        name = default_storage.save(name, ContentFile(b"x"))
        stored.append((default_storage, name))
        return name

    with pytest.raises(RuntimeError), atomic_with_files() as stored:
        before = write(stored, "a.txt")
        raise RuntimeError
    assert not default_storage.exists(before)

    def commit_fails():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "commit", commit_fails)
    with pytest.raises(OperationalError), atomic_with_files() as stored:
        kept = write(stored, "b.txt")
    assert default_storage.exists(kept)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_one_step_submissions(birth, ward_dian, user_named, settings):
    """Several applicants at once (real row locks): distinct consecutive numbers, every
    dossier complete, the audit chains intact."""
    users = [user_named("congdan"), user_named("doanhnghiep")]
    # two kinds of applicant: the procedure admits both (birth registration is for citizens)
    birth.applicants = "Công dân Việt Nam, Doanh nghiệp"
    birth.save(update_fields=["applicants"])
    required, _optional = _parts(birth)
    barrier = threading.Barrier(8)
    numbers, errors = [], []

    def worker(i):
        try:
            barrier.wait()
            d = dossier_create_and_submit(
                user=users[i % 2],
                procedure=birth,
                org_unit=ward_dian,
                form_data=BIRTH_FORM,
                files={required.pk: [upload()]},
            )
            numbers.append(d.number)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, 9))
    assert DossierCounter.objects.get().last == 8
    assert Dossier.objects.filter(status=Status.NEW).count() == 8
    assert DossierFile.objects.count() == 8 and len(_media_files(settings)) == 8
    assert DossierEvent.objects.filter(action="submit").count() == 8
    assert ServiceApplicantYear.objects.count() == 2
    assert audit_chain_verify() == []


def test_procedure_for_submission_is_one_query_and_matches_the_models(
    birth, django_assert_num_queries
):
    from tinhso.services.models import FormField, Procedure
    from tinhso.services.selectors import procedure_get_for_submission

    FormField.objects.filter(procedure=birth, name="gioi_tinh").update(help_text="Nam hoặc Nữ")
    with django_assert_num_queries(1):
        p = procedure_get_for_submission(code=birth.code)
        parts = list(p.parts.all())
        fields = list(p.form_fields.all())
    assert (p.pk, p.code, p.name, p.is_active, p.process_id) == (
        birth.pk,
        birth.code,
        birth.name,
        True,
        birth.process_id,
    )

    def part_row(x):
        return (x.pk, x.order, x.name, x.required, x.copies, x.accepted_types, x.type_list)

    def field_row(x):
        return (x.pk, x.name, x.label, x.kind, x.required, x.choices, x.help_text, x.max_length)

    assert [part_row(x) for x in parts] == [part_row(x) for x in birth.parts.all()]
    assert [field_row(x) for x in fields] == [field_row(x) for x in birth.form_fields.all()]
    assert any(not x.required for x in parts) and any(x.choices for x in fields)
    assert all(isinstance(x.required, bool) for x in [*parts, *fields])
    # the long texts are deferred, not wrong: read on access
    with django_assert_num_queries(1):
        assert p.legal_basis == birth.legal_basis
    Procedure.objects.filter(pk=birth.pk).update(is_active=False)
    with pytest.raises(Procedure.DoesNotExist):
        procedure_get_for_submission(code=birth.code)
    with pytest.raises(Procedure.DoesNotExist):
        procedure_get_for_submission(code="9.999999")


@pytest.mark.parametrize("closed", ["agency_link", "agency_link_future", "unit"])
def test_an_agency_that_does_not_receive_that_day_is_refused(
    birth, ward_dian, user_named, settings, closed
):
    import datetime as dt

    from django.utils import timezone

    from tinhso.orgs.models import OrgUnit
    from tinhso.services.models import ProcedureAgency

    today = timezone.localdate()
    links = ProcedureAgency.objects.filter(procedure=birth, org_unit=ward_dian)
    assert links.exists()
    if closed == "agency_link":
        links.update(valid_from=today - dt.timedelta(days=30), valid_to=today)
    elif closed == "agency_link_future":
        links.update(valid_from=today + dt.timedelta(days=1), valid_to=None)
    else:
        OrgUnit.objects.filter(pk=ward_dian.pk).update(
            valid_from=today - dt.timedelta(days=30), valid_to=today
        )
    unit = OrgUnit.objects.get(pk=ward_dian.pk)
    required, _optional = _parts(birth)
    with pytest.raises(ValidationError) as exc:
        dossier_create_and_submit(
            user=user_named("congdan"),
            procedure=birth,
            org_unit=unit,
            form_data=BIRTH_FORM,
            files={required.pk: [upload()]},
        )
    assert "org_unit" in exc.value.message_dict
    _nothing_stored(settings)


def test_a_retry_with_the_same_idempotency_key_returns_the_first_dossier(
    client, birth, ward_dian, user_named
):
    """Issue 14 finding 9: the worker died after commit, the client retries."""
    client.force_login(user_named("congdan"))
    data = {
        "procedure_code": birth.code,
        "org_unit_id": ward_dian.pk,
        "form_json": json.dumps(BIRTH_FORM, ensure_ascii=False),
        "part_ids": ",".join(str(p.pk) for p in _parts(birth)),
    }

    def send(key):
        files = [upload(), upload("uy-quyen.png", PNG, "image/png")]
        return client.post("/api/v1/dossiers", {**data, "files": files}, HTTP_IDEMPOTENCY_KEY=key)

    first = send("lan-1-7f3a")
    assert first.status_code == 201
    again = send("lan-1-7f3a")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Dossier.objects.count() == 1
    assert DossierFile.objects.count() == 2
    # another key is another submission; the same key of another applicant is theirs
    assert send("lan-2-9c1d").status_code == 201
    assert Dossier.objects.count() == 2
    assert send("x" * 81).status_code == 422
