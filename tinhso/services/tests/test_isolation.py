"""Permission isolation: officers see only their units' subtree; applicants only theirs."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tinhso.services.models import Status
from tinhso.services.selectors import (
    dossier_get_for_user,
    dossier_list_for_applicant,
    dossier_queue,
    dossier_track,
)
from tinhso.services.services import dossier_act
from tinhso.testing import files_on_both

pytestmark = pytest.mark.django_db


def test_officer_of_di_an_never_sees_thuan_an(submit_birth, ward_thuanan, user_named):
    di_an = submit_birth()
    thuan_an = submit_birth(unit=ward_thuanan)
    canbo_dian = user_named("canbo.dian")
    canbo_thuanan = user_named("canbo.thuanan")
    assert list(dossier_queue(user=canbo_dian)) == [di_an]
    assert list(dossier_queue(user=canbo_thuanan)) == [thuan_an]
    assert dossier_get_for_user(user=canbo_dian, pk=thuan_an.pk) is None
    with pytest.raises(PermissionDenied):
        dossier_act(
            user=canbo_dian, dossier_id=thuan_an.pk, action_code="receive", version=thuan_an.version
        )
    # the DX office and a department officer see no dossiers of the cities
    assert not dossier_queue(user=user_named("vanphong.cds")).exists()
    assert not dossier_queue(user=user_named("canbo.stttt")).exists()
    assert dossier_queue(user=user_named("admin")).count() == 2


def test_applicant_never_sees_anothers(submit_birth, user_named, client):
    mine = submit_birth()
    other = user_named("doanhnghiep")
    assert dossier_get_for_user(user=other, pk=mine.pk) is None
    assert not dossier_list_for_applicant(user=other).exists()
    client.force_login(other)
    assert client.get(f"/dich-vu-cong/ho-so/{mine.pk}/").status_code == 404
    f = mine.files.first()
    assert client.get(f"/dich-vu-cong/ho-so/{mine.pk}/tep/{f.pk}/").status_code == 404
    assert client.get(f"/dich-vu-cong/ho-so/{mine.pk}/giay-hen.pdf").status_code == 404
    r = client.post(
        f"/dich-vu-cong/ho-so/{mine.pk}/thao-tac/", {"action": "withdraw", "version": mine.version}
    )
    assert r.status_code == 404


@files_on_both
def test_files_served_only_to_allowed(submit_birth, user_named, client):
    d = submit_birth()
    f = d.files.first()
    url = f"/dich-vu-cong/ho-so/{d.pk}/tep/{f.pk}/"
    assert client.get(url).status_code == 302  # login first
    client.force_login(user_named("canbo.thuanan"))
    assert client.get(url).status_code == 404
    client.force_login(user_named("canbo.dian"))
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert r["Cache-Control"] == "private, no-store"


def test_public_tracking_hides_personal_data(submit_birth, user_named):
    d = submit_birth()
    dossier_act(
        user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
    )
    public = dossier_track(number=d.number)
    assert public.status_label == "Được tiếp nhận"
    assert public.applicant_name is None and public.form is None
    assert [s.action for s in public.steps] == ["Nộp hồ sơ trực tuyến", "Tiếp nhận hồ sơ"]
    wrong = dossier_track(number=d.number, code="000000000000")
    assert wrong.applicant_name is None
    # the applicant's guessable ID number reveals nothing (issue 14, finding 3)
    assert dossier_track(number=d.number, code="074190001234").applicant_name is None
    d.refresh_from_db()
    assert len(d.tracking_code) == 10
    right = dossier_track(number=d.number.lower(), code=d.tracking_code.lower())
    assert right.applicant_name == "Nguyễn Thị Hoa"
    assert ("Họ, chữ đệm và tên của trẻ", "Nguyễn Minh Khang") in right.form
    assert dossier_track(number="KHONG-CO") is None


def test_public_tracking_is_cached_and_invalidated_on_commit(
    submit_birth, user_named, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from tinhso.services.selectors import track_cache_keys

    with django_capture_on_commit_callbacks(execute=True):
        d = submit_birth()
    first = dossier_track(number=d.number)
    assert first.status == Status.NEW
    with django_assert_num_queries(0):  # served from the cache
        assert dossier_track(number=d.number.lower()) == first
    # a status change: the key is dropped when the transaction commits, not before
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        d = dossier_act(
            user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
        )
        assert cache.get(track_cache_keys(d.number)[0]) is not None
    assert callbacks
    after = dossier_track(number=d.number)
    assert after.status == Status.RECEIVED and after.status_label == "Được tiếp nhận"
    assert [s.action for s in after.steps][-1] == "Tiếp nhận hồ sơ"
    # a rolled-back change leaves the cached answer alone (no callback survives it)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        dossier_act(
            user=user_named("canbo.dian"), dossier_id=d.pk, action_code="assign", version=d.version
        )
        raise RuntimeError
    assert callbacks == []
    assert cache.get(track_cache_keys(d.number)[0]) == after


def test_public_tracking_cache_never_holds_personal_details(submit_birth):
    from django.core.cache import cache

    from tinhso.services.selectors import track_cache_keys

    d = submit_birth()
    right = dossier_track(number=d.number, code=d.tracking_code)
    assert right.applicant_name == "Nguyễn Thị Hoa"
    assert all(cache.get(k) is None for k in track_cache_keys(d.number))  # not cached
    public = dossier_track(number=d.number)
    assert public.applicant_name is None and public.form is None
    # the cached public answer does not answer a query with the ID number, nor vice versa
    again = dossier_track(number=d.number, code=d.tracking_code)
    assert again.applicant_name == "Nguyễn Thị Hoa" and again.form
    assert dossier_track(number=d.number).applicant_name is None
    assert dossier_track(number=d.number, code="000000000000").applicant_name is None


def test_public_tracking_cache_is_per_language(submit_birth):
    from django.utils import translation

    d = submit_birth()
    vi = dossier_track(number=d.number)
    with translation.override("en"):
        en = dossier_track(number=d.number)
    assert vi.status_label == "Mới đăng ký" and en.status_label != vi.status_label
    assert dossier_track(number=d.number).status_label == vi.status_label


def test_public_tracking_works_when_the_cache_is_down(submit_birth, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    d = submit_birth()
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert dossier_track(number=d.number).status == Status.NEW
