"""The procedure studio in Chromium (issue 16): an administrator builds a form with a
condition and a repeating block, previews it on a phone, publishes; the citizen submits;
a second revision is published; the first dossier still shows the first revision."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tinhso.testing import axe_violations, browser_login

from .conftest import PDF

CODE = "1.001193"  # Thủ tục đăng ký khai sinh (demo catalogue)


@pytest.fixture
def studio_data(demo_users: Any) -> None:
    import io

    from tinhso.services.demo import demo_load

    demo_load(stdout=io.StringIO())


def _post(page: Any, button: Any, message: str) -> None:
    button.click()
    page.get_by_text(message).first.wait_for()


def _add(page: Any, kind: str, label: str, parent: str = "") -> None:
    page.select_option("#id_kind", kind)
    page.fill("#id_label", label)
    if parent:
        page.select_option("#id_parent", parent)
    _post(
        page,
        page.get_by_role("button", name="Thêm trường", exact=True),
        f"Đã thêm trường “{label}”.",
    )


def _settings(page: Any, name: str) -> Any:
    row = page.locator(f"#f-{name}")
    row.locator("> details > summary").click()
    return row.locator("> details")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_studio_journey(browser_page: Any, studio_data: Any, tmp_path: Any) -> None:
    from tinhso.services.models import DocumentPart, Dossier

    page = browser_page
    attachment = tmp_path / "giay-chung-sinh.pdf"
    attachment.write_bytes(PDF)
    required = list(
        DocumentPart.objects.filter(procedure__code=CODE, required=True).values_list(
            "pk", flat=True
        )
    )
    editor = f"{page.base_url}/dich-vu-cong/studio/{CODE}/"

    # 1. the DX office builds the form: a yes/no, a repeating block shown when "yes"
    browser_login(page, "vanphong.cds")
    page.goto(editor)
    _post(page, page.get_by_role("button", name="Tạo bản nháp"), "Đang soạn bản nháp")
    _add(page, "yesno", "Có anh chị em ruột")
    _add(page, "repeat", "Anh chị em ruột")
    _add(page, "text", "Họ tên anh chị em", parent="anh_chi_em_ruot")
    box = _settings(page, "anh_chi_em_ruot")
    box.locator("select[name$=show_if_field]").select_option("co_anh_chi_em_ruot")
    box.locator("input[name$=show_if_equals]").fill("yes")
    box.locator("input[name$=-required]").uncheck()
    _post(page, box.get_by_role("button", name="Lưu trường"), "Đã lưu trường.")
    for i, pk in enumerate(required):
        _add(page, "upload", f"Giấy tờ bắt buộc {i + 1}")
        box = _settings(page, f"giay_to_bat_buoc_{i + 1}")
        box.locator("select[name$=-part]").select_option(str(pk))
        _post(page, box.get_by_role("button", name="Lưu trường"), "Đã lưu trường.")
    page.fill("#id_title", "Trích lục khai sinh")
    page.fill("#id_body", "Trẻ {ho_ten_tre}, sinh ngày {ngay_sinh}.")
    _post(page, page.get_by_role("button", name="Lưu mẫu kết quả"), "Đã lưu mẫu kết quả.")
    assert axe_violations(page) == []

    # 2. the live preview on a phone: the block appears only when "Có" is chosen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(editor + "xem-truoc/")
    block = page.locator("fieldset.studio-repeat")
    assert block.is_hidden()
    page.get_by_label("Có", exact=True).check()
    assert block.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    # 3. publish
    page.goto(editor)
    page.fill("#id_note", "Thêm anh chị em ruột")
    _post(page, page.get_by_role("button", name="Công bố phiên bản này"), "Đã công bố phiên bản 1.")
    assert "Thêm" in page.content() and "Anh chị em ruột" in page.content()

    # 4. the citizen submits against it
    page.context.clear_cookies()
    browser_login(page, "congdan")
    page.goto(f"{page.base_url}/dich-vu-cong/thu-tuc/{CODE}/nop/")
    page.select_option("#id_org_unit", label="UBND phường Dĩ An")
    page.fill("#id_f_ho_ten_tre", "Nguyễn Minh Khang")
    page.fill("#id_f_ngay_sinh", "2026-01-05")
    page.select_option("#id_f_gioi_tinh", "Nam")
    page.fill("#id_f_noi_sinh", "Bệnh viện Quân đoàn 4, Dĩ An")
    page.fill("#id_f_ho_ten_me", "Nguyễn Thị Hoa")
    page.select_option("#id_f_quan_he", "Mẹ")
    page.get_by_label("Có", exact=True).check()
    page.fill("#id_f_anh_chi_em_ruot__0__ho_ten_anh_chi_em", "Nguyễn Minh An")
    for pk in required:
        page.set_input_files(f"#id_part_{pk}", str(attachment))
    page.get_by_role("button", name="Tiếp tục: xem lại hồ sơ").click()
    page.wait_for_url("**/xem-lai/")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/\d+/$"))
    first_url = page.url
    assert "Họ tên anh chị em: Nguyễn Minh An" in page.content()
    dossier = Dossier.objects.get(applicant__username="congdan", procedure__code=CODE)
    assert dossier.form_revision is not None and dossier.form_revision.number == 1

    # 5. a second revision renames a field
    page.context.clear_cookies()
    browser_login(page, "vanphong.cds")
    page.goto(editor)
    _post(page, page.get_by_role("button", name="Tạo bản nháp"), "Đang soạn bản nháp phiên bản 2")
    box = _settings(page, "ho_ten_tre")
    box.locator("input[name$=-label]").fill("Họ và tên khai sinh của trẻ")
    _post(page, box.get_by_role("button", name="Lưu trường"), "Đã lưu trường.")
    _post(page, page.get_by_role("button", name="Công bố phiên bản này"), "Đã công bố phiên bản 2.")
    assert "Họ và tên khai sinh của trẻ" in page.content()  # the diff page

    # 6. the first dossier still shows the first revision
    page.context.clear_cookies()
    browser_login(page, "congdan")
    page.goto(first_url)
    content = page.content()
    assert "Họ, chữ đệm và tên của trẻ" in content
    assert "Họ và tên khai sinh của trẻ" not in content


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_studio_steps_tab(browser_page: Any, studio_data: Any) -> None:
    """The "Quy trình" tab: the DX office adds a step, sets the shares, the page passes axe."""
    from tinhso.services.models import FormRevision

    page = browser_page
    browser_login(page, "vanphong.cds")
    page.goto(f"{page.base_url}/dich-vu-cong/studio/{CODE}/")
    _post(page, page.get_by_role("button", name="Tạo bản nháp"), "Đang soạn bản nháp")
    page.get_by_role("link", name="Quy trình", exact=True).click()
    page.get_by_role("heading", name="Các bước", exact=True).wait_for()
    page.select_option("#id_kind", "process")
    page.fill("#id_name", "Xác minh tại nơi cư trú")
    page.select_option("#id_role", "officer")
    page.fill("#id_share", "20")
    _post(page, page.get_by_role("button", name="Thêm bước"), "Đã thêm bước")
    assert "hiện là 120%" in page.content()
    row = page.locator("#b-1")
    row.locator("summary").click()
    row.locator("input[name=b1-share]").fill("40")
    _post(page, row.get_by_role("button", name="Lưu bước"), "Đã lưu bước.")
    page.get_by_text("Các bước hợp lệ.").wait_for()
    page.get_by_role("button", name="Đưa bước “Xác minh tại nơi cư trú” lên").click()
    page.locator("#b-1", has_text="Xác minh tại nơi cư trú").wait_for()
    assert axe_violations(page) == []
    draft = FormRevision.objects.get(procedure__code=CODE, state="draft")
    assert [s["share"] for s in draft.steps or []] == [10, 20, 40, 20, 10]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_conditional_upload_shown_and_hidden(browser_page: Any, studio_data: Any) -> None:
    """An upload with a condition: the DX office sets it in the editor; on the form it
    appears only when "Có" is chosen (the page's own script, no inline script)."""
    from tinhso.accounts.models import User
    from tinhso.services.models import DocumentPart, Procedure
    from tinhso.services.studio import services as studio

    page = browser_page
    admin = User.objects.get(username="vanphong.cds")
    procedure = Procedure.objects.get(code=CODE)
    draft = studio.revision_draft_get_or_create(user=admin, procedure=procedure)
    part = DocumentPart.objects.create(
        procedure=procedure, name="Giấy chứng nhận kết hôn của cha mẹ", required=True
    )
    studio.revision_field_add(
        user=admin, revision_id=draft.pk, kind="yesno", label="Cha mẹ đã đăng ký kết hôn"
    )
    studio.revision_field_add(
        user=admin, revision_id=draft.pk, kind="upload", label="Giấy chứng nhận kết hôn"
    )
    browser_login(page, "vanphong.cds")
    editor = f"{page.base_url}/dich-vu-cong/studio/{CODE}/"
    page.goto(editor)
    box = _settings(page, "giay_chung_nhan_ket_hon")
    box.locator("select[name$=-part]").select_option(str(part.pk))
    box.locator("select[name$=show_if_field]").select_option("cha_me_da_dang_ky_ket_hon")
    box.locator("input[name$=show_if_equals]").fill("yes")
    _post(page, box.get_by_role("button", name="Lưu trường"), "Đã lưu trường.")
    assert "hiện khi cha_me_da_dang_ky_ket_hon = yes" in page.content()
    page.goto(editor + "xem-truoc/")
    upload = page.locator(f"#id_part_{part.pk}")
    assert upload.is_hidden()
    group = page.get_by_role("group", name="Cha mẹ đã đăng ký kết hôn")
    group.get_by_label("Có", exact=True).check()
    assert upload.is_visible()
    assert axe_violations(page) == []
    group.get_by_label("Không", exact=True).check()
    assert upload.is_hidden()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_applicant_adds_and_removes_rows(
    browser_page: Any, studio_data: Any, tmp_path: Any
) -> None:
    """A repeating block: one row at first; "Thêm dòng" adds labelled rows up to the
    maximum, "Xóa dòng" removes one; the dossier keeps the rows filled in."""
    from tinhso.accounts.models import User
    from tinhso.services.models import DocumentPart, Dossier, Procedure
    from tinhso.services.studio import services as studio
    from tinhso.services.tests.test_studio import _build

    page = browser_page
    admin = User.objects.get(username="vanphong.cds")
    procedure = Procedure.objects.get(code=CODE)
    draft = _build(admin, procedure)
    studio.revision_field_update(
        user=admin, revision_id=draft.pk, name="anh_chi_em", values={"min_items": 1}
    )
    studio.revision_publish(user=admin, revision_id=draft.pk)
    attachment = tmp_path / "giay-chung-sinh.pdf"
    attachment.write_bytes(PDF)
    browser_login(page, "congdan")
    page.goto(f"{page.base_url}/dich-vu-cong/thu-tuc/{CODE}/nop/")
    page.select_option("#id_org_unit", label="UBND phường Dĩ An")
    page.fill("#id_f_ho_ten_tre", "Nguyễn Minh Khang")
    page.get_by_label("Có", exact=True).check()
    block = page.locator("fieldset.studio-repeat")
    rows = block.locator(".studio-rows > [data-row]")
    assert rows.count() == 1
    add = block.get_by_role("button", name="Thêm dòng vào “Anh chị em”")
    add.click()
    add.click()
    assert rows.count() == 3 and add.is_hidden()  # the maximum
    assert page.evaluate("document.activeElement.id") == "id_f_anh_chi_em__2__ho_ten"
    assert page.get_by_label("Họ tên (dòng 3)").count() == 1
    assert axe_violations(page) == []
    block.get_by_role("button", name="Xóa dòng 2 của “Anh chị em”").click()
    assert rows.count() == 2 and add.is_visible()
    page.fill("#id_f_anh_chi_em__0__ho_ten", "Nguyễn Minh An")
    page.fill("#id_f_anh_chi_em__2__ho_ten", "Nguyễn Minh Châu")
    for pk in DocumentPart.objects.filter(procedure=procedure, required=True).values_list(
        "pk", flat=True
    ):
        page.set_input_files(f"#id_part_{pk}", str(attachment))
    page.get_by_role("button", name="Tiếp tục: xem lại hồ sơ").click()
    page.wait_for_url("**/xem-lai/")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/\d+/$"))
    dossier = Dossier.objects.get(applicant__username="congdan", procedure__code=CODE)
    assert [r["ho_ten"] for r in dossier.form_data["anh_chi_em"]] == [
        "Nguyễn Minh An",
        "Nguyễn Minh Châu",
    ]
