"""Demo feedback at different states (idempotent): ``congdan``'s feedback about one of
their dossiers, answered by Dĩ An on time, published and rated; a business's petition in
handling at Dĩ An (overdue); one awaiting the head's approval; an anonymous one waiting at
the receiving office; one closed outside the province's competence."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.feedback.models import Feedback
from tinhso.feedback.selectors import feedback_office
from tinhso.feedback.services import (
    FeedbackInput,
    feedback_approve,
    feedback_close,
    feedback_draft_answer,
    feedback_forward,
    feedback_rate,
    feedback_submit,
)
from tinhso.orgs.models import OrgUnit
from tinhso.services import deadlines
from tinhso.services.models import Dossier, Procedure

DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BIRTH = "1.001193"


def _working_days_ago(days: int, now: dt.datetime) -> dt.datetime:
    cal = deadlines.calendar_load()
    day = timezone.localtime(now, deadlines.TZ).date()
    while days > 0:
        day -= dt.timedelta(days=1)
        if cal.is_working_day(day):
            days -= 1
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=deadlines.TZ)


def _citizen_dossier(user: User, unit: OrgUnit) -> Dossier | None:
    """One of ``congdan``'s dossiers at Phường Dĩ An (a birth registration, sent now)."""
    from tinhso.services.services import dossier_draft_create, dossier_submit

    existing = Dossier.objects.filter(applicant=user, number__isnull=False).first()
    if existing is not None:
        return existing
    proc = Procedure.objects.filter(code=BIRTH).first()
    if proc is None:
        return None
    part = proc.parts.filter(required=True).first()
    files = {part.pk: [SimpleUploadedFile("giay-chung-sinh.pdf", DEMO_PDF)]} if part else {}
    draft = dossier_draft_create(
        user=user,
        procedure=proc,
        org_unit=unit,
        form_data={
            "ho_ten_tre": "Nguyễn Minh Khang",
            "ngay_sinh": "2026-01-05",
            "gioi_tinh": "Nam",
            "noi_sinh": "Bệnh viện Quân đoàn 4, Dĩ An",
            "ho_ten_me": "Nguyễn Thị Hoa",
            "quan_he": "Mẹ",
        },
        files=files,
    )
    return dossier_submit(user=user, dossier_id=draft.pk)


def demo_load(*, stdout: TextIO | None = None) -> None:
    if Feedback.objects.filter(is_demo=True).exists():
        return
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["congdan", "doanhnghiep", "vanphong.cds", "canbo.dian", "lanhdao.dian"]
        )
    }
    if len(users) < 5:
        return
    dian = OrgUnit.objects.filter(code="724", valid_to__isnull=True).first()
    ward = OrgUnit.objects.filter(code="25942", valid_to__isnull=True).first()
    if dian is None or ward is None:
        return
    office, officer, head = users["vanphong.cds"], users["canbo.dian"], users["lanhdao.dian"]
    now = timezone.now()
    made: list[Feedback] = []
    proc = Procedure.objects.filter(code=BIRTH).first()

    # 1. congdan, about their dossier: forwarded, answered on time, published, rated
    dossier = _citizen_dossier(users["congdan"], ward)
    start = _working_days_ago(12, now)
    fb, _code = feedback_submit(
        user=users["congdan"],
        data=FeedbackInput(
            category="dossier",
            subject="Hồ sơ khai sinh bị yêu cầu nộp thêm bản sao sổ hộ khẩu",
            text=(
                "Khi nộp hồ sơ đăng ký khai sinh cho con, tôi được yêu cầu nộp thêm bản sao "
                "sổ hộ khẩu. Liên hệ: 0912345678."
            ),
            publish_consent=True,
            dossier=dossier,
            procedure=proc,
        ),
        client_key="demo",
        now=start,
    )
    fb = feedback_forward(
        user=office,
        feedback_id=fb.pk,
        version=fb.version,
        org_unit=ward if dossier is None else dossier.org_unit,
        now=start + dt.timedelta(hours=2),
    )
    fb = feedback_draft_answer(
        user=officer,
        feedback_id=fb.pk,
        version=fb.version,
        answer=(
            "Từ ngày 01/01/2023 sổ hộ khẩu không còn giá trị sử dụng; cơ quan đăng ký hộ tịch "
            "khai thác thông tin cư trú từ Cơ sở dữ liệu quốc gia về dân cư. UBND đã nhắc nhở "
            "bộ phận một cửa không yêu cầu giấy tờ này."
        ),
        publish=True,
    )
    answered = _working_days_ago(5, now)
    fb = feedback_approve(user=head, feedback_id=fb.pk, version=fb.version, now=answered)
    feedback_rate(
        feedback_id=fb.pk,
        user=users["congdan"],
        rating="satisfied",
        now=answered + dt.timedelta(hours=3),
    )
    made.append(fb)

    # 2. a business's petition about a procedure, in handling at Dĩ An, overdue
    fb, _code = feedback_submit(
        user=users["doanhnghiep"],
        data=FeedbackInput(
            category="procedure",
            subject="Đề nghị rút ngắn thời hạn giải quyết",
            text="Đề nghị rút ngắn thời hạn giải quyết thủ tục cho doanh nghiệp.",
            procedure=proc,
            org_unit=dian,
        ),
        client_key="demo",
        now=_working_days_ago(17, now),
    )
    made.append(
        feedback_forward(
            user=office,
            feedback_id=fb.pk,
            version=fb.version,
            org_unit=dian,
            now=_working_days_ago(16, now),
        )
    )

    # 3. awaiting the head's approval
    fb, _code = feedback_submit(
        user=users["congdan"],
        data=FeedbackInput(
            category="conduct",
            subject="Cán bộ hướng dẫn tận tình",
            text="Tôi muốn cảm ơn cán bộ bộ phận một cửa đã hướng dẫn tận tình.",
            org_unit=dian,
        ),
        client_key="demo",
        now=_working_days_ago(3, now),
    )
    fb = feedback_forward(user=office, feedback_id=fb.pk, version=fb.version, org_unit=dian)
    made.append(
        feedback_draft_answer(
            user=officer, feedback_id=fb.pk, version=fb.version, answer="Cảm ơn ông/bà đã ghi nhận."
        )
    )

    # 4. anonymous, waiting at the receiving office
    fb, _code = feedback_submit(
        user=None,
        data=FeedbackInput(
            category="platform",
            subject="Trang tra cứu hồ sơ tải chậm",
            text="Buổi sáng trang tra cứu hồ sơ tải rất chậm.",
            name="Lê Văn Tư",
            email="levantu@example.vn",
        ),
        client_key="demo-anonymous",
        now=_working_days_ago(1, now),
    )
    made.append(fb)

    # 5. outside the province's competence: closed with a reason
    fb, _code = feedback_submit(
        user=None,
        data=FeedbackInput(
            category="other",
            subject="Cấp hộ chiếu phổ thông",
            text="Hộ chiếu của tôi đã quá hạn cấp.",
            name="Trần Thị Năm",
            phone="0987654321",
        ),
        client_key="demo-anonymous",
        now=_working_days_ago(8, now),
    )
    made.append(
        feedback_close(
            user=office,
            feedback_id=fb.pk,
            version=fb.version,
            reason="Thuộc thẩm quyền của Cục Quản lý xuất nhập cảnh (Bộ Công an).",
            now=_working_days_ago(7, now),
        )
    )
    Feedback.objects.filter(pk__in=[f.pk for f in made]).update(is_demo=True)
    if stdout:
        stdout.write(
            f"  phản ánh, kiến nghị: {len(made)} (văn phòng tiếp nhận: "
            f"{feedback_office().agency_name})\n"
        )
