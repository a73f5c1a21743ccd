"""Result documents generated from a template (reportlab), ready to be signed."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tinhso.orgs.models import OrgUnit
from tinhso.pdf import pdf_fonts_register


def pdf_certificate_render(
    *,
    title: str,
    fields: list[tuple[str, str]],
    org_unit: OrgUnit,
    number: str,
    issued_on: object | None = None,
    demo: bool | None = None,
) -> bytes:
    """An A4 result document: national motto, issuing unit, number, title, a table of
    (label, value) fields and the place/date line. The lower-right corner is left blank for
    the signature stamp (``tinhso.signing.services.STAMP_BOX``)."""
    from django.conf import settings

    font, bold = pdf_fonts_register()
    demo = settings.DEMO if demo is None else demo
    day = issued_on or timezone.localdate()
    base = ParagraphStyle("base", fontName=font, fontSize=11, leading=15)
    centre = ParagraphStyle("centre", parent=base, alignment=TA_CENTER)
    centre_bold = ParagraphStyle("centre_bold", parent=centre, fontName=bold)
    heading = ParagraphStyle("heading", parent=centre_bold, fontSize=15, leading=20)
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=12, textColor=colors.grey)

    header = Table(
        [
            [
                Paragraph(escape(org_unit.agency_name.upper()), centre_bold),
                Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", centre_bold),
            ],
            [
                Paragraph(f"Số: {escape(number)}", centre),
                Paragraph("Độc lập - Tự do - Hạnh phúc", centre_bold),
            ],
        ],
        colWidths=[75 * mm, 95 * mm],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    rows = [
        [Paragraph(escape(label), base), Paragraph(escape(value), base)] for label, value in fields
    ]
    table = Table(rows or [["", ""]], colWidths=[60 * mm, 110 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.96, 0.96, 0.96)),
            ]
        )
    )
    date_line = f"Ngày {day:%d} tháng {day:%m} năm {day:%Y}"
    story = [
        header,
        Spacer(1, 12 * mm),
        Paragraph(escape(title.upper()), heading),
        Spacer(1, 8 * mm),
        *([table] if rows else []),
        Spacer(1, 8 * mm),
        Paragraph(date_line, ParagraphStyle("right", parent=base, alignment=2)),
    ]
    if demo:
        story += [
            Spacer(1, 4 * mm),
            Paragraph("Bản trình diễn Tỉnh Số: không có giá trị pháp lý.", small),
        ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=50 * mm,  # keeps the signature stamp area free
        title=title,
        author=org_unit.agency_name,
        creator="Tỉnh Số",
    )
    doc.build(story)
    return buf.getvalue()
