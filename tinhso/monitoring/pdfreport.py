"""A year's progress report as PDF (reportlab, DejaVu Sans for Vietnamese), in the active
language: headers go through gettext, indicator names use ``name_en`` under English."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tinhso.monitoring.selectors import overview
from tinhso.monitoring.templatetags.monitoring_tags import ind_value, vn_number
from tinhso.orgs.models import OrgUnit
from tinhso.pdf import pdf_fonts_register


def report_pdf(*, unit: OrgUnit, year: int) -> bytes:
    font, bold = pdf_fonts_register()
    title = ParagraphStyle("t", fontName=bold, fontSize=14, leading=18)
    h2 = ParagraphStyle("h", fontName=bold, fontSize=11, leading=14, spaceBefore=6)
    cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=10)
    english = (get_language() or "vi").startswith("en")
    unit_name = unit.name_en if english and unit.name_en else unit.name
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Báo cáo chuyển đổi số năm %(year)s — %(unit)s")
        % {"year": year, "unit": unit_name},
        lang=get_language() or "vi",
    )
    story = [
        Paragraph(
            escape(
                _("Báo cáo tiến độ chuyển đổi số năm %(year)s — %(unit)s")
                % {"year": year, "unit": unit_name}
            ),
            title,
        ),
        Spacer(1, 4 * mm),
    ]
    header = [
        _("Mã"),
        _("Chỉ tiêu"),
        _("Giá trị"),
        _("Chỉ tiêu giao"),
        _("Tiến độ"),
        _("Đánh giá"),
        _("Căn cứ"),
    ]
    for block in overview(unit=unit, year=year):
        story.append(Paragraph(escape(str(block.label)), h2))
        data: list[list[Any]] = [list(header)]
        for r in block.rows:
            t = r.target
            name = r.indicator.name_en if english and r.indicator.name_en else r.indicator.name
            data.append(
                [
                    Paragraph(escape(r.indicator.code), cell),
                    Paragraph(escape(name), cell),
                    ind_value(r.value.value, r.indicator.unit),
                    f"{t.comparator} {ind_value(t.value, r.indicator.unit)} ({t.year})"
                    if t
                    else "—",
                    f"{vn_number(r.progress, 1)}%" if r.progress is not None else "—",
                    r.light_label,
                    Paragraph(escape(r.indicator.legal_source), cell),
                ]
            )
        table = Table(
            data,
            colWidths=[28 * mm, 80 * mm, 22 * mm, 32 * mm, 18 * mm, 24 * mm, 66 * mm],
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), font, 8),
                    ("FONT", (0, 0), (-1, 0), bold, 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (2, 1), (4, -1), "RIGHT"),
                ]
            )
        )
        story.append(table)
    doc.build(story)
    return buf.getvalue()
