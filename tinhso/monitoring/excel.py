"""A year's report as an Excel workbook (one sheet per pillar, formulas kept) and the import
of reported values from the same template: every row is checked first, and nothing is
stored when any row is wrong.

The template is a data format: its column headers (``HEADERS``) and the status that marks a
computed row (``AUTO``) are parsed on import and stay Vietnamese in every language. The sheet
titles and the other cells are for reading only and follow the user's language; so do the
import's error messages."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from tinhso.accounts.permissions import scope_paths, user_can
from tinhso.accounts.usertypes import AnyUser
from tinhso.archives import zip_check
from tinhso.monitoring.models import Indicator, Pillar, ReportedValue, Target
from tinhso.monitoring.periods import period_parse, periods_of_year
from tinhso.monitoring.selectors import computed_values, targets_by_indicator
from tinhso.monitoring.services import subject_for, value_save, value_validate
from tinhso.orgs.models import OrgUnit

# parsed on import: a data format, not translated
HEADERS = [
    "Mã chỉ tiêu",
    "Tên chỉ tiêu",
    "Mã đơn vị",
    "Đơn vị báo cáo",
    "Kỳ",
    "Tử số",
    "Mẫu số",
    "Giá trị",
    "Chỉ tiêu giao",
    "Tiến độ (%)",
    "Trạng thái",
    "Giải trình",
]
AUTO = "Tự động"
MAX_ROWS = 5000
# not parsed (an Excel sheet title has at most 31 characters)
SHEET_TITLES = {
    Pillar.AWARENESS: gettext_lazy("Nhận thức số"),
    Pillar.INSTITUTIONS: gettext_lazy("Thể chế số"),
    Pillar.INFRASTRUCTURE: gettext_lazy("Hạ tầng số"),
    Pillar.HUMAN_RESOURCES: gettext_lazy("Nhân lực số"),
    Pillar.INFORMATION_SECURITY: gettext_lazy("An toàn thông tin"),
    Pillar.DIGITAL_GOVERNMENT: gettext_lazy("Chính quyền số"),
    Pillar.DIGITAL_ECONOMY: gettext_lazy("Kinh tế số"),
    Pillar.DIGITAL_SOCIETY: gettext_lazy("Xã hội số"),
}


def _num(x: Decimal | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if x == x.to_integral_value() else float(x)


def report_workbook(*, user: AnyUser, year: int, province: OrgUnit) -> bytes:
    """The year's report for the units in the user's scope."""
    paths = scope_paths(user, "monitoring.view")
    indicators = list(
        Indicator.objects.filter(is_active=True).prefetch_related("responsible_units")
    )
    targets = targets_by_indicator(unit=province, year=year)
    computed = computed_values(
        indicators=[i for i in indicators if i.method == Indicator.Method.COMPUTED],
        unit=province,
        year=year,
    )
    current = {
        (v.indicator_id, v.org_unit_id, v.period): v
        for v in ReportedValue.objects.filter(year=year, is_current=True)
    }
    unit_targets: dict[tuple[int, int], Decimal] = {}
    for t in (
        Target.objects.filter(year__gte=year)
        .exclude(org_unit=province)
        .exclude(kind=Target.Kind.BASELINE)
        .order_by("-year")
    ):
        unit_targets[(t.indicator_id, t.org_unit_id)] = t.value  # the earliest year wins
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE3EA")
    for pillar, title in SHEET_TITLES.items():
        ws = wb.create_sheet(str(title)[:31])
        ws.append(HEADERS)
        for c in ws[1]:
            c.font, c.fill = bold, head_fill
            c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        for col, width in zip(
            "ABCDEFGHIJKL", [18, 50, 12, 40, 10, 12, 12, 12, 12, 12, 18, 40], strict=True
        ):
            ws.column_dimensions[col].width = width
        r = 2
        for ind in (i for i in indicators if i.pillar == pillar):
            target = targets.get(ind.pk)
            # the target that judges the year: that year's, else the next milestone's (as on
            # the dashboard)
            tval = _num(target.value) if target else None
            if ind.method == Indicator.Method.COMPUTED:
                v = computed.get(ind.pk)
                ws.append(
                    [
                        ind.code,
                        ind.name,
                        province.code,
                        province.name,
                        str(year),
                        _num(v.numerator if v else None),
                        _num(v.denominator if v else None),
                        _num(v.value if v else None),
                        tval,
                        None,
                        AUTO,
                        "",
                    ]
                )
                _progress_formula(ws, r)
                r += 1
                continue
            for unit in ind.responsible_units.all():
                if paths is not None and not any(unit.path.startswith(p) for p in paths):
                    continue
                for p in periods_of_year(year=year, kind=ind.period_type):
                    rv = current.get((ind.pk, unit.pk, p.key))
                    ws.append(
                        [
                            ind.code,
                            ind.name,
                            unit.code,
                            unit.agency_name,
                            p.key,
                            _num(rv.numerator) if rv else None,
                            _num(rv.denominator) if rv else None,
                            _num(rv.value) if rv else None,
                            _unit_target(ind, unit, tval, unit_targets),
                            None,
                            rv.get_status_display() if rv else _("Chưa nhập"),
                            rv.comment if rv else "",
                        ]
                    )
                    if ind.has_ratio and rv is not None and rv.denominator:
                        # keep the definition: value = numerator / denominator × factor
                        ws.cell(r, 8).value = f"=F{r}/G{r}*{_num(ind.factor)}"
                    _progress_formula(ws, r)
                    r += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _unit_target(
    ind: Indicator,
    unit: OrgUnit,
    province_target: float | int | None,
    unit_targets: dict[tuple[int, int], Decimal],
) -> float | int | None:
    """A reporting unit's row: its own target, else the province's when that applies to
    each unit (a province-wide indicator, or a rate every unit must reach)."""
    own = unit_targets.get((ind.pk, unit.pk))
    if own is not None:
        return _num(own)
    if ind.scope == Indicator.Scope.PROVINCE or ind.is_percent:
        return province_target
    return None


def _progress_formula(ws: Any, r: int) -> None:
    ws.cell(
        r, 10
    ).value = f'=IF(AND(ISNUMBER(H{r}),ISNUMBER(I{r}),I{r}<>0),ROUND(H{r}/I{r}*100,1),"")'


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(row: tuple, i: int) -> Any:
    return row[i] if i < len(row) else None


def _clean(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def report_import(*, user: AnyUser, file: BinaryIO) -> ImportResult:
    """Import values from the template. All rows are validated first; nothing is written
    unless every row is valid."""
    result = ImportResult()
    try:
        zip_check(file)  # a decompression bomb is refused before openpyxl inflates it
        wb = load_workbook(file, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        # ArchiveTooLarge is a ValueError
        result.errors.append(_("Không đọc được tệp Excel: %(error)s") % {"error": exc})
        return result
    indicators = {i.code: i for i in Indicator.objects.prefetch_related("responsible_units")}
    units: dict[str, OrgUnit | None] = {}
    planned: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    count = 0
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or [str(h or "").strip() for h in header[: len(HEADERS)]] != HEADERS:
            result.errors.append(
                _("Trang “%(sheet)s”: dòng tiêu đề không đúng mẫu.") % {"sheet": ws.title}
            )
            continue
        for n, row in enumerate(rows, start=2):
            count += 1
            if count > MAX_ROWS:
                result.errors.append(
                    ngettext("Tệp có quá %(count)d dòng.", "Tệp có quá %(count)d dòng.", MAX_ROWS)
                    % {"count": MAX_ROWS}
                )
                break
            where = _("Trang “%(sheet)s”, dòng %(row)s") % {"sheet": ws.title, "row": n}
            code, ucode, pkey = (_clean(_cell(row, i)) for i in (0, 2, 4))
            num, den, val = (_clean(_cell(row, i)) for i in (5, 6, 7))
            status = _clean(_cell(row, 10))
            comment = _clean(_cell(row, 11)) or ""
            if code is None and ucode is None:
                continue
            if status == AUTO:
                continue  # computed by the platform, not imported
            if num is None and den is None and (val is None or str(val).startswith("=")):
                continue  # nothing entered in this row
            ind = indicators.get(str(code))
            if ind is None:
                result.errors.append(
                    _("%(where)s: không có chỉ tiêu mã “%(code)s”.")
                    % {"where": where, "code": code}
                )
                continue
            ucode = str(ucode or "")
            if ucode not in units:
                units[ucode] = (
                    OrgUnit.objects.filter(code=ucode, valid_to__isnull=True)
                    .order_by("-valid_from")
                    .first()
                )
            unit = units[ucode]
            if unit is None:
                result.errors.append(
                    _("%(where)s: không có đơn vị mã “%(code)s”.") % {"where": where, "code": ucode}
                )
                continue
            if not user_can(user=user, action="monitoring.report_enter", org_unit=unit):
                result.errors.append(
                    _("%(where)s: bạn không có quyền nhập số liệu cho %(unit)s.")
                    % {"where": where, "unit": unit.name}
                )
                continue
            if ind.responsible_units.all() and unit not in ind.responsible_units.all():
                result.errors.append(
                    _("%(where)s: %(unit)s không phải đơn vị báo cáo chỉ tiêu %(code)s.")
                    % {"where": where, "unit": unit.name, "code": ind.code}
                )
                continue
            if isinstance(val, str) and val.startswith("="):
                val = None  # a formula: the value comes from numerator / denominator
            try:
                period = period_parse(str(pkey or ""))
                value, numerator, denominator = value_validate(
                    indicator=ind,
                    org_unit=unit,
                    period=period,
                    value=val,
                    numerator=num,
                    denominator=den,
                    comment=comment,
                )
            except ValidationError as exc:
                result.errors.append(f"{where}: {'; '.join(exc.messages)}")
                continue
            key = (ind.code, unit.code, period.key)
            if key in seen:
                result.errors.append(
                    _("%(where)s: dòng trùng chỉ tiêu, đơn vị và kỳ.") % {"where": where}
                )
                continue
            seen.add(key)
            subject = subject_for(indicator=ind, org_unit=unit)
            cur = ReportedValue.objects.filter(
                indicator=ind, org_unit=unit, subject=subject, period=period.key, is_current=True
            ).first()
            if cur is not None and cur.value == value:
                result.unchanged += 1
                continue
            if cur is not None and not cur.is_editable:
                result.errors.append(
                    _(
                        "%(where)s: số liệu kỳ %(period)s đang “%(status)s”, không thay đổi được "
                        "bằng tệp."
                    )
                    % {"where": where, "period": period.key, "status": cur.get_status_display()}
                )
                continue
            planned.append(
                {
                    "indicator": ind,
                    "org_unit": unit,
                    "period": period,
                    "value": value if numerator is None else None,
                    "numerator": numerator,
                    "denominator": denominator,
                    "comment": comment,
                    "new": cur is None,
                }
            )
    wb.close()
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for p in planned:
                new = p.pop("new")
                value_save(actor=user, **p)
                if new:
                    result.created += 1
                else:
                    result.updated += 1
    except (ValidationError, PermissionDenied) as exc:
        result.created = result.updated = 0
        result.errors.append("; ".join(getattr(exc, "messages", [str(exc)])))
    return result
