"""The receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) as a PDF, with a QR code that
links to the public tracking page."""

from __future__ import annotations

import datetime as dt
import io

import qrcode
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from tinhso.pdf import pdf_fonts_register
from tinhso.services.eform import eform_display
from tinhso.services.models import Channel, Dossier


def _fmt(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return timezone.localtime(moment).strftime("%H giờ %M, ngày %d/%m/%Y")


def _duration_label(dossier: Dossier) -> str:
    """The legal time in the unit the procedure states ("15 ngày", "3 tháng")."""
    duration = dossier.duration
    if duration is None:
        return "Không có thông tin"
    names = {"working_day": "ngày làm việc", "day": "ngày", "month": "tháng", "hour": "giờ"}
    value = f"{duration.value.normalize():f}".replace(".", ",")
    return f"{value} {names[duration.unit]}"


def _wrap(c: canvas.Canvas, text: str, font: str, size: int, width: float) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        trial = f"{line} {w}".strip()
        if c.stringWidth(trial, font, size) <= width:
            line = trial
        else:
            lines.append(line)
            line = w
    if line:
        lines.append(line)
    return lines or [""]


def receipt_pdf(*, dossier: Dossier, tracking_url: str) -> bytes:
    regular, bold = pdf_fonts_register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"Giấy tiếp nhận hồ sơ {dossier.number}")
    c.setAuthor(dossier.org_unit.agency_name)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    y = height - 20 * mm
    c.setFont(bold, 11)
    c.drawString(left, y, dossier.org_unit.agency_name.upper()[:60])
    c.drawRightString(right, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    y -= 6 * mm
    c.setFont(regular, 10)
    c.drawString(left, y, "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ")
    c.drawRightString(right, y, "Độc lập - Tự do - Hạnh phúc")
    y -= 16 * mm
    c.setFont(bold, 14)
    c.drawCentredString(width / 2, y, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
    y -= 7 * mm
    c.setFont(regular, 11)
    c.drawCentredString(width / 2, y, f"Mã hồ sơ: {dossier.number}")
    if dossier.tracking_code:
        y -= 6 * mm
        c.drawCentredString(
            width / 2, y, f"Mã tra cứu (giữ kín, để xem hồ sơ trực tuyến): {dossier.tracking_code}"
        )
    y -= 12 * mm
    rows = [
        ("Tên thủ tục", f"{dossier.procedure.name} (mã {dossier.procedure.code})"),
        ("Người nộp", dossier.applicant_name),
        ("Hình thức nộp", str(Channel(dossier.channel).label)),
        ("Nộp lúc", _fmt(dossier.submitted_at)),
        ("Tiếp nhận lúc", _fmt(dossier.received_at)),
        ("Thời hạn giải quyết", _duration_label(dossier)),
        ("Hẹn trả kết quả", _fmt(dossier.due_at) if dossier.due_at else "Không có thông tin"),
    ]
    rows += [
        (label, value)
        for label, value in eform_display(
            procedure=dossier.procedure, data=dossier.form_data, revision=dossier.form_revision
        )
        if value
    ][:8]
    parts = list(dossier.files.select_related("part"))
    for label, value in rows:
        c.setFont(bold, 10)
        c.drawString(left, y, f"{label}:")
        c.setFont(regular, 10)
        for line in _wrap(c, value, regular, 10, right - left - 45 * mm):
            c.drawString(left + 45 * mm, y, line)
            y -= 5.5 * mm
        y -= 1.5 * mm
    y -= 3 * mm
    c.setFont(bold, 10)
    c.drawString(left, y, "Thành phần hồ sơ đã nhận:")
    y -= 6 * mm
    c.setFont(regular, 9)
    for i, f in enumerate(parts, start=1):
        name = f.part.name if f.part else f.original_name
        for line in _wrap(c, f"{i}. {name} ({f.original_name})", regular, 9, right - left - 5 * mm):
            c.drawString(left + 5 * mm, y, line[:150])
            y -= 5 * mm
            if y < 70 * mm:
                break
    if not parts:
        c.drawString(left + 5 * mm, y, "Hồ sơ giấy (tiếp nhận trực tiếp).")
    qr = qrcode.QRCode(border=2, box_size=6)
    qr.add_data(tracking_url)
    qr.make(fit=True)
    img = qr.make_image(fill_color="black", back_color="white")
    png = io.BytesIO()
    img.save(png, format="PNG")
    png.seek(0)
    c.drawImage(ImageReader(png), left, 20 * mm, width=38 * mm, height=38 * mm)
    c.setFont(regular, 9)
    c.drawString(
        left + 42 * mm,
        48 * mm,
        "Quét mã QR hoặc truy cập địa chỉ dưới đây để tra cứu tình trạng hồ sơ:",
    )
    c.drawString(left + 42 * mm, 42 * mm, tracking_url[:110])
    c.drawString(left + 42 * mm, 30 * mm, f"In lúc {_fmt(timezone.now())}")
    c.showPage()
    c.save()
    return buf.getvalue()
