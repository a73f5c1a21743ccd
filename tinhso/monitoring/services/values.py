"""Reported values: validation, evidence and the approval workflow (save, submit, approve, accept,
return, correct)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.monitoring.models import (
    Evidence,
    Indicator,
    ReportedValue,
    ValueTransition,
)
from tinhso.monitoring.periods import Period, period_parse
from tinhso.monitoring.services.common import (
    S,
    _dec,
    _require,
    _snapshot,
    figures_changed,
    subject_for,
)
from tinhso.orgs.models import OrgUnit
from tinhso.uploads import upload_kind, upload_limit

ALLOWED_EVIDENCE = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


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
            _("Chỉ tiêu %(code)s được tính tự động từ dữ liệu nền tảng, không nhập tay.")
            % {"code": indicator.code}
        )
    if period.kind != indicator.period_type:
        raise ValidationError(
            {
                "period": [
                    _("Chỉ tiêu %(code)s báo cáo theo %(period_type)s, không theo kỳ %(period)s.")
                    % {
                        "code": indicator.code,
                        "period_type": indicator.get_period_type_display().lower(),
                        "period": period.key,
                    }
                ]
            }
        )
    num = _dec(numerator, "numerator")
    den = _dec(denominator, "denominator")
    val = _dec(value, "value")
    if (num is None) != (den is None):
        errors.setdefault("denominator", []).append(_("Cần nhập cả tử số và mẫu số."))
    if num is not None and den is not None:
        if den <= 0:
            errors.setdefault("denominator", []).append(_("Mẫu số phải lớn hơn 0."))
        elif num < 0:
            errors.setdefault("numerator", []).append(_("Tử số không được âm."))
        else:
            if indicator.is_percent and num > den:
                errors.setdefault("numerator", []).append(
                    _("Tử số không được lớn hơn mẫu số (tỷ lệ vượt 100%).")
                )
            val = (num / den * indicator.factor).quantize(Decimal("0.0001"))
    if val is None and not errors:
        errors.setdefault("value", []).append(_("Chưa nhập giá trị."))
    if val is not None:
        if indicator.is_percent and not (Decimal(0) <= val <= Decimal(100)):
            errors.setdefault("value", []).append(_("Tỷ lệ phải trong khoảng 0–100%."))
        elif val < 0:
            errors.setdefault("value", []).append(_("Giá trị không được âm."))
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
                        _(
                            "Giá trị thay đổi %(change)s so với kỳ trước (ngưỡng %(threshold)s): "
                            "cần nhập giải trình."
                        )
                        % {
                            "change": f"{abs(val - prev):.2f}",
                            "threshold": f"{indicator.jump_threshold:.2f}",
                        }
                    ]
                }
            )
    return val, num, den


def evidence_validate(*, upload: UploadedFile) -> str:
    """Type by content (``filetype``) and size; return the content type."""
    limit = upload_limit()
    if upload.size is None or upload.size == 0:
        raise ValidationError({"evidence": [_("Tệp minh chứng rỗng.")]})
    if upload.size > limit:
        raise ValidationError(
            {
                "evidence": [
                    _("Tệp minh chứng vượt quá %(size)s MB.") % {"size": limit // (1024 * 1024)}
                ]
            }
        )
    kind = upload_kind(upload)
    if kind is None or kind.extension not in ALLOWED_EVIDENCE:
        raise ValidationError(
            {
                "evidence": [
                    _(
                        "Chỉ nhận minh chứng dạng PDF, PNG, JPEG, XLSX hoặc DOCX "
                        "(theo nội dung tệp)."
                    )
                ]
            }
        )
    return ALLOWED_EVIDENCE[kind.extension]


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
        _("Bạn không có quyền nhập số liệu cho đơn vị này."),
    )
    p = period if isinstance(period, Period) else period_parse(period)
    if (
        indicator.responsible_units.exists()
        and not indicator.responsible_units.filter(pk=org_unit.pk).exists()
    ):
        raise ValidationError(
            _("%(unit)s không phải đơn vị chịu trách nhiệm báo cáo %(code)s.")
            % {"unit": org_unit.agency_name, "code": indicator.code}
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
                _(
                    "Số liệu kỳ này đã được tiếp nhận và khóa; hãy mở bản sửa (điều chỉnh) "
                    "để thay đổi."
                )
            )
        raise ValidationError(
            _("Số liệu kỳ này đang ở trạng thái “%(status)s”, không sửa được.")
            % {"status": current.get_status_display()}
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
        actor,
        "monitoring.report_enter",
        value.org_unit,
        _("Bạn không có quyền với báo cáo này."),
    )
    value = ReportedValue.objects.select_for_update().get(pk=value.pk)
    if not value.is_editable:
        raise ValidationError(_("Chỉ thêm minh chứng khi số liệu đang nhập hoặc bị trả lại."))
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


def _expect(value: ReportedValue, statuses: Iterable[str], message: str) -> None:
    """``message``: translated, with ``%(status)s`` for the value's status."""
    if value.status not in statuses:
        raise ValidationError(message % {"status": value.get_status_display()})


@transaction.atomic
def value_submit(*, actor: Any, value: ReportedValue) -> ReportedValue:
    value = _locked(value)
    _require(
        actor,
        "monitoring.report_enter",
        value.org_unit,
        _("Bạn không có quyền gửi báo cáo này."),
    )
    _expect(
        value,
        [S.DRAFT, S.RETURNED],
        _("Không thể gửi: số liệu đang ở trạng thái “%(status)s”."),
    )
    if value.indicator.method == Indicator.Method.REPORTED and not value.evidence.exists():
        raise ValidationError(_("Cần đính kèm ít nhất một tệp minh chứng trước khi gửi."))
    _move(value, actor=actor, to=S.SUBMITTED, action="monitoring.value.submit")
    return value


@transaction.atomic
def value_approve(*, actor: Any, value: ReportedValue) -> ReportedValue:
    value = _locked(value)
    _require(
        actor,
        "monitoring.report_approve",
        value.org_unit,
        _("Chỉ lãnh đạo đơn vị mới được duyệt."),
    )
    _expect(value, [S.SUBMITTED], _("Không thể duyệt: số liệu đang ở trạng thái “%(status)s”."))
    _move(value, actor=actor, to=S.APPROVED, action="monitoring.value.approve")
    return value


@transaction.atomic
def value_accept(*, actor: Any, value: ReportedValue) -> ReportedValue:
    value = _locked(value)
    _require(
        actor,
        "monitoring.report_accept",
        value.org_unit,
        _("Chỉ Văn phòng chuyển đổi số tỉnh mới được tiếp nhận số liệu."),
    )
    _expect(value, [S.APPROVED], _("Không thể tiếp nhận: số liệu đang ở trạng thái “%(status)s”."))
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
        raise ValidationError({"comment": [_("Cần ghi lý do trả lại.")]})
    if value.status == S.SUBMITTED:
        _require(
            actor,
            "monitoring.report_approve",
            value.org_unit,
            _("Chỉ lãnh đạo đơn vị mới được trả lại số liệu đang chờ duyệt."),
        )
    elif value.status == S.APPROVED:
        _require(
            actor,
            "monitoring.report_accept",
            value.org_unit,
            _("Chỉ Văn phòng chuyển đổi số tỉnh mới được trả lại số liệu đã duyệt."),
        )
    else:
        _expect(
            value,
            [S.SUBMITTED, S.APPROVED],
            _("Không thể trả lại: số liệu đang ở trạng thái “%(status)s”."),
        )
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
        _("Bạn không có quyền điều chỉnh số liệu này."),
    )
    _expect(value, [S.ACCEPTED], _("Không thể mở bản sửa: số liệu đang ở trạng thái “%(status)s”."))
    if not value.is_current:
        raise ValidationError(_("Đã có bản sửa đang mở cho số liệu này."))
    if not reason.strip():
        raise ValidationError({"comment": [_("Cần ghi lý do điều chỉnh.")]})
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
