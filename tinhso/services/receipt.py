"""The receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) as a PDF, with a QR code that
links to the public tracking page.

Laid out with reportlab's platypus (tables of paragraphs), so a label or a value of any
length wraps inside its own cell instead of running over its neighbour; a long receipt flows
onto a second page. The text is the legal Vietnamese of the form, whatever the UI language."""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

import qrcode
from django.utils import timezone
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from tinhso.pdf import pdf_fonts_register
from tinhso.services.eform import eform_display
from tinhso.services.models import Channel, Dossier, DossierFile

# what the applicant handed in: the application and later supplements, never the result
RECEIVED_KINDS = (DossierFile.Kind.APPLICATION, DossierFile.Kind.SUPPLEMENT)
PAGE_WIDTH = A4[0] - 40 * mm  # between the 20 mm margins
LABEL_WIDTH = 52 * mm


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


def receipt_rows(dossier: Dossier) -> list[tuple[str, str]]:
    """The (label, value) lines of the receipt: the dossier, then the e-form's answers."""
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
        for label, value in eform_display(procedure=dossier.procedure, data=dossier.form_data)
        if value
    ]
    return rows


def receipt_documents(dossier: Dossier) -> list[str]:
    """The documents received from the applicant, one line each (never the draft result)."""
    files = dossier.files.filter(kind__in=RECEIVED_KINDS).select_related("part")
    return [
        f"{f.part.name} ({f.original_name})" if f.part else f.original_name
        for f in files.order_by("pk")
    ]


def _qr_image(url: str, size: float) -> Image:
    qr = qrcode.QRCode(border=2, box_size=6)
    qr.add_data(url)
    qr.make(fit=True)
    png = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(png, format="PNG")
    png.seek(0)
    return Image(png, width=size, height=size)


def receipt_pdf(*, dossier: Dossier, tracking_url: str) -> bytes:
    regular, bold = pdf_fonts_register()
    base = ParagraphStyle("base", fontName=regular, fontSize=10, leading=13)
    label = ParagraphStyle("label", parent=base, fontName=bold)
    centre = ParagraphStyle("centre", parent=base, alignment=TA_CENTER, fontSize=11, leading=15)
    centre_bold = ParagraphStyle("centre_bold", parent=centre, fontName=bold)
    title = ParagraphStyle("title", parent=centre_bold, fontSize=14, leading=19)
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=12)

    header = Table(
        [
            [
                Paragraph(escape(dossier.org_unit.agency_name.upper()), centre_bold),
                Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", centre_bold),
            ],
            [
                Paragraph("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", centre),
                Paragraph("Độc lập - Tự do - Hạnh phúc", centre_bold),
            ],
        ],
        colWidths=[PAGE_WIDTH * 0.45, PAGE_WIDTH * 0.55],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list = [
        header,
        Spacer(1, 10 * mm),
        Paragraph("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", title),
        Spacer(1, 2 * mm),
        Paragraph(f"Mã hồ sơ: {escape(dossier.number or '')}", centre),
    ]
    if dossier.tracking_code:
        story.append(
            Paragraph(
                "Mã tra cứu (giữ kín, để xem hồ sơ trực tuyến): "
                f"<b>{escape(dossier.tracking_code)}</b>",
                centre,
            )
        )
    table = Table(
        [
            [Paragraph(escape(f"{k}:"), label), Paragraph(escape(v), base)]
            for k, v in receipt_rows(dossier)
        ],
        colWidths=[LABEL_WIDTH, PAGE_WIDTH - LABEL_WIDTH],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story += [Spacer(1, 8 * mm), table, Spacer(1, 5 * mm)]
    story.append(Paragraph("Thành phần hồ sơ đã nhận:", label))
    documents = receipt_documents(dossier)
    if documents:
        story.append(
            ListFlowable(
                [ListItem(Paragraph(escape(d), small)) for d in documents],
                bulletType="1",
                bulletFormat="%s.",
                bulletFontName=regular,
                bulletFontSize=9,
                leftIndent=8 * mm,
            )
        )
    else:
        story.append(Paragraph("Hồ sơ giấy (tiếp nhận trực tiếp).", small))
    qr_size = 36 * mm
    footer = Table(
        [
            [
                _qr_image(tracking_url, qr_size),
                [
                    Paragraph(
                        "Quét mã QR hoặc truy cập địa chỉ dưới đây để tra cứu tình trạng hồ sơ:",
                        small,
                    ),
                    Paragraph(escape(tracking_url), small),
                    Spacer(1, 4 * mm),
                    Paragraph(f"In lúc {_fmt(timezone.now())}", small),
                ],
            ]
        ],
        colWidths=[qr_size + 6 * mm, PAGE_WIDTH - qr_size - 6 * mm],
    )
    footer.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
    )
    story += [Spacer(1, 8 * mm), KeepTogether([footer])]

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Giấy tiếp nhận hồ sơ {dossier.number}",
        author=dossier.org_unit.agency_name,
        creator="Tỉnh Số",
    )
    doc.build(story)
    return buf.getvalue()
