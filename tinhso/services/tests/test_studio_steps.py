"""The processing steps edited in the studio (issue 16, leftover 1): a draft's steps,
their checks, publishing them as the procedure's process, and dossiers already started
keeping the steps they started with."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.audit.models import AuditEntry
from tinhso.services.models import ActorRole, Dossier, FormRevision, ProcessAction
from tinhso.services.studio import services as studio
from tinhso.services.studio import steps as st
from tinhso.services.tests.test_studio import _build
from tinhso.services.workflow import procedure_process, process_validate

pytestmark = pytest.mark.django_db


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def test_default_stages_compile_to_a_valid_graph() -> None:
    steps, actions = st.stages_compile(st.default_stages())
    assert st.graph_errors(steps, actions) == []
    codes = {(a[0], a[2], a[3]) for a in actions}
    # the codes the services rely on: receive, assign, forward, approve, return, fees
    for need in [
        ("receive", "new", "received"),
        ("assign", "received", "processing"),
        ("forward", "processing", "approval"),
        ("approve", "approval", "done"),
        ("return_result", "done", "returned"),
        ("request_fee", "received", "payment_receipt"),
        ("supplement", "supplement", "processing"),
    ]:
        assert need in codes
    # two processing stages, no approval: still a valid graph, "finish" into the result
    stages = [
        st.stage_blank(kind=st.RECEIVE, share=10),
        st.stage_blank(kind=st.PROCESS, name="Thẩm định", share=40),
        st.stage_blank(kind=st.PROCESS, name="Xác minh", share=40),
        st.stage_blank(kind=st.RETURN, share=10),
    ]
    steps, actions = st.stages_compile(stages)
    assert st.graph_errors(steps, actions) == []
    assert ("finish", "processing-2", "done") in {(a[0], a[2], a[3]) for a in actions}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s[1].update(share=50), "phải bằng 100%"),
        (lambda s: s.pop(0), "bắt đầu bằng đúng một bước tiếp nhận"),
        (lambda s: s.pop(), "kết thúc bằng đúng một bước trả kết quả"),
        (lambda s: s.pop(2) and s[1].update(share=80), "cần một bước phê duyệt, ký số"),
        (lambda s: s[2].update(role=ActorRole.OFFICER), "do lãnh đạo đơn vị thực hiện"),
        (lambda s: s.insert(1, s.pop(2)), "ngay trước bước trả kết quả"),
        (lambda s: s[1].update(name=" "), "cần tên bước"),
    ],
)
def test_stage_checks(change, message) -> None:
    stages = st.default_stages()
    assert st.stage_errors(stages, signed=True) == []
    change(stages)
    assert any(message in e for e in st.stage_errors(stages, signed=True))


def test_unsigned_result_needs_no_approval_step() -> None:
    stages = st.default_stages()
    stages.pop(2)
    stages[1]["share"] = 80
    assert st.stage_errors(stages, signed=False) == []


def _submit(birth, user_named, ward_dian) -> Dossier:
    from tinhso.services.services import dossier_draft_create, dossier_submit
    from tinhso.services.tests.conftest import upload

    citizen = user_named("congdan")
    draft = dossier_draft_create(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data={"ho_ten_tre": "Nguyễn An", "co_anh_chi_em": "no"},
        files={p.pk: [upload()] for p in birth.parts.filter(required=True)},
    )
    return dossier_submit(user=citizen, dossier_id=draft.pk)


def test_draft_steps_edited_published_and_used_by_new_dossiers(
    birth, user_named, ward_dian
) -> None:
    def submit_birth() -> Dossier:
        return _submit(birth, user_named, ward_dian)

    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    first = studio.revision_publish(user=admin, revision_id=draft.pk)
    assert first.process is None  # steps not edited: the procedure keeps its process
    old_process = procedure_process(procedure=birth)
    d1 = submit_birth()
    assert d1.process == old_process

    draft = studio.revision_draft_get_or_create(user=admin, procedure=birth)
    # until edited, the draft shows the process the procedure follows
    assert [s["kind"] for s in st.revision_stages(revision=draft)] == [
        "receive",
        "process",
        "approve",
        "return",
    ]
    st.revision_stage_add(
        user=admin,
        revision_id=draft.pk,
        kind=st.PROCESS,
        values={"name": "Xác minh tại nơi cư trú", "role": "officer", "share": 20},
    )
    st.revision_stage_update(
        user=admin, revision_id=draft.pk, index=1, values={"share": 40, "name": "Thẩm định"}
    )
    st.revision_stage_move(user=admin, revision_id=draft.pk, index=2, offset=-1)
    draft.refresh_from_db()
    assert [s["name"] for s in draft.steps or []][1:3] == ["Xác minh tại nơi cư trú", "Thẩm định"]
    assert AuditEntry.objects.filter(action="services.studio_step_add").count() == 1
    moved = AuditEntry.objects.get(action="services.studio_step_move")
    assert moved.changes["before"]["steps"][1]["name"] == "Thẩm định"
    # a wrong share is refused, nothing changed
    with pytest.raises(ValidationError) as exc:
        st.revision_stage_update(user=admin, revision_id=draft.pk, index=1, values={"share": 101})
    assert "số nguyên từ 0 đến 100" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        st.revision_stage_remove(user=admin, revision_id=draft.pk, index=0)
    assert "bước tiếp nhận" in _messages(exc)
    with pytest.raises(ValidationError):
        st.revision_stage_move(user=admin, revision_id=draft.pk, index=1, offset=-1)
    with pytest.raises(PermissionDenied):
        st.revision_stage_remove(user=user_named("congdan"), revision_id=draft.pk, index=1)

    second = studio.revision_publish(user=admin, revision_id=draft.pk, note="Thêm xác minh")
    birth.refresh_from_db()
    assert second.process is not None and birth.process == second.process
    assert process_validate(process=second.process) == []
    names = list(second.process.steps.order_by("order").values_list("name", "time_share"))
    assert ("Xác minh tại nơi cư trú", 20) in names and ("Thẩm định", 40) in names
    assert AuditEntry.objects.filter(action="services.studio_process_publish").exists()
    # new dossiers follow the published steps; the first keeps the process it started with
    d2 = submit_birth()
    assert d2.process == second.process
    d1.refresh_from_db()
    assert d1.process == old_process
    assert Dossier.objects.filter(process=old_process).count() == 1
    # the edited process is reached from "received": the first processing stage
    assign = ProcessAction.objects.get(process=second.process, code="assign")
    assert assign.to_step.name == "Xác minh tại nơi cư trú"
    # a published revision's steps cannot be edited
    with pytest.raises(ValidationError):
        st.revision_stage_update(user=admin, revision_id=second.pk, index=1, values={"share": 1})


def test_publish_refuses_bad_steps(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    st.revision_stage_update(user=admin, revision_id=draft.pk, index=1, values={"share": 10})
    with pytest.raises(ValidationError) as exc:
        studio.revision_publish(user=admin, revision_id=draft.pk)
    assert "phải bằng 100% (hiện là 50%)" in _messages(exc)
    draft.refresh_from_db()
    assert draft.state == FormRevision.State.DRAFT and draft.process is None
    before = birth.process_id
    birth.refresh_from_db()
    assert birth.process_id == before
    # dropping the edits: the revision keeps the current process, and publishes
    st.revision_stages_reset(user=admin, revision_id=draft.pk)
    draft.refresh_from_db()
    assert draft.steps is None
    studio.revision_publish(user=admin, revision_id=draft.pk)


def test_steps_page(client, birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    client.force_login(admin)
    url = f"/dich-vu-cong/studio/{birth.code}/cac-buoc/"
    page = client.get(url).content.decode()
    assert "Quy trình xử lý" in page and "Các bước hợp lệ." in page
    r = client.post(
        url,
        {"op": "add", "kind": "process", "name": "Lấy ý kiến", "role": "head", "share": "5"},
        follow=True,
    )
    body = r.content.decode()
    assert "Đã thêm bước “Lấy ý kiến”." in body
    assert "hiện là 105%" in body
    r = client.post(
        url,
        {
            "op": "save",
            "index": "1",
            "b1-name": "Thẩm định",
            "b1-role": "officer",
            "b1-share": "55",
        },
        follow=True,
    )
    assert "Các bước hợp lệ." in r.content.decode()
    draft.refresh_from_db()
    assert [s["share"] for s in draft.steps or []] == [10, 55, 5, 20, 10]
    r = client.post(
        url,
        {"op": "save", "index": "1", "b1-name": "", "b1-role": "x", "b1-share": "200"},
        follow=True,
    )
    assert "Tên bước" in r.content.decode()
    draft.refresh_from_db()
    assert (draft.steps or [])[1]["name"] == "Thẩm định"
    # the revision page shows the steps published with it
    published = studio.revision_publish(user=admin, revision_id=draft.pk)
    page = client.get(f"/dich-vu-cong/studio/{birth.code}/phien-ban/{published.number}/")
    text = page.content.decode()
    assert "Lấy ý kiến · Xử lý, thẩm định · Lãnh đạo đơn vị · 5%" in text
    assert published.process is not None and published.process.code in text
    client.force_login(user_named("congdan"))
    assert client.get(url).status_code == 403


def test_admin_does_not_edit_a_process_published_with_a_revision(client, birth, user_named) -> None:
    admin_client = client
    admin_client.force_login(user_named("admin"))  # the demo's platform superuser
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    st.revision_stage_update(user=admin, revision_id=draft.pk, index=1, values={"name": "Xét"})
    published = studio.revision_publish(user=admin, revision_id=draft.pk)
    assert published.process is not None
    url = f"/admin/services/process/{published.process.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="_save"' not in page  # shown read-only
    before = list(published.process.steps.values_list("name", flat=True))
    r = admin_client.post(url, {"name": "Đổi trong trang quản trị", "code": "x"})
    assert r.status_code == 403
    assert list(published.process.steps.values_list("name", flat=True)) == before
    # a process not published with a revision stays editable there
    other = procedure_process(procedure=birth.__class__.objects.exclude(pk=birth.pk).first())
    assert (
        'name="_save"'
        in admin_client.get(f"/admin/services/process/{other.pk}/change/").content.decode()
    )
