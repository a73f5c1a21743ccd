"""Creating and submitting dossiers: online (draft, then submit, or in one step) and
registered at the counter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tinhso.accounts.models import User
from tinhso.accounts.permissions import (
    identity_required_level,
    user_can,
    user_identity_sufficient,
)
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.files import atomic_with_files
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import valid_on_q
from tinhso.services.applying import CITIZEN, applicant_may_file_check, counter_applicant_check
from tinhso.services.drafts import draft_problems, draft_revision_changed
from tinhso.services.eform import eform_parts_hidden, eform_revision, eform_validate
from tinhso.services.models import (
    Channel,
    DocumentPart,
    Dossier,
    DossierFile,
    FormRevision,
    Procedure,
    ProcedureAgency,
    ProcessStep,
    Status,
)
from tinhso.services.selectors import (
    procedure_channel,
)
from tinhso.services.services.actions import dossier_act
from tinhso.services.services.attachments import _check_uploads, _store_files
from tinhso.services.services.changes import DossierConflict, _event, _lock_dossier, _notify
from tinhso.services.services.numbering import dossier_number_next, tracking_code_new
from tinhso.services.services.stats import _applicant_year_note, _local_day
from tinhso.services.workflow import process_ensure_default
from tinhso.uploads import CheckedUpload

# ---------------------------------------------------------------------------------------
# Creating and submitting dossiers
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantInfo:
    name: str
    id_number: str = ""
    email: str = ""
    phone: str = ""
    # who hands the dossier in: ``citizen`` or ``business`` (checked against the procedure)
    kind: str = CITIZEN


def _validate_agency(procedure: Procedure, org_unit: OrgUnit, on: dt.date) -> None:
    """The procedure is active and ``org_unit`` receives it on ``on``: the unit and its
    agency link are both valid that day (one ``EXISTS`` query for the link)."""
    if not procedure.is_active:
        raise ValidationError(_("Thủ tục này hiện không tiếp nhận hồ sơ."))
    receives = (
        org_unit.is_valid_on(on)
        and ProcedureAgency.objects.filter(
            valid_on_q(on), procedure=procedure, org_unit=org_unit
        ).exists()
    )
    if not receives:
        raise ValidationError(
            {"org_unit": [_("Cơ quan này không tiếp nhận hồ sơ của thủ tục đã chọn.")]}
        )


_DEFAULT_PROCESS_CHECKED: set[int] = set()


def _start_step(procedure: Procedure) -> ProcessStep:
    """The start step (with its process) of the process a new dossier of ``procedure``
    follows: its own process if active, else the default one (``workflow.procedure_process``).
    One query: ``process_ensure_default`` (which creates the default process or adds the
    steps it gained) runs only the first time in this process or when no default is found."""
    step: ProcessStep | None
    own = procedure.process
    if own is not None and own.is_active:
        step = own.steps.get(is_start=True)
        step.process = own
        return step
    step = (
        ProcessStep.objects.select_related("process")
        .filter(process__is_default=True, is_start=True)
        .first()
    )
    if step is None or step.process_id not in _DEFAULT_PROCESS_CHECKED:
        process = process_ensure_default()
        _DEFAULT_PROCESS_CHECKED.add(process.pk)
        step = process.steps.get(is_start=True)
        step.process = process
    return step


def _online_checks(
    *,
    user: AnyUser,
    procedure: Procedure,
    org_unit: OrgUnit,
    form_data: dict[str, Any],
    files: Mapping[int, Iterable[Any]],
    on: dt.date,
) -> tuple[dict[str, Any], list[tuple[DocumentPart, CheckedUpload]], FormRevision | None]:
    """Every check of an online dossier before anything is written: an applicant's account,
    the receiving agency, the e-form, the required parts and each upload (type by content,
    size). All problems are reported at once. Returns (cleaned form, checked uploads, the
    studio revision the form was validated against)."""
    if not isinstance(user, User) or not user.is_applicant:
        raise PermissionDenied(_("Chỉ công dân, doanh nghiệp mới nộp hồ sơ trực tuyến."))
    if not user_identity_sufficient(user):
        raise PermissionDenied(
            _("Cần định danh điện tử mức %(n)s (đăng nhập bằng VNeID) để nộp hồ sơ trực tuyến.")
            % {"n": identity_required_level()}
        )
    applicant_may_file_check(user=user, procedure=procedure)
    errors: dict[str, list[str]] = {}
    online = procedure_channel(procedure=procedure, channel=Channel.ONLINE)
    if online is not None and online.needs_review:
        errors["__all__"] = [
            _(
                "Thời hạn giải quyết hoặc phí của thủ tục này chưa rõ (%(t)s): cơ quan đang rà "
                "soát nên chưa nhận hồ sơ trực tuyến. Vui lòng nộp trực tiếp hoặc quay lại sau."
            )
            % {"t": online.time_label}
        ]
    try:
        _validate_agency(procedure, org_unit, on)
    except ValidationError as exc:
        errors.update(
            exc.message_dict if hasattr(exc, "error_dict") else {"org_unit": exc.messages}
        )
    revision = eform_revision(procedure=procedure)
    try:
        cleaned = eform_validate(procedure=procedure, data=form_data, revision=revision)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = {}
    try:
        checked = _check_uploads(
            procedure=procedure,
            files=files,
            hidden=eform_parts_hidden(revision=revision, data=cleaned or form_data),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        checked = []
    if errors:
        raise ValidationError(errors)
    return cleaned, checked, revision


def _online_dossier(
    *,
    user: User,
    procedure: Procedure,
    org_unit: OrgUnit,
    start: ProcessStep,
    cleaned: dict[str, Any],
    **fields: Any,
) -> Dossier:
    return Dossier.objects.create(
        procedure=procedure,
        process=start.process,
        step=start,
        channel=Channel.ONLINE,
        org_unit=org_unit,
        applicant=user,
        applicant_name=user.display_name,
        applicant_id_number=user.citizen_id or user.tax_code or "",
        applicant_email=user.email or "",
        applicant_phone=user.phone or "",
        identity_source=user.identity_source if user.identity_verified else "",
        identity_level=user.identity_level if user.identity_verified else None,
        form_data=cleaned,
        received_digitised=True,
        **fields,
    )


def dossier_draft_create(
    *,
    user: AnyUser,
    procedure: Procedure,
    org_unit: OrgUnit,
    form_data: dict[str, Any],
    files: Mapping[int, Iterable[Any]],
    idempotency_key: str | None = None,
) -> Dossier:
    """Step 1 of online submission on the site: a validated draft (not yet sent, no number)
    that the applicant reviews before ``dossier_submit``. ``idempotency_key`` (the form's
    one-time token): a resent form returns the draft (or dossier) the first one created."""
    if idempotency_key:
        existing = Dossier.objects.filter(
            applicant=cast(User, user), idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    now = timezone.now()
    cleaned, checked, revision = _online_checks(
        user=user,
        procedure=procedure,
        org_unit=org_unit,
        form_data=form_data,
        files=files,
        on=_local_day(now),
    )
    user = cast(User, user)  # _online_checks admitted only an applicant's account
    start = _start_step(procedure)
    with atomic_with_files() as stored:
        dossier = _online_dossier(
            user=user,
            procedure=procedure,
            org_unit=org_unit,
            start=start,
            cleaned=cleaned,
            form_revision=revision,
            status=Status.DRAFT,
            idempotency_key=idempotency_key or None,
        )
        _store_files(
            dossier=dossier,
            checked=checked,
            user=user,
            kind=DossierFile.Kind.APPLICATION,
            stored=stored,
        )
        audit_record(actor=user, action="services.dossier_draft", obj=dossier, org_unit=org_unit)
    return dossier


def dossier_create_and_submit(
    *,
    user: AnyUser,
    procedure: Procedure,
    org_unit: OrgUnit,
    form_data: dict[str, Any],
    files: Mapping[int, Iterable[Any]],
    idempotency_key: str | None = None,
) -> Dossier:
    """Create and send an online dossier in one transaction (the API's one-step submission):
    the same checks as ``dossier_draft_create``, then number, files, history event,
    applicant-year and audit entry are written together; a failure anywhere leaves no row
    and no stored file. The applicant is notified after commit.

    The audit log gets one ``services.dossier_submit`` entry (what ``dossier_submit``
    writes, with the creation details): the dossier was never visible as a draft, so
    "created and sent" is one change of state, not two.

    ``idempotency_key`` (the client's ``Idempotency-Key``): stored with the dossier in the
    same transaction; a retry with the same key by the same applicant gets the first dossier
    back and nothing new is written (a concurrent duplicate fails the unique constraint)."""
    if idempotency_key:
        existing = Dossier.objects.filter(
            applicant=cast(User, user), idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    now = timezone.now()
    cleaned, checked, revision = _online_checks(
        user=user,
        procedure=procedure,
        org_unit=org_unit,
        form_data=form_data,
        files=files,
        on=_local_day(now),
    )
    user = cast(User, user)  # _online_checks admitted only an applicant's account
    start = _start_step(procedure)
    with atomic_with_files() as stored:
        # row locks held until commit, taken as late as possible: the applicant-year row
        # (per applicant), the agency's daily counter, then the audit chain head
        _applicant_year_note(org_unit_id=org_unit.pk, applicant_id=user.pk, at=now)
        dossier = _online_dossier(
            user=user,
            procedure=procedure,
            org_unit=org_unit,
            start=start,
            cleaned=cleaned,
            form_revision=revision,
            number=dossier_number_next(org_unit=org_unit, at=now),
            tracking_code=tracking_code_new(),
            idempotency_key=idempotency_key or None,
            status=Status.NEW,
            submitted_at=now,
            step_entered_at=now,
            version=1,  # as a draft sent by dossier_submit
        )
        rows = _store_files(
            dossier=dossier,
            checked=checked,
            user=user,
            kind=DossierFile.Kind.APPLICATION,
            stored=stored,
        )
        _event(
            dossier=dossier,
            actor=user,
            action="submit",
            action_name=gettext_noop("Nộp hồ sơ trực tuyến"),
            from_status=Status.DRAFT,
            from_step="",
            at=now,
        )
        audit_record(
            actor=user,
            action="services.dossier_submit",
            obj=dossier,
            org_unit=org_unit,
            after={
                "number": dossier.number,
                "status": dossier.status,
                "channel": dossier.channel,
                "procedure": procedure.code,
                "files": [r.sha256 for r in rows],
            },
        )
        _notify(dossier, gettext_noop("Đã nộp hồ sơ"), "")
    return dossier


def dossier_submit(*, user: AnyUser, dossier_id: int) -> Dossier:
    """Step 2: send the draft. A second submit of the same draft changes nothing."""
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        if dossier is None or dossier.applicant_id != getattr(user, "pk", None):
            raise PermissionDenied(_("Không tìm thấy hồ sơ của bạn."))
        user = cast(User, user)  # the draft's applicant
        if dossier.status != Status.DRAFT:
            raise DossierConflict(_("Hồ sơ này đã được nộp (số %s).") % dossier.number)
        # the form was published anew since the draft was started: the applicant reviews
        # the draft under the new form first (nothing changed, the values kept)
        changed = draft_revision_changed(dossier=dossier)
        if changed:
            raise ValidationError({"__all__": [changed]})
        # a draft saved as the applicant went may be incomplete (``drafts``)
        problems = draft_problems(dossier=dossier)
        if problems:
            raise ValidationError(problems)
        dossier.form_data = eform_validate(
            procedure=dossier.procedure, data=dossier.form_data, revision=dossier.form_revision
        )
        # a file kept for a part the final answers hide (an upload's condition not met)
        # is not sent with the dossier
        hidden = eform_parts_hidden(revision=dossier.form_revision, data=dossier.form_data)
        dropped = dossier.files.filter(kind=DossierFile.Kind.APPLICATION, part_id__in=hidden)
        dropped_parts = sorted(set(dropped.values_list("part_id", flat=True)))
        if dropped_parts:
            dropped.delete()
        now = timezone.now()
        # the same lock order as dossier_create_and_submit: applicant-year, then counter
        _applicant_year_note(org_unit_id=dossier.org_unit_id, applicant_id=user.pk, at=now)
        dossier.number = dossier_number_next(org_unit=dossier.org_unit, at=now)
        dossier.tracking_code = tracking_code_new()
        dossier.status = Status.NEW
        dossier.submitted_at = now
        dossier.step_entered_at = now
        dossier.version += 1
        dossier.save()
        _event(
            dossier=dossier,
            actor=user,
            action="submit",
            action_name=gettext_noop("Nộp hồ sơ trực tuyến"),
            from_status=Status.DRAFT,
            from_step="",
            at=now,
        )
        audit_record(
            actor=user,
            action="services.dossier_submit",
            obj=dossier,
            org_unit=dossier.org_unit,
            after={"number": dossier.number, "status": dossier.status},
            extra={"dropped_parts": dropped_parts} if dropped_parts else None,
        )
        _notify(dossier, gettext_noop("Đã nộp hồ sơ"), "")
    return dossier


def dossier_register_in_person(
    *,
    officer: Any,
    procedure: Procedure,
    org_unit: OrgUnit,
    applicant: ApplicantInfo,
    form_data: dict[str, Any],
    files: Mapping[int, Iterable[Any]],
    channel: int = Channel.IN_PERSON,
) -> Dossier:
    """An officer registers a dossier handed in at the desk (or by post): numbered and
    received at once. Paper parts may be scanned later, so uploads are optional."""
    if not user_can(user=officer, action="services.register_in_person", org_unit=org_unit):
        raise PermissionDenied(_("Bạn không có quyền tiếp nhận hồ sơ tại đơn vị này."))
    if channel not in (Channel.IN_PERSON, Channel.POST):
        raise ValidationError(_("Kênh tiếp nhận không hợp lệ."))
    if not applicant.name.strip():
        raise ValidationError({"applicant_name": [_("Vui lòng nhập họ tên người nộp.")]})
    counter_applicant_check(kind=applicant.kind, procedure=procedure)
    now = timezone.now()
    _validate_agency(procedure, org_unit, _local_day(now))
    revision = eform_revision(procedure=procedure)
    cleaned = eform_validate(procedure=procedure, data=form_data, revision=revision)
    checked = _check_uploads(procedure=procedure, files=files, require_all=False)
    start = _start_step(procedure)
    # every required part scanned at the desk: the paper dossier is digitised at receipt
    digitised = bool(checked) and {p.pk for p, _c in checked} >= {
        p.pk for p in procedure.parts.all() if p.required
    }
    with atomic_with_files() as stored:
        dossier = Dossier.objects.create(
            procedure=procedure,
            process=start.process,
            step=start,
            status=Status.NEW,
            channel=channel,
            org_unit=org_unit,
            applicant_name=applicant.name.strip()[:255],
            applicant_id_number=applicant.id_number.strip()[:20],
            applicant_email=applicant.email.strip(),
            applicant_phone=applicant.phone.strip()[:20],
            form_data=cleaned,
            form_revision=revision,
            registered_by=officer,
            submitted_at=now,
            received_digitised=digitised,
            digitised_by=officer if digitised else None,
        )
        dossier.number = dossier_number_next(org_unit=org_unit, at=now)
        dossier.tracking_code = tracking_code_new()
        dossier.save(update_fields=["number", "tracking_code"])
        _store_files(
            dossier=dossier,
            checked=checked,
            user=officer,
            kind=DossierFile.Kind.APPLICATION,
            stored=stored,
        )
        _event(
            dossier=dossier,
            actor=officer,
            action="register",
            action_name=gettext_noop("Đăng ký hồ sơ nộp trực tiếp"),
            from_status=None,
            from_step="",
            at=now,
        )
        audit_record(
            actor=officer,
            action="services.dossier_register",
            obj=dossier,
            org_unit=org_unit,
            after={"number": dossier.number, "channel": channel},
        )
        return dossier_act(
            user=officer, dossier_id=dossier.pk, action_code="receive", version=dossier.version
        )
