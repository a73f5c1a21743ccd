"""Public tracking (``GET /api/v1/dossiers/track/{number}``): the anonymous answer comes from
one statement without the ORM (``_dossier_track_public``) and is rendered by the view itself.
It must say exactly what the ORM reader and the ``TrackOut`` schema said before, in both
languages and in every state, in one query on a cache miss and none on a hit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from ninja import Router
from ninja.testing import TestClient

from tinhso.orgs.models import OrgUnit
from tinhso.services import deadlines
from tinhso.services.api import TrackOut
from tinhso.services.models import CalendarDay, Dossier, DossierEvent, Status
from tinhso.services.selectors import (
    dossier_deadline,
    dossier_track,
    track_cache_keys,
)
from tinhso.services.selectors.tracking import _dossier_track_public, _dossier_track_read
from tinhso.services.services import dossier_act

pytestmark = pytest.mark.django_db

ID_NUMBER = "074190001234"  # the demo citizen's, who applies in ``submit_birth``

# The endpoint as it was: the ORM reader's result validated and rendered by ninja through
# the documented schema. The new view must send the same bytes.
_before = Router()


@_before.get("/track/{number}", response=TrackOut)
def _track_before(request, number: str, code: str = ""):
    return _dossier_track_read(number=number.strip().upper(), code=code)


_before_client = TestClient(_before)


def _rendered_before(number: str, language: str, code: str = "") -> bytes:
    with translation.override(language):
        return _before_client.get(f"/track/{number}?code={code}").content


def _act(user, d: Dossier, code: str, **kw) -> Dossier:
    d.refresh_from_db()
    return dossier_act(user=user, dossier_id=d.pk, action_code=code, version=d.version, **kw)


@pytest.fixture
def frozen_now(monkeypatch):
    """The deadline label of an open dossier moves with the clock: both readers see one
    moment."""

    def freeze():
        moment = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


@pytest.fixture
def dossiers(submit_birth, user_named, frozen_now) -> dict[str, Dossier]:
    """One dossier per state the public page distinguishes."""
    citizen = user_named("congdan")
    officer, head = user_named("canbo.dian"), user_named("lanhdao.dian")
    now = timezone.now()
    out: dict[str, Dossier] = {}
    out["submitted"] = submit_birth()
    out["received"] = _act(officer, submit_birth(), "receive")
    d = _act(officer, _act(officer, submit_birth(), "receive"), "assign")
    Dossier.objects.filter(pk=d.pk).update(due_at=now - dt.timedelta(days=9))
    out["overdue"] = d
    d = _act(officer, _act(officer, submit_birth(), "receive"), "assign")
    out["supplement"] = _act(officer, d, "request_supplement", comment="Bổ sung giấy tờ")
    d = _act(officer, _act(officer, submit_birth(), "receive"), "assign")
    out["financial"] = _act(officer, d, "request_payment")
    for name, outcome in (("on_time", "on_time"), ("late", "late")):
        d = _act(officer, _act(officer, submit_birth(), "receive"), "assign")
        d = _act(head, _act(officer, d, "forward"), "approve")
        Dossier.objects.filter(pk=d.pk).update(outcome=outcome)
        out[name] = d
    out["returned"] = _act(officer, out["on_time"], "return_result")
    out["refused"] = _act(officer, submit_birth(), "refuse", comment="Hồ sơ không hợp lệ")
    d = _act(officer, _act(officer, _act(officer, submit_birth(), "receive"), "assign"), "forward")
    out["stopped"] = _act(head, d, "reject", comment="Không đủ điều kiện")
    out["withdrawn"] = _act(citizen, submit_birth(), "withdraw", comment="Nộp nhầm")
    # a receiving agency (not an administrative unit, whose name becomes "UBND …")
    d = _act(officer, submit_birth(), "receive")
    agency = OrgUnit.objects.filter(category=OrgUnit.Category.AGENCY).first()
    Dossier.objects.filter(pk=d.pk).update(org_unit=agency)
    out["at_agency"] = d
    # two events at the same moment keep their order of creation
    d = _act(officer, _act(officer, submit_birth(), "receive"), "assign")
    first = d.events.order_by("at", "pk").first()
    assert first is not None
    d.events.update(at=first.at)
    out["same_moment"] = d
    frozen_now()
    for d in out.values():
        d.refresh_from_db()
    return out


EXPECTED_STATUS = {
    "submitted": Status.NEW,
    "received": Status.RECEIVED,
    "overdue": Status.PROCESSING,
    "supplement": Status.SUPPLEMENT,
    "financial": Status.FINANCIAL,
    "on_time": Status.RETURNED,  # returned afterwards (its outcome stays)
    "late": Status.PROCESSED,
    "returned": Status.RETURNED,
    "refused": Status.NOT_ACCEPTED,
    "stopped": Status.STOPPED,
    "withdrawn": Status.WITHDRAWN,
    "at_agency": Status.RECEIVED,
    "same_moment": Status.PROCESSING,
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_one_statement_answers_what_the_orm_answered(dossiers, language):
    with translation.override(language):
        for name, d in dossiers.items():
            new = _dossier_track_public(number=d.number)
            old = _dossier_track_read(number=d.number, code="")
            assert new == old, name
            assert new.status == EXPECTED_STATUS[name], name
            assert new.applicant_name is None and new.form is None
            assert [s.at for s in new.steps] == sorted(s.at for s in new.steps)
            assert new.steps[-1].status == new.status_label
            for moment in (new.submitted_at, new.steps[0].at):
                assert moment.utcoffset() == dt.timedelta(0)


def test_the_answers_differ_by_state_and_language(dossiers):
    vi = {n: _dossier_track_public(number=d.number) for n, d in dossiers.items()}
    with translation.override("en"):
        en = {n: _dossier_track_public(number=d.number) for n, d in dossiers.items()}
    assert vi["late"].deadline == "Trễ hạn" and vi["on_time"].deadline == "Đúng hạn"
    assert en["late"].deadline != "Trễ hạn" and en["late"].status_label != vi["late"].status_label
    assert vi["supplement"].deadline == "Tạm dừng tính thời hạn (chờ người nộp)"
    assert vi["financial"].deadline == vi["supplement"].deadline
    assert vi["received"].deadline.startswith("Còn ")
    assert vi["overdue"].deadline.startswith("Quá hạn ")
    assert vi["submitted"].deadline == vi["refused"].deadline == vi["withdrawn"].deadline == ""
    assert vi["stopped"].deadline == ""
    assert vi["refused"].status_label == "Không được tiếp nhận"
    assert vi["received"].agency == "UBND phường Dĩ An"
    assert not vi["at_agency"].agency.startswith("UBND ")
    assert vi["at_agency"].agency == OrgUnit.objects.get(pk=dossiers["at_agency"].org_unit_id).name
    same = DossierEvent.objects.filter(dossier=dossiers["same_moment"]).order_by("pk")
    assert [s.action for s in vi["same_moment"].steps] == [e.action_name for e in same]
    assert len({s.at for s in vi["same_moment"].steps}) == 1


@pytest.mark.parametrize("language", ["vi", "en"])
def test_api_sends_what_the_schema_sent(client, dossiers, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for name, d in dossiers.items():
        r = client.get(f"/api/v1/dossiers/track/{d.number.lower()}")
        assert r.status_code == 200, name
        assert r["Content-Type"] == "application/json; charset=utf-8"
        assert r.content == _rendered_before(d.number, language), name
        body = r.json()
        assert list(body) == list(TrackOut.model_fields)
        assert body["applicant_name"] is None and "form" not in body
        # served again from the cache: the same bytes
        assert client.get(f"/api/v1/dossiers/track/{d.number}").content == r.content


def test_miss_is_one_query_and_hit_none(client, dossiers, django_assert_num_queries):
    for name in ("received", "late", "supplement", "same_moment"):  # with and without calendar
        url = f"/api/v1/dossiers/track/{dossiers[name].number}"
        with django_assert_num_queries(1):
            miss = client.get(url)
        with django_assert_num_queries(0):
            hit = client.get(url)
        assert miss.status_code == hit.status_code == 200 and miss.content == hit.content
        assert cache.get(track_cache_keys(dossiers[name].number)[0]) is not None
    # the other language has its own key: one query again, then none
    number = dossiers["received"].number
    vi = client.get(f"/api/v1/dossiers/track/{number}").json()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_assert_num_queries(1):
        en = client.get(f"/api/v1/dossiers/track/{number}").json()
    with django_assert_num_queries(0):
        assert client.get(f"/api/v1/dossiers/track/{number}").json() == en
    assert en["steps"][-1]["status"] == en["status_label"] != vi["status_label"]


def test_calendar_entries_come_with_the_dossier(dossiers, django_assert_num_queries):
    d = dossiers["received"]
    now = timezone.now()
    Dossier.objects.filter(pk=d.pk).update(due_at=now + dt.timedelta(days=14))
    plain = _dossier_track_public(number=d.number).deadline
    today = timezone.localdate()
    CalendarDay.objects.bulk_create(
        CalendarDay(day=today + dt.timedelta(days=i), kind=CalendarDay.Kind.OFF)
        for i in range(1, 10)
    )
    with django_assert_num_queries(1):
        shorter = _dossier_track_public(number=d.number)
    assert shorter == _dossier_track_read(number=d.number, code="")
    assert shorter.deadline != plain
    d.refresh_from_db()
    assert shorter.deadline == dossier_deadline(dossier=d, cal=deadlines.calendar_load()).label
    assert plain == dossier_deadline(dossier=d, cal=deadlines.WorkCalendar()).label
    # a changed calendar is read again (the parsed calendar is kept per content only)
    CalendarDay.objects.all().delete()
    assert _dossier_track_public(number=d.number).deadline == plain
    # closed dossiers do not need the calendar: still one query
    with django_assert_num_queries(1):
        _dossier_track_public(number=dossiers["late"].number)


def test_drafts_and_unknown_numbers_are_not_found(client, dossiers, django_assert_num_queries):
    d = dossiers["submitted"]
    Dossier.objects.filter(pk=d.pk).update(status=Status.DRAFT)
    for number in (d.number, "25942-000000-9999", "KHONG-CO"):
        with django_assert_num_queries(1):
            r = client.get(f"/api/v1/dossiers/track/{number}")
        assert r.status_code == 404 and r.json()["code"] == "dossier_not_found"
        assert _dossier_track_public(number=number) is None
        assert _dossier_track_read(number=number, code="") is None
        assert all(cache.get(k) is None for k in track_cache_keys(number))  # not cached
    with django_assert_num_queries(0):  # not even asked
        assert client.get(f"/api/v1/dossiers/track/{'X' * 61}").status_code == 404
    assert (
        client.get(f"/api/v1/dossiers/track/{d.number}?code={d.tracking_code}").status_code == 404
    )


def test_personal_details_only_with_the_matching_tracking_code(client, dossiers):
    d = dossiers["received"]
    d.refresh_from_db()
    code = d.tracking_code
    url = f"/api/v1/dossiers/track/{d.number}"
    # the applicant's ID number is guessable: it reveals nothing (issue 14, finding 3)
    assert client.get(url, {"code": ID_NUMBER}).json()["applicant_name"] is None
    mine = client.get(url, {"code": code})
    assert mine.status_code == 200 and mine.json()["applicant_name"] == "Nguyễn Thị Hoa"
    assert mine.content == _rendered_before(d.number, "vi", code)
    assert all(cache.get(k) is None for k in track_cache_keys(d.number))  # never cached
    wrong = client.get(url, {"code": "000000000000"})
    assert wrong.json()["applicant_name"] is None
    public = client.get(url)
    assert public.json()["applicant_name"] is None
    assert json.loads(mine.content) | {"applicant_name": None} == public.json()
    # the cached public answer does not answer the personal question
    assert client.get(url, {"code": code}).json()["applicant_name"] == "Nguyễn Thị Hoa"
    personal = dossier_track(number=d.number, code=code)
    assert personal.form and personal.applicant_name == "Nguyễn Thị Hoa"


def test_the_schema_stays_documented(client):
    op = client.get("/api/openapi.json").json()["paths"]["/api/v1/dossiers/track/{number}"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/TrackOut")
    assert {p["name"] for p in op["parameters"]} == {"number", "code"}


def test_the_page_and_the_api_give_the_same_answer(client, submit_birth, user_named):
    """One shape (``track_answer``): the page renders the very dict the API sends, with and
    without the tracking code; the e-form's rows are the page's alone."""
    from ninja.renderers import JSONRenderer

    officer = user_named("canbo.dian")
    d = _act(officer, submit_birth(), "receive")
    for code in ("", d.tracking_code):
        page = client.get("/dich-vu-cong/tra-cuu/", {"so": d.number, "ma": code})
        api = client.get(f"/api/v1/dossiers/track/{d.number}", {"code": code})
        assert page.status_code == api.status_code == 200
        answer = page.context["result"]
        assert json.loads(JSONRenderer().render(None, answer, response_status=200)) == api.json()
        assert list(answer) == list(TrackOut.model_fields)
        assert (answer["applicant_name"] is not None) == bool(code)
        assert bool(page.context["form_rows"]) == bool(code)
        assert "form" not in api.json()


def test_tracking_cache_keys_are_safe_for_any_input(client, dossiers, monkeypatch):
    """The number is the public's input: the cache key holds its hash, never the text, and
    a number that cannot be one is neither looked up in the cache nor stored there (no
    ``CacheKeyWarning``: such a key would fail on memcached)."""
    import warnings

    from django.core.cache.backends.base import CacheKeyWarning

    asked: list[str] = []
    get, set_ = cache.get, cache.set
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: asked.append(key) or get(key, *a, **k))
    monkeypatch.setattr(cache, "set", lambda key, *a, **k: asked.append(key) or set_(key, *a, **k))
    odd = ("USER-AGENT: *", "số hồ sơ", "25942 260105 0001", "x/../ y")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        for number in odd:
            assert client.get("/api/v1/dossiers/track/" + number).status_code == 404
            assert dossier_track(number=number) is None
        assert dossier_track(number="ABC\tD") is None
        assert not [k for k in asked if k.startswith("services:track:")]
        # a real number is cached under its hash
        number = dossiers["submitted"].number
        assert client.get(f"/api/v1/dossiers/track/{number}").status_code == 200
    keys = [k for k in asked if k.startswith("services:track:")]
    assert keys and all(number not in k and k.isascii() and " " not in k for k in keys)
    assert set(keys) <= set(track_cache_keys(number))
    assert cache.get(track_cache_keys(number)[0]) is not None
