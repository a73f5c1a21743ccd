"""Writes of the monitoring app: reported values and their approval workflow, evidence,
targets and their yearly path, plan tasks, index computation.

Every function runs in one transaction, checks permission through
``tinhso.accounts.permissions`` and writes an audit entry.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from tinhso.accounts.models import Role
from tinhso.accounts.permissions import user_can, user_units
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.monitoring.models import (
    Component,
    ComponentResult,
    Evidence,
    IndexResult,
    Indicator,
    Methodology,
    PlanTask,
    ReportedValue,
    Target,
    ValueTransition,
)
from tinhso.monitoring.periods import Period, period_parse
from tinhso.monitoring.rollup import NOT_APPLICABLE_WHEN_EMPTY, UNMEASURED
from tinhso.monitoring.scoring import cohort_best, score_component, score_total
from tinhso.monitoring.selectors import FIGURES_VERSION_KEY
from tinhso.orgs.models import OrgUnit, Population
from tinhso.orgs.services import population_set
from tinhso.uploads import upload_kind, upload_limit

S = ReportedValue.Status
logger = logging.getLogger(__name__)

ALLOWED_EVIDENCE = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _require(user: AnyUser, action: str, unit: OrgUnit, message: str) -> None:
    if not user_can(user=user, action=action, org_unit=unit):
        raise PermissionDenied(message)


def _dec(value: Any, label: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        text = str(value).strip().replace(" ", "")
        if isinstance(value, str) and "," in text:
            text = text.replace(".", "").replace(",", ".")  # Vietnamese 1.234,5
        return Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError({label: f"'{value}' không phải là số."}) from None


def _snapshot(v: ReportedValue) -> dict[str, Any]:
    return {
        "indicator": v.indicator.code,
        "org_unit": v.org_unit.code,
        "subject": v.subject.code,
        "period": v.period,
        "revision": v.revision,
        "value": str(v.value),
        "numerator": None if v.numerator is None else str(v.numerator),
        "denominator": None if v.denominator is None else str(v.denominator),
        "status": v.status,
    }


def subject_for(*, indicator: Indicator, org_unit: OrgUnit) -> OrgUnit:
    """The unit a value describes: the province for province-wide statistics."""
    if indicator.scope == Indicator.Scope.PROVINCE:
        root_id = int(org_unit.path.strip("/").split("/")[0])
        return OrgUnit.objects.get(pk=root_id)
    return org_unit


# --- validation -------------------------------------------------------------------------------


def value_validate(
    *,
    indicator: Indicator,
    org_unit: OrgUnit,
    period: Period,
    value: Any = None,
    numerator: Any = None,
    denominator: Any = None,
    comment: str = "",
    previous_value: Decimal | bool | None = False,
) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """Check one value against the indicator's rules; return (value, numerator, denominator).

    ``previous_value``: the accepted value of the previous period (looked up when False).
    """
    errors: dict[str, list[str]] = {}
    if indicator.method == Indicator.Method.COMPUTED:
        raise ValidationError(
            f"Chỉ tiêu {indicator.code} được tính tự động từ dữ liệu nền tảng, không nhập tay."
        )
    if period.kind != indicator.period_type:
        raise ValidationError(
            {
                "period": [
                    f"Chỉ tiêu {indicator.code} báo cáo theo "
                    f"{indicator.get_period_type_display().lower()}, không theo kỳ {period.key}."
                ]
            }
        )
    num = _dec(numerator, "numerator")
    den = _dec(denominator, "denominator")
    val = _dec(value, "value")
    if (num is None) != (den is None):
        errors.setdefault("denominator", []).append("Cần nhập cả tử số và mẫu số.")
    if num is not None and den is not None:
        if den <= 0:
            errors.setdefault("denominator", []).append("Mẫu số phải lớn hơn 0.")
        elif num < 0:
            errors.setdefault("numerator", []).append("Tử số không được âm.")
        else:
            if indicator.is_percent and num > den:
                errors.setdefault("numerator", []).append(
                    "Tử số không được lớn hơn mẫu số (tỷ lệ vượt 100%)."
                )
            val = (num / den * indicator.factor).quantize(Decimal("0.0001"))
    if val is None and not errors:
        errors.setdefault("value", []).append("Chưa nhập giá trị.")
    if val is not None:
        if indicator.is_percent and not (Decimal(0) <= val <= Decimal(100)):
            errors.setdefault("value", []).append("Tỷ lệ phải trong khoảng 0–100%.")
        elif val < 0:
            errors.setdefault("value", []).append("Giá trị không được âm.")
    if errors:
        raise ValidationError(errors)
    assert val is not None
    if indicator.jump_threshold is not None:
        if previous_value is False:
            prev = (
                ReportedValue.objects.filter(
                    indicator=indicator,
                    org_unit=org_unit,
                    period=period.previous().key,
                    status=S.ACCEPTED,
                )
                .values_list("value", flat=True)
                .first()
            )
        else:
            prev = cast(Decimal | None, previous_value or None)  # a value, not True
        if prev is not None and abs(val - prev) > indicator.jump_threshold and not comment.strip():
            raise ValidationError(
                {
                    "comment": [
                        f"Giá trị thay đổi {abs(val - prev):.2f} so với kỳ trước "
                        f"(ngưỡng {indicator.jump_threshold:.2f}): cần nhập giải trình."
                    ]
                }
            )
    return val, num, den


def evidence_validate(*, upload: UploadedFile) -> str:
    """Type by content (``filetype``) and size; return the content type."""
    limit = upload_limit()
    if upload.size is None or upload.size == 0:
        raise ValidationError({"evidence": ["Tệp minh chứng rỗng."]})
    if upload.size > limit:
        raise ValidationError(
            {"evidence": [f"Tệp minh chứng vượt quá {limit // (1024 * 1024)} MB."]}
        )
    kind = upload_kind(upload)
    if kind is None or kind.extension not in ALLOWED_EVIDENCE:
        raise ValidationError(
            {
                "evidence": [
                    "Chỉ nhận minh chứng dạng PDF, PNG, JPEG, XLSX hoặc DOCX (theo nội dung tệp)."
                ]
            }
        )
    return ALLOWED_EVIDENCE[kind.extension]


# --- the approval workflow ----------------------------------------------------------------------


def figures_changed() -> None:
    """After the current transaction commits, make cached dashboard figures stale
    (selectors.dashboard_figures): a new version number in the cache."""

    def bump() -> None:
        try:
            try:
                cache.incr(FIGURES_VERSION_KEY)
            except ValueError:  # not set yet
                cache.set(FIGURES_VERSION_KEY, 1, None)
        except Exception:  # the cache is an optimisation; entries expire by themselves
            logger.warning("dashboard cache version not bumped", exc_info=True)

    transaction.on_commit(bump)


def _move(value: ReportedValue, *, actor: Any, to: str, comment: str = "", action: str) -> None:
    figures_changed()
    before = _snapshot(value)
    frm = value.status
    value.status = to
    if to == S.ACCEPTED:
        value.accepted_at = timezone.now()
    if to == S.RETURNED:
        value.return_comment = comment
    value.save()
    ValueTransition.objects.create(
        value=value, from_status=frm, to_status=to, actor=actor, at=timezone.now(), comment=comment
    )
    audit_record(
        actor=actor,
        action=action,
        obj=value,
        org_unit=value.org_unit,
        before=before,
        after=_snapshot(value),
        extra={"comment": comment} if comment else None,
    )


@transaction.atomic
def value_save(
    *,
    actor: Any,
    indicator: Indicator,
    org_unit: OrgUnit,
    period: str | Period,
    value: Any = None,
    numerator: Any = None,
    denominator: Any = None,
    comment: str = "",
    evidence: Sequence[UploadedFile] = (),
    is_demo: bool = False,
) -> ReportedValue:
    """Enter (or edit, while draft/returned) a unit's value for a period."""
    figures_changed()
    _require(
        actor,
        "monitoring.report_enter",
        org_unit,
        "Bạn không có quyền nhập số liệu cho đơn vị này.",
    )
    p = period if isinstance(period, Period) else period_parse(period)
    if (
        indicator.responsible_units.exists()
        and not indicator.responsible_units.filter(pk=org_unit.pk).exists()
    ):
        raise ValidationError(
            f"{org_unit.agency_name} không phải đơn vị chịu trách nhiệm báo cáo {indicator.code}."
        )
    val, num, den = value_validate(
        indicator=indicator,
        org_unit=org_unit,
        period=p,
        value=value,
        numerator=numerator,
        denominator=denominator,
        comment=comment,
    )
    subject = subject_for(indicator=indicator, org_unit=org_unit)
    content_types = [evidence_validate(upload=f) for f in evidence]
    current = (
        ReportedValue.objects.select_for_update()
        .filter(indicator=indicator, org_unit=org_unit, subject=subject, period=p.key)
        .filter(is_current=True)
        .first()
    )
    if current is not None and not current.is_editable:
        if current.status == S.ACCEPTED:
            raise ValidationError(
                "Số liệu kỳ này đã được tiếp nhận và khóa; hãy mở bản sửa (điều chỉnh) để thay đổi."
            )
        raise ValidationError(
            f"Số liệu kỳ này đang ở trạng thái “{current.get_status_display()}”, không sửa được."
        )
    if current is None:
        obj = ReportedValue.objects.create(
            indicator=indicator,
            org_unit=org_unit,
            subject=subject,
            period_type=p.kind,
            period=p.key,
            year=p.year,
            value=val,
            numerator=num,
            denominator=den,
            comment=comment,
            created_by=actor,
            is_demo=is_demo,
        )
        before = None
        action = "monitoring.value.create"
    else:
        obj = current
        before = _snapshot(obj)
        obj.value, obj.numerator, obj.denominator, obj.comment = val, num, den, comment
        obj.save()
        action = "monitoring.value.update"
    for f, ctype in zip(evidence, content_types, strict=True):
        _evidence_store(value=obj, upload=f, content_type=ctype, actor=actor)
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        org_unit=org_unit,
        before=before,
        after=_snapshot(obj),
        extra={"evidence": [f.name for f in evidence]} if evidence else None,
    )
    return obj


def _evidence_store(
    *, value: ReportedValue, upload: UploadedFile, content_type: str, actor: Any
) -> Evidence:
    name = (upload.name or "minh-chung").rsplit("/", 1)[-1][:200]
    ev = Evidence(
        value=value,
        original_name=name,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor,
    )
    ev.file.save(name, upload, save=False)
    ev.save()
    return ev


@transaction.atomic
def evidence_add(*, actor: Any, value: ReportedValue, upload: UploadedFile) -> Evidence:
    _require(
        actor, "monitoring.report_enter", value.org_unit, "Bạn không có quyền với báo cáo này."
    )
    value = ReportedValue.objects.select_for_update().get(pk=value.pk)
    if not value.is_editable:
        raise ValidationError("Chỉ thêm minh chứng khi số liệu đang nhập hoặc bị trả lại.")
    ctype = evidence_validate(upload=upload)
    ev = _evidence_store(value=value, upload=upload, content_type=ctype, actor=actor)
    audit_record(
        actor=actor,
        action="monitoring.evidence.add",
        obj=value,
        org_unit=value.org_unit,
        extra={"file": ev.original_name, "size": ev.size, "type": ctype},
    )
    return ev


def _locked(value: ReportedValue) -> ReportedValue:
    return (
        ReportedValue.objects.select_for_update()
        .select_related("indicator", "org_unit")
        .get(pk=value.pk)
    )


def _expect(value: ReportedValue, statuses: Iterable[str], what: str) -> None:
    if value.status not in statuses:
        raise ValidationError(
            f"Không thể {what}: số liệu đang ở trạng thái “{value.get_status_display()}”."
        )


@transaction.atomic
def value_submit(*, actor: Any, value: ReportedValue) -> ReportedValue:
    value = _locked(value)
    _require(
        actor, "monitoring.report_enter", value.org_unit, "Bạn không có quyền gửi báo cáo này."
    )
    _expect(value, [S.DRAFT, S.RETURNED], "gửi")
    if value.indicator.method == Indicator.Method.REPORTED and not value.evidence.exists():
        raise ValidationError("Cần đính kèm ít nhất một tệp minh chứng trước khi gửi.")
    _move(value, actor=actor, to=S.SUBMITTED, action="monitoring.value.submit")
    return value


@transaction.atomic
def value_approve(*, actor: Any, value: ReportedValue) -> ReportedValue:
    value = _locked(value)
    _require(
        actor, "monitoring.report_approve", value.org_unit, "Chỉ lãnh đạo đơn vị mới được duyệt."
    )
    _expect(value, [S.SUBMITTED], "duyệt")
    _move(value, actor=actor, to=S.APPROVED, action="monitoring.value.approve")
    return value


@transaction.atomic
def value_accept(*, actor: Any, value: ReportedValue) -> ReportedValue:
    value = _locked(value)
    _require(
        actor,
        "monitoring.report_accept",
        value.org_unit,
        "Chỉ Văn phòng chuyển đổi số tỉnh mới được tiếp nhận số liệu.",
    )
    _expect(value, [S.APPROVED], "tiếp nhận")
    # the accepted revision replaces the previously accepted one
    for old in ReportedValue.objects.select_for_update().filter(
        indicator=value.indicator,
        org_unit=value.org_unit,
        subject=value.subject,
        period=value.period,
        status=S.ACCEPTED,
    ):
        _move(old, actor=actor, to=S.SUPERSEDED, action="monitoring.value.supersede")
    _move(value, actor=actor, to=S.ACCEPTED, action="monitoring.value.accept")
    return value


@transaction.atomic
def value_return(*, actor: Any, value: ReportedValue, comment: str) -> ReportedValue:
    """The head returns a submitted value; the DX office returns an approved one."""
    value = _locked(value)
    if not comment.strip():
        raise ValidationError({"comment": ["Cần ghi lý do trả lại."]})
    if value.status == S.SUBMITTED:
        _require(
            actor,
            "monitoring.report_approve",
            value.org_unit,
            "Chỉ lãnh đạo đơn vị mới được trả lại số liệu đang chờ duyệt.",
        )
    elif value.status == S.APPROVED:
        _require(
            actor,
            "monitoring.report_accept",
            value.org_unit,
            "Chỉ Văn phòng chuyển đổi số tỉnh mới được trả lại số liệu đã duyệt.",
        )
    else:
        _expect(value, [S.SUBMITTED, S.APPROVED], "trả lại")
    _move(
        value, actor=actor, to=S.RETURNED, comment=comment.strip(), action="monitoring.value.return"
    )
    return value


@transaction.atomic
def value_correct(*, actor: Any, value: ReportedValue, reason: str) -> ReportedValue:
    """Open a new revision (draft) of an accepted value; the accepted one stays in force
    until the correction is accepted."""
    figures_changed()
    value = _locked(value)
    _require(
        actor,
        "monitoring.report_enter",
        value.org_unit,
        "Bạn không có quyền điều chỉnh số liệu này.",
    )
    _expect(value, [S.ACCEPTED], "mở bản sửa")
    if not value.is_current:
        raise ValidationError("Đã có bản sửa đang mở cho số liệu này.")
    if not reason.strip():
        raise ValidationError({"comment": ["Cần ghi lý do điều chỉnh."]})
    value.is_current = False
    value.save(update_fields=["is_current", "updated_at"])
    new = ReportedValue.objects.create(
        indicator=value.indicator,
        org_unit=value.org_unit,
        subject=value.subject,
        period_type=value.period_type,
        period=value.period,
        year=value.year,
        revision=value.revision + 1,
        value=value.value,
        numerator=value.numerator,
        denominator=value.denominator,
        comment=reason.strip(),
        previous=value,
        created_by=actor,
    )
    ValueTransition.objects.create(
        value=new, from_status="", to_status=S.DRAFT, actor=actor, at=timezone.now(), comment=reason
    )
    audit_record(
        actor=actor,
        action="monitoring.value.correct",
        obj=new,
        org_unit=new.org_unit,
        before=_snapshot(value),
        after=_snapshot(new),
        extra={"reason": reason},
    )
    return new


# --- targets ------------------------------------------------------------------------------------

TARGET_YEARS = (2000, 2100)
COMPARATORS = (">=", ">", "<=", "<", "=")


def _year(value: Any, label: str = "year") -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({label: [f"'{value}' không phải là năm."]}) from None
    if not TARGET_YEARS[0] <= year <= TARGET_YEARS[1]:
        raise ValidationError(
            {label: [f"Năm phải trong khoảng {TARGET_YEARS[0]}–{TARGET_YEARS[1]}."]}
        )
    return year


@transaction.atomic
def target_set(
    *,
    actor: Any,
    indicator: Indicator,
    org_unit: OrgUnit,
    year: int,
    value: Any,
    kind: str = Target.Kind.ENTERED,
    comparator: str = ">=",
    source: str = "",
    note: str = "",
    is_demo: bool = False,
) -> Target:
    """Set one year's target (or baseline) of an indicator for a unit. Entering a value over
    an interpolated year marks it "adjusted", so a later interpolation keeps it."""
    figures_changed()
    if actor is not None:
        _require(actor, "monitoring.target_manage", org_unit, "Bạn không có quyền giao chỉ tiêu.")
    year = _year(year)
    val = _dec(value, "value")
    if val is None:
        raise ValidationError({"value": ["Chưa nhập giá trị chỉ tiêu."]})
    if indicator.is_percent and not (0 <= val <= 100):
        raise ValidationError({"value": ["Chỉ tiêu tỷ lệ phải trong khoảng 0–100%."]})
    if val < 0:
        raise ValidationError({"value": ["Giá trị chỉ tiêu không được âm."]})
    if abs(val) >= Decimal(10) ** 12:
        raise ValidationError({"value": ["Giá trị chỉ tiêu quá lớn."]})
    if comparator not in COMPARATORS:
        raise ValidationError({"comparator": ["Phép so sánh không hợp lệ."]})
    if kind not in Target.Kind.values:
        raise ValidationError({"kind": ["Loại chỉ tiêu không hợp lệ."]})
    existing = (
        Target.objects.select_for_update()
        .filter(indicator=indicator, org_unit=org_unit, year=year)
        .first()
    )
    if (
        existing is not None
        and existing.kind in (Target.Kind.INTERPOLATED, Target.Kind.ADJUSTED)
        and kind == Target.Kind.ENTERED
    ):
        kind = Target.Kind.ADJUSTED
    target, _ = Target.objects.update_or_create(
        indicator=indicator,
        org_unit=org_unit,
        year=year,
        defaults={
            "value": val.quantize(Decimal("0.0001")),
            "kind": kind,
            "comparator": comparator,
            "source": source.strip()[:255],
            "note": note.strip()[:255],
            "is_demo": is_demo,
        },
    )
    audit_record(
        actor=actor,
        action="monitoring.target.set",
        obj=target,
        org_unit=org_unit,
        before={
            "value": str(existing.value),
            "kind": existing.kind,
            "comparator": existing.comparator,
        }
        if existing
        else None,
        after={
            "indicator": indicator.code,
            "unit": org_unit.code,
            "year": year,
            "value": str(val),
            "kind": kind,
            "comparator": comparator,
        },
    )
    return target


@transaction.atomic
def target_path_interpolate(
    *, actor: Any, indicator: Indicator, org_unit: OrgUnit, is_demo: bool = False
) -> list[Target]:
    """Fill the years between known points (baseline, entered or adjusted targets) linearly.
    Existing interpolated years are recomputed; entered and adjusted ones are kept.
    Returns the interpolated targets (empty when fewer than two known points are apart)."""
    figures_changed()
    if actor is not None:
        _require(actor, "monitoring.target_manage", org_unit, "Bạn không có quyền giao chỉ tiêu.")
    known = list(
        Target.objects.select_for_update()
        .filter(indicator=indicator, org_unit=org_unit)
        .exclude(kind=Target.Kind.INTERPOLATED)
        .order_by("year")
    )
    made: list[Target] = []
    for a, b in itertools.pairwise(known):
        span = b.year - a.year
        for year in range(a.year + 1, b.year):
            value = (a.value + (b.value - a.value) * Decimal(year - a.year) / span).quantize(
                Decimal("0.01")
            )
            t, _ = Target.objects.update_or_create(
                indicator=indicator,
                org_unit=org_unit,
                year=year,
                defaults={
                    "value": value,
                    "kind": Target.Kind.INTERPOLATED,
                    "comparator": b.comparator,
                    "source": f"Nội suy giữa {a.year} và {b.year}",
                    "is_demo": is_demo,
                },
            )
            made.append(t)
    if made:
        audit_record(
            actor=actor,
            action="monitoring.target.interpolate",
            object_type="monitoring.target",
            org_unit=org_unit,
            extra={
                "indicator": indicator.code,
                "unit": org_unit.code,
                "path": {t.year: str(t.value) for t in made},
            },
        )
    return made


# --- tasks ------------------------------------------------------------------------------------


def _task_check(
    *, title: str, org_unit: OrgUnit, head: Any, deadline: Any, year: Any
) -> tuple[str, int]:
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append("Chưa nhập tên nhiệm vụ.")
    elif len(title) > 500:
        errors.setdefault("title", []).append("Tên nhiệm vụ dài quá 500 ký tự.")
    try:
        year = _year(year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(deadline, dt.date):
        errors.setdefault("deadline", []).append("Chưa nhập thời hạn hợp lệ (dd/mm/yyyy).")
    elif isinstance(year, int) and not year - 1 <= deadline.year <= year + 5:
        errors.setdefault("deadline", []).append(
            f"Thời hạn {deadline:%d/%m/%Y} không khớp với năm kế hoạch {year}."
        )
    if not org_unit.is_valid_on(timezone.localdate()):
        errors.setdefault("org_unit", []).append(
            f"{org_unit.agency_name} không còn hiệu lực; hãy giao cho đơn vị kế thừa."
        )
    if head is not None:
        heads_of = user_units(head, roles=[Role.HEAD])
        if not getattr(head, "is_active", False) or not any(
            org_unit.path.startswith(u.path) for u in heads_of
        ):
            errors.setdefault("head", []).append(
                f"{getattr(head, 'display_name', head)} không phải lãnh đạo của "
                f"{org_unit.agency_name}."
            )
    if errors:
        raise ValidationError(errors)
    return title, int(year)


def _task_snapshot(task: PlanTask) -> dict[str, Any]:
    return {
        "year": task.year,
        "title": task.title,
        "unit": task.org_unit.code,
        "head": task.head.username if task.head else None,
        "deadline": task.deadline,
        "indicators": sorted(task.indicators.values_list("code", flat=True)),
        "status": task.status,
        "progress": task.progress,
    }


@transaction.atomic
def task_create(
    *,
    actor: Any,
    year: int,
    title: str,
    org_unit: OrgUnit,
    deadline: dt.date,
    head: Any = None,
    indicators: Iterable[Indicator] = (),
    status: str = PlanTask.Status.NOT_STARTED,
    progress: int = 0,
    source: str = "",
    note: str = "",
    is_demo: bool = False,
) -> PlanTask:
    """A task of the yearly plan, assigned to a responsible unit (and its head)."""
    if actor is not None:
        _require(actor, "monitoring.task_manage", org_unit, "Bạn không có quyền giao nhiệm vụ.")
    title, year = _task_check(
        title=title, org_unit=org_unit, head=head, deadline=deadline, year=year
    )
    task = PlanTask(
        year=year,
        title=title,
        org_unit=org_unit,
        deadline=deadline,
        head=head,
        status=status,
        progress=progress,
        source=source.strip(),
        note=note.strip(),
        is_demo=is_demo,
    )
    task.full_clean()
    task.save()
    task.indicators.set(list(indicators))
    audit_record(
        actor=actor,
        action="monitoring.task.create",
        obj=task,
        org_unit=org_unit,
        after=_task_snapshot(task),
    )
    return task


@transaction.atomic
def task_edit(
    *,
    actor: Any,
    task: PlanTask,
    year: int,
    title: str,
    org_unit: OrgUnit,
    deadline: dt.date,
    head: Any = None,
    indicators: Iterable[Indicator] = (),
    source: str = "",
    note: str = "",
) -> PlanTask:
    """Re-assign a task (unit, head, deadline, indicators, title). Both the old and the new
    unit must be within the actor's scope."""
    task = PlanTask.objects.select_for_update().get(pk=task.pk)
    _require(actor, "monitoring.task_manage", task.org_unit, "Bạn không có quyền sửa nhiệm vụ này.")
    _require(actor, "monitoring.task_manage", org_unit, "Bạn không có quyền giao nhiệm vụ.")
    title, year = _task_check(
        title=title, org_unit=org_unit, head=head, deadline=deadline, year=year
    )
    before = _task_snapshot(task)
    task.year, task.title, task.org_unit, task.head, task.deadline = (
        year,
        title,
        org_unit,
        head,
        deadline,
    )
    task.source, task.note = source.strip(), note.strip()
    task.full_clean()
    task.save()
    task.indicators.set(list(indicators))
    audit_record(
        actor=actor,
        action="monitoring.task.edit",
        obj=task,
        org_unit=org_unit,
        before=before,
        after=_task_snapshot(task),
    )
    return task


@transaction.atomic
def task_update(
    *, actor: Any, task: PlanTask, status: str, progress: int, note: str = ""
) -> PlanTask:
    task = PlanTask.objects.select_for_update().get(pk=task.pk)
    _require(
        actor, "monitoring.task_update", task.org_unit, "Bạn không có quyền cập nhật nhiệm vụ này."
    )
    if status not in PlanTask.Status.values:
        raise ValidationError({"status": ["Tình trạng không hợp lệ."]})
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        raise ValidationError({"progress": ["Tiến độ phải là số nguyên."]}) from None
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": ["Tiến độ phải trong khoảng 0–100%."]})
    if status == PlanTask.Status.DONE:
        progress = 100
    before = {"status": task.status, "progress": task.progress}
    task.status, task.progress = status, int(progress)
    if note:
        task.note = note
    task.save()
    audit_record(
        actor=actor,
        action="monitoring.task.update",
        obj=task,
        org_unit=task.org_unit,
        before=before,
        after={"status": status, "progress": task.progress},
        extra={"note": note} if note else None,
    )
    return task


# --- population (written through the orgs service; permission checked here) ----------------


@transaction.atomic
def population_save(
    *, actor: Any, year: Any, rows: Sequence[dict[str, Any]], is_demo: bool = False
) -> list[Population]:
    """Save the population of several units for one year, all or nothing.

    ``rows``: dicts with ``org_unit``, ``total``, ``adults`` and optional ``source``. Rows
    with both figures blank are skipped. A ``ValidationError`` lists every bad row (keyed
    ``"<unit code>"``) and nothing is stored."""
    figures_changed()
    year = _year(year)
    for row in rows:
        _require(
            actor,
            "monitoring.population_manage",
            row["org_unit"],
            "Bạn không có quyền nhập dân số của đơn vị này.",
        )
    saved: list[Population] = []
    errors: dict[str, list[str]] = {}
    for row in rows:
        unit = row["org_unit"]
        total, adults = row.get("total"), row.get("adults")
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in (total, adults)):
            continue
        try:
            with transaction.atomic():
                saved.append(
                    population_set(
                        actor=actor,
                        org_unit=unit,
                        year=year,
                        total=total,
                        adults=adults,
                        source=row.get("source") or "",
                        is_demo=is_demo,
                    )
                )
        except ValidationError as exc:
            errors[unit.code] = [
                f"{unit.agency_name}: {m}" for msgs in exc.message_dict.values() for m in msgs
            ]
    if errors:
        raise ValidationError(errors)
    return saved


# --- index computation ------------------------------------------------------------------------


@transaction.atomic
def index_compute(
    *, actor: Any, methodology: Methodology, year: int, on: dt.date | None = None
) -> list[IndexResult]:
    """Compute and store a methodology's results for every unit it covers in ``year``."""
    figures_changed()
    from tinhso.monitoring.selectors import index_subjects, index_values

    if actor is not None and not user_can(user=actor, action="monitoring.plan_manage"):
        raise PermissionDenied("Bạn không có quyền tính chỉ số.")
    on = on or dt.date(year, 12, 31)
    components = list(
        Component.objects.filter(main__methodology=methodology).select_related("main", "indicator")
    )
    subjects = index_subjects(methodology=methodology, year=year, on=on)
    values = index_values(components=components, units=[u for u, _ in subjects], year=year, on=on)
    best = {c.pk: cohort_best(values[(c.pk, u.pk)][0] for u, _ in subjects) for c in components}
    now = timezone.now()
    IndexResult.objects.filter(methodology=methodology, period=str(year)).delete()
    results: list[IndexResult] = []
    # a criterion the platform cannot measure is neither scored nor counted as zero: the
    # result is the points reached over the maximum of the measured criteria
    # (and a criterion that does not apply to a unit, e.g. feedback when it had none, is
    # left out of that unit's maximum)
    unmeasured = {c.pk for c in components if c.metric.startswith(UNMEASURED)}
    for unit, group in subjects:
        comp_rows = []
        skipped = set(unmeasured)
        for c in components:
            raw, detail, evidence = values[(c.pk, unit.pk)]
            if raw is None and c.metric in NOT_APPLICABLE_WHEN_EMPTY:
                skipped.add(c.pk)
            pts = score_component(
                rule=c.rule, value=raw, max_points=c.max_points, params=c.params, best=best[c.pk]
            )
            comp_rows.append((c, raw, pts, detail, evidence))
        measured_max = sum((c.max_points for c in components if c.pk not in skipped), Decimal(0))
        total, scale = score_total(
            (r[2] for r in comp_rows if r[0].pk not in skipped),
            max_points=measured_max if skipped else methodology.max_points,
        )
        res = IndexResult.objects.create(
            methodology=methodology,
            org_unit=unit,
            period=str(year),
            points=total,
            score=scale,
            group=group,
            computed_at=now,
            measured_max=measured_max if skipped else None,
        )
        ComponentResult.objects.bulk_create(
            ComponentResult(
                result=res,
                component=c,
                raw_value=raw,
                points=pts,
                detail=detail[:255],
                evidence_value=evidence,
                measured=c.pk not in skipped,
            )
            for c, raw, pts, detail, evidence in comp_rows
        )
        results.append(res)
    # rank within each group (1 = best); ties share a rank
    by_group: dict[str, list[IndexResult]] = {}
    for r in results:
        by_group.setdefault(r.group, []).append(r)
    for rows in by_group.values():
        rows.sort(key=lambda r: r.points, reverse=True)
        for i, r in enumerate(rows):
            r.rank = rows[i - 1].rank if i and rows[i - 1].points == r.points else i + 1
    IndexResult.objects.bulk_update(results, ["rank"])
    audit_record(
        actor=actor,
        action="monitoring.index.compute",
        obj=methodology,
        extra={"year": year, "units": len(results)},
    )
    return results
