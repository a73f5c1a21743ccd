"""Electronic receipt (biên lai điện tử) of a paid fee, as PDF (reportlab), and money
formatting helpers."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tinhso.payments.models import Payment
from tinhso.pdf import pdf_fonts_register

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_GROUPS = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"]


def format_vnd(amount: int) -> str:
    """1250000 → "1.250.000 ₫" (Vietnamese grouping)."""
    return f"{int(amount):,}".replace(",", ".") + " ₫"


def _three(n: int, full: bool) -> str:
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens > 1:
        words += [_DIGITS[tens], "mươi"]
        if units == 1:
            words.append("mốt")
        elif units == 4:
            words.append("tư")
        elif units == 5:
            words.append("lăm")
        elif units:
            words.append(_DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units == 5:
            words.append("lăm")
        elif units:
            words.append(_DIGITS[units])
    elif units:
        if full or hundreds:
            words.append("lẻ")
        words.append(_DIGITS[units])
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """1250000 → "Một triệu hai trăm năm mươi nghìn đồng"."""
    amount = int(amount)
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    while amount:
        amount, part = divmod(amount, 1000)
        groups.append(part)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        part = groups[index]
        if not part:
            continue
        text = _three(part, full=index != len(groups) - 1)
        words.append(f"{text} {_GROUPS[index]}".strip())
    sentence = " ".join(words) + " đồng"
    return sentence[0].upper() + sentence[1:]


def receipt_pdf(*, payment: Payment) -> bytes:
    """The receipt of a paid payment (raises ValueError for any other status)."""
    if payment.status != Payment.Status.PAID:
        raise ValueError("only paid payments have a receipt")
    font, bold = pdf_fonts_register()
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=13)
    centre = ParagraphStyle("centre", parent=base, alignment=TA_CENTER)
    title = ParagraphStyle("title", parent=centre, fontName=bold, fontSize=14, leading=18)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.grey)
    paid = timezone.localtime(payment.paid_at) if payment.paid_at else None
    unit = payment.org_unit
    channel = payment.get_gateway_display()
    rows = [
        ("Đơn vị thu", unit.agency_name),
        ("Người nộp", payment.payer.display_name),
        ("Nội dung", payment.description),
        ("Số tiền", format_vnd(payment.amount)),
        ("Bằng chữ", amount_in_words(payment.amount)),
        ("Hình thức", channel),
        ("Mã giao dịch", payment.txn_ref),
        ("Mã giao dịch tại cổng", payment.gateway_txn_no or "—"),
        ("Ngân hàng", payment.bank_code or "—"),
        ("Thời điểm thanh toán", paid.strftime("%d/%m/%Y %H:%M:%S") if paid else "—"),
    ]
    table = Table(
        [[Paragraph(escape(k), base), Paragraph(escape(v), base)] for k, v in rows],
        colWidths=[50 * mm, 125 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.96, 0.96, 0.96)),
            ]
        )
    )
    story = [
        Paragraph(escape(unit.agency_name.upper()), centre),
        Spacer(1, 3 * mm),
        Paragraph("BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ", title),
        Paragraph(f"Số: {escape(payment.receipt_number or '')}", centre),
        Spacer(1, 5 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph(
            "Biên lai được lập tự động từ xác nhận của cổng thanh toán; "
            "tra cứu bằng mã giao dịch trên Tỉnh Số.",
            small,
        ),
    ]
    if settings.DEMO:
        story.append(Paragraph("Bản trình diễn: không có giá trị pháp lý.", small))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A5),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Biên lai {payment.receipt_number}",
        author=unit.agency_name,
        creator="Tỉnh Số",
    )
    doc.build(story)
    return buf.getvalue()
