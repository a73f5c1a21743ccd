"""Concurrent submissions get distinct numbers (PostgreSQL: real row locks)."""

import threading

import pytest
from django.db import connection

from tinhso.services.models import Dossier, DossierCounter

from .conftest import BIRTH_FORM, upload


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_numbers(birth, ward_dian, user_named):
    from tinhso.services.services import dossier_draft_create, dossier_submit

    user = user_named("congdan")
    part = birth.parts.filter(required=True).first()
    drafts = [
        dossier_draft_create(
            user=user,
            procedure=birth,
            org_unit=ward_dian,
            form_data=BIRTH_FORM,
            files={part.pk: [upload()]},
        )
        for _ in range(8)
    ]
    barrier = threading.Barrier(len(drafts))
    numbers, errors = [], []

    def worker(pk):
        try:
            barrier.wait()
            numbers.append(dossier_submit(user=user, dossier_id=pk).number)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(d.pk,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(numbers)) == 8
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, 9))
    assert DossierCounter.objects.get().last == 8
    assert Dossier.objects.filter(number__isnull=False).count() == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_at_once_one_wins(birth, ward_dian, user_named):
    from tinhso.services.services import (
        DossierConflict,
        dossier_act,
        dossier_draft_create,
        dossier_submit,
    )

    user = user_named("congdan")
    part = birth.parts.filter(required=True).first()
    d = dossier_submit(
        user=user,
        dossier_id=dossier_draft_create(
            user=user,
            procedure=birth,
            org_unit=ward_dian,
            form_data=BIRTH_FORM,
            files={part.pk: [upload()]},
        ).pk,
    )
    officers = [user_named("canbo.dian"), user_named("lanhdao.dian")]
    barrier = threading.Barrier(2)
    results = []

    def worker(officer, code):
        try:
            barrier.wait()
            dossier_act(
                user=officer,
                dossier_id=d.pk,
                action_code=code,
                version=d.version,
                comment="Không hợp lệ",
            )
            results.append("ok")
        except DossierConflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(officers[0], "receive")),
        threading.Thread(target=worker, args=(officers[1], "refuse")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    d.refresh_from_db()
    assert d.events.count() == 2 and d.version == 2
