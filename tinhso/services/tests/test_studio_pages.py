"""The procedure studio's pages (issue 16, parts B and C): the editor and readiness."""

from __future__ import annotations

import pytest

from tinhso.services.models import FormRevision
from tinhso.services.studio import services as studio
from tinhso.services.tests.test_studio import _build

pytestmark = pytest.mark.django_db


# --- the editor's pages (part B) -------------------------------------------------------


def test_editor_pages_build_and_publish(client, birth, user_named) -> None:
    client.force_login(user_named("vanphong.cds"))
    code = birth.code
    base = f"/dich-vu-cong/studio/{code}/"
    assert client.get("/dich-vu-cong/studio/", {"q": code}).status_code == 200
    page = client.get(base)
    assert "Tạo bản nháp" in page.content.decode()
    client.post(base)
    draft = FormRevision.objects.get(procedure=birth, state="draft")
    for f in list(draft.fields):
        client.post(f"{base}truong/{f['name']}/", {"op": "remove"})
    client.post(f"{base}them-truong/", {"kind": "yesno", "label": "Đã kết hôn"})
    client.post(f"{base}them-truong/", {"kind": "text", "label": "Tên vợ chồng"})
    r = client.post(
        f"{base}truong/ten_vo_chong/",
        {
            "op": "save",
            "ten_vo_chong-label": "Tên vợ/chồng",
            "ten_vo_chong-required": "on",
            "ten_vo_chong-show_if_field": "da_ket_hon",
            "ten_vo_chong-show_if_equals": "yes",
        },
    )
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.fields[1]["show_if"] == {"field": "da_ket_hon", "equals": "yes"}
    assert draft.fields[1]["label"] == "Tên vợ/chồng"
    # publish refused with the Vietnamese reasons shown, nothing published
    r = client.post(f"{base}cong-bo/", follow=True)
    body = r.content.decode()
    assert "Chưa công bố được biểu mẫu" in body
    assert "Thủ tục chưa có mẫu kết quả." in body
    assert not FormRevision.objects.filter(procedure=birth, state="published").exists()
    # the editor's live preview renders the citizen's form with its condition
    page = client.get(base).content.decode()
    assert 'data-show-field="f_da_ket_hon" data-show-equals="yes"' in page
    assert client.get(f"{base}xem-truoc/").status_code == 200
    # an official without the studio permission is refused
    client.force_login(user_named("canbo.dian"))
    assert client.get(base).status_code == 403


# --- readiness (part C) ----------------------------------------------------------------


def test_readiness_and_monitoring_indicator_follow_the_studio(birth, user_named, ward_dian):
    import datetime as dt

    from django.utils import timezone

    from tinhso.monitoring import rollup
    from tinhso.services.models import FormField
    from tinhso.services.studio.readiness import FULL, INFO, LACK_FORM, LACK_RESULT, readiness_list

    on = timezone.localdate()

    def level() -> tuple[str, list]:
        row = next(
            r for r in readiness_list(on=on, unit_ids=[ward_dian.pk]) if r.procedure_id == birth.pk
        )
        return row.level, [str(x) for x in row.lacks]

    FormField.objects.filter(procedure=birth).delete()  # an information-only procedure
    got, lacks = level()
    assert got == INFO
    assert str(LACK_FORM) in lacks and str(LACK_RESULT) in lacks
    share_before = rollup.full_process_share(units=[ward_dian], on=on)[ward_dian.pk]
    admin = user_named("vanphong.cds")
    studio.revision_publish(user=admin, revision_id=_build(admin, birth).pk)
    got, lacks = level()
    assert (got, lacks) == (FULL, [])
    share_after = rollup.full_process_share(units=[ward_dian], on=on)[ward_dian.pk]
    assert share_after.value > (share_before.value if share_before else 0)
    assert on > dt.date(2020, 1, 1)


def test_readiness_page(client, birth, user_named):
    client.force_login(user_named("vanphong.cds"))
    page = client.get("/dich-vu-cong/san-sang/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Chưa có mẫu kết quả điện tử" in body
    assert birth.code in body
    client.force_login(user_named("canbo.dian"))
    assert client.get("/dich-vu-cong/san-sang/").status_code == 403


def test_dx_office_takes_information_only_procedure_to_full_process(
    client, services_demo, user_named, ward_dian
):
    """The demo's path (part F): an imported, information-only procedure made
    full-process through the studio's pages; readiness and the indicator follow."""
    from django.utils import timezone

    from tinhso.monitoring import rollup
    from tinhso.services.models import Procedure, ProcedureChannel
    from tinhso.services.studio import demo
    from tinhso.services.studio.readiness import FULL, INFO, readiness_list

    demo.demo_load()
    code = "1.010041"  # Xác nhận thông tin về cư trú
    procedure = Procedure.objects.get(code=code)
    ProcedureChannel.objects.filter(procedure=procedure).update(review="")
    on = timezone.localdate()

    def level() -> str:
        rows = readiness_list(on=on, unit_ids=[ward_dian.pk])
        return next(r.level for r in rows if r.code == code)

    assert level() == INFO
    before = rollup.full_process_share(units=[ward_dian], on=on)[ward_dian.pk]
    client.force_login(user_named("vanphong.cds"))
    base = f"/dich-vu-cong/studio/{code}/"
    client.post(base)
    client.post(f"{base}them-truong/", {"kind": "text", "label": "Nội dung cần xác nhận"})
    for i, part in enumerate(procedure.parts.filter(required=True), start=1):
        client.post(f"{base}them-truong/", {"kind": "upload", "label": f"Giấy tờ {i}"})
        client.post(
            f"{base}truong/giay_to_{i}/",
            {"op": "save", f"giay_to_{i}-label": f"Giấy tờ {i}", f"giay_to_{i}-part": part.pk},
        )
    client.post(
        f"{base}mau-ket-qua/",
        {"title": "Xác nhận thông tin về cư trú", "body": "Nội dung: {noi_dung_can_xac_nhan}"},
    )
    r = client.post(f"{base}cong-bo/", follow=True)
    assert "Đã công bố phiên bản 1." in r.content.decode(), r.content.decode()[-3000:]
    assert level() == FULL
    after = rollup.full_process_share(units=[ward_dian], on=on)[ward_dian.pk]
    assert after is not None and after.value > (before.value if before else 0)
    page = client.get("/dich-vu-cong/san-sang/", {"don-vi": ward_dian.pk}).content.decode()
    assert code not in page  # no longer short of full-process there
