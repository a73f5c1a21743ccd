"""Officials' queues that lead (issue 15): the head's "Chờ tôi phê duyệt, ký số" first, with a
count, on the landing page and the queue; the queue by due date (overdue first), filtered
by "awaiting approval", searchable and showing the applicant's ID number and phone; action
buttons by weight; procedure pages that read well."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tinhso.services.models import Dossier
from tinhso.services.procedure_page import legal_basis_documents
from tinhso.services.queues import (
    AWAITING_APPROVAL,
    dossier_awaiting_my_approval,
    dossier_queue_list,
)
from tinhso.services.services import dossier_act

pytestmark = pytest.mark.django_db


def act(user, d, code, **kw):
    return dossier_act(user=user, dossier_id=d.pk, action_code=code, version=d.version, **kw)


@pytest.fixture
def waiting(submit_birth, user_named):
    """A birth registration forwarded to the Dĩ An head, and one still being processed."""
    officer = user_named("canbo.dian")
    d = act(officer, act(officer, submit_birth(), "receive"), "assign")
    forwarded = act(officer, d, "forward")
    other = act(officer, act(officer, submit_birth(), "receive"), "assign")
    return forwarded, other


def test_the_head_sees_what_waits_for_approval_and_no_one_else(waiting, user_named):
    forwarded, other = waiting
    assert list(dossier_awaiting_my_approval(user=user_named("lanhdao.dian"))) == [forwarded]
    # an officer heads no unit; another city's head sees nothing of Dĩ An
    assert not dossier_awaiting_my_approval(user=user_named("canbo.dian")).exists()
    assert not dossier_awaiting_my_approval(user=user_named("lanhdao.thuanan")).exists()
    # the queue's filter "awaiting approval"
    listed = dossier_queue_list(user=user_named("lanhdao.dian"), status=AWAITING_APPROVAL)
    assert list(listed) == [forwarded]
    assert other in dossier_queue_list(user=user_named("lanhdao.dian"))


def test_the_landing_page_and_the_queue_lead_with_the_approvals(client, waiting, user_named):
    forwarded, _other = waiting
    client.force_login(user_named("lanhdao.dian"))
    page = client.get("/trang-cua-toi/").content.decode()
    heading = page.index("Chờ tôi phê duyệt, ký số")
    assert heading < page.index("Đơn vị công tác") and heading < page.index("Hồ sơ cần xử lý")
    assert 'id="cho-phe-duyet"' in page and forwarded.number in page
    queue = client.get("/dich-vu-cong/xu-ly/").content.decode()
    assert queue.index('id="cho-phe-duyet"') < queue.index('id="queue-table"')
    assert 'class="count-badge"' in queue and ">1</span>" in queue
    filtered = client.get(f"/dich-vu-cong/xu-ly/?status={AWAITING_APPROVAL}").content.decode()
    table = filtered[filtered.index('id="queue-table"') :]
    assert forwarded.number in table and _other.number not in table
    # an officer gets no such section
    client.force_login(user_named("canbo.dian"))
    assert 'id="cho-phe-duyet"' not in client.get("/dich-vu-cong/xu-ly/").content.decode()
    assert 'id="cho-phe-duyet"' not in client.get("/trang-cua-toi/").content.decode()


def test_the_queue_sorts_overdue_first_and_undated_last(client, submit_birth, user_named):
    officer = user_named("canbo.dian")
    now = timezone.now()
    late, soon, undated = (act(officer, submit_birth(), "receive") for _ in range(3))
    Dossier.objects.filter(pk=late.pk).update(due_at=now - dt.timedelta(days=3))
    Dossier.objects.filter(pk=soon.pk).update(due_at=now + dt.timedelta(days=1))
    Dossier.objects.filter(pk=undated.pk).update(due_at=None)
    new = submit_birth()  # not received: no due date either
    order = [d.pk for d in dossier_queue_list(user=officer)]
    assert order[:2] == [late.pk, soon.pk]
    assert set(order[2:]) == {undated.pk, new.pk}


def test_the_queue_shows_and_finds_the_applicants_id_and_phone(client, submit_birth, user_named):
    citizen = user_named("congdan")
    citizen.phone = "0912345678"
    citizen.save(update_fields=["phone"])
    d = submit_birth()
    client.force_login(user_named("canbo.dian"))
    page = client.get("/dich-vu-cong/xu-ly/").content.decode()
    assert citizen.citizen_id in page and "0912345678" in page
    assert d.number in client.get("/dich-vu-cong/xu-ly/?q=0912345678").content.decode()
    found = client.get(f"/dich-vu-cong/xu-ly/?q={citizen.citizen_id}").content.decode()
    assert d.number in found
    nobody = client.get("/dich-vu-cong/xu-ly/?q=0999999999").content.decode()
    assert d.number not in nobody


def test_action_buttons_differ_by_weight(client, submit_birth, user_named):
    d = submit_birth()
    client.force_login(user_named("canbo.dian"))
    page = client.get(f"/dich-vu-cong/ho-so/{d.pk}/").content.decode()
    assert 'class="button button-primary" data-action="receive"' in page
    assert 'class="button button-destructive" data-action="refuse"' in page
    received = act(user_named("canbo.dian"), d, "receive")
    page = client.get(f"/dich-vu-cong/ho-so/{received.pk}/").content.decode()
    assert 'class="button button-secondary" data-action="request_supplement"' in page


def test_legal_bases_are_listed_document_by_document():
    text = (
        "Thông tư số 54/2025/TT-BCA ngày 01/7/2025 của Bộ trưởng Bộ Công an quy định về quy "
        "trình đăng ký cư trú.54/2025/TT-BCANghị định quy định chi tiết một số điều của Luật "
        "Cư trú154/2024/NĐ-CPLuật Cư trú 202068/2020/QH14"
    )
    docs = legal_basis_documents(text)
    assert [d.code for d in docs] == ["54/2025/TT-BCA", "154/2024/NĐ-CP", "68/2020/QH14"]
    assert docs[2].name == "Luật Cư trú 2020"
    assert legal_basis_documents("") == []
    assert [d.name for d in legal_basis_documents("Luật Hộ tịch")] == ["Luật Hộ tịch"]


def test_the_procedure_page_reads_well(client, birth):
    birth.legal_basis = "Luật Hộ tịch 201460/2014/QH13Nghị định 123/2015/NĐ-CP123/2015/NĐ-CP"
    birth.save(update_fields=["legal_basis"])
    page = client.get(f"/dich-vu-cong/thu-tuc/{birth.code}/").content.decode()
    legal = page[page.index('id="legal-basis"') :]
    legal = legal[: legal.index("</ol>")]
    assert legal.count("<li>") == 2 and "60/2014/QH13" in legal
    # agencies collapsed by district, only at the procedure's level (communes and wards)
    groups = page[page.index('id="agency-groups"') :]
    assert "<details" in groups and "<summary>" in groups
    assert "UBND phường Dĩ An" in groups and "UBND thành phố Dĩ An" not in groups
    # file limits beside the uploads, the processing time with its unit
    assert 'id="upload-limits"' in page and "10,0\xa0MB" in page
    assert "không rõ" not in page
    for c in birth.channels.all():
        assert c.time_label in page


def test_the_submission_form_offers_agencies_by_place(client, birth, user_named, submit_birth):
    submit_birth()  # congdan filed with Phường Dĩ An before: it comes first
    client.force_login(user_named("congdan"))
    page = client.get(f"/dich-vu-cong/thu-tuc/{birth.code}/nop/").content.decode()
    select = page[page.index('id="id_org_unit"') :]
    select = select[: select.index("</select>")]
    assert "<optgroup" in select and "data-searchable" in page
    assert "UBND thành phố" not in select  # commune-level procedure: no city agency
    first_group = select[select.index("<optgroup") :]
    assert first_group.index("phường Dĩ An") < first_group.index("</optgroup>")
    assert "selected>UBND phường Dĩ An" in select
    assert "tối đa 10,0\xa0MB" in page  # the upload limit
