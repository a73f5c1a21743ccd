"""Results: draft (uploaded or generated), approval with a digital signature, delivery."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tinhso.accounts.models import User
from tinhso.accounts.permissions import (
    user_can,
)
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.files import atomic_with_files
from tinhso.services.models import (
    Dossier,
    DossierFile,
    Procedure,
    ProcessAction,
    ResultTemplate,
    Status,
)
from tinhso.services.selectors import (
    dossier_visible,
)
from tinhso.services.services.actions import dossier_act
from tinhso.services.services.attachments import result_draft_get
from tinhso.services.services.changes import DossierConflict, _event, _lock_dossier
from tinhso.services.services.fees import RESULT_PURPOSE
from tinhso.services.services.hooks import dossier_result_attach
from tinhso.services.store import store_on_result
from tinhso.services.studio.library import result_template_lines
from tinhso.services.workflow import action_allowed
from tinhso.uploads import upload_check

# ---------------------------------------------------------------------------------------
# Results: draft (uploaded or generated), approval with a digital signature, delivery
# ---------------------------------------------------------------------------------------

RESULT_PREPARE_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.FINANCIAL)


def result_template_fields(dossier: Dossier) -> list[tuple[str, str]]:
    """The applicant's data printed on a result generated from the procedure's template."""
    from tinhso.services.eform import eform_display

    # the subject's data (e.g. the child's, from the e-form) first; the applicant (e.g. the
    # parent) after, every line saying whose it is: the applicant's ID number is never
    # printed as if it were the subject's
    fields = [(_("Số hồ sơ"), dossier.number or "")]
    fields += [
        (label, value)
        for label, value in eform_display(
            procedure=dossier.procedure, data=dossier.form_data, revision=dossier.form_revision
        )
        if value
    ]
    fields += result_template_lines(dossier=dossier)  # the procedure's result template
    fields.append((_("Người nộp hồ sơ"), dossier.applicant_name))
    if dossier.applicant_id_number:
        fields.append((_("Số định danh người nộp"), dossier.applicant_id_number))
    fields.append((_("Thủ tục"), dossier.procedure.name))
    return fields


def _result_title(procedure: Procedure) -> str:
    template = ResultTemplate.objects.filter(procedure=procedure).first()
    if template is not None:
        return template.title[:150]
    # the catalogue's text runs several results together ("…Mã: KQ.G01.000064…"): keep
    # the first one's name
    first = re.split(r"Mã:|\n", procedure.result_name or "", maxsplit=1)[0]
    text = first.strip(" -+•.:")
    return (text or _("Kết quả giải quyết thủ tục hành chính"))[:150]


def dossier_result_prepare(
    *, user: AnyUser, dossier_id: int, upload: Any = None, generate: bool = False
) -> DossierFile:
    """The officer attaches the result PDF (checked by content) or generates it from the
    procedure's template with the applicant's data. It stays a draft, visible to the
    unit's officials only, until the head approves and signs it."""
    from django.core.files.base import ContentFile

    from tinhso.signing.documents import pdf_certificate_render
    from tinhso.signing.services import pdf_check

    if (upload is None) == (not generate):
        raise ValidationError(_("Hãy chọn tệp kết quả (PDF) hoặc tạo kết quả từ mẫu."))
    with atomic_with_files() as stored:
        dossier = _lock_dossier(dossier_id)
        if dossier is None or not dossier_visible(user=user, dossier=dossier):
            raise PermissionDenied(_("Không tìm thấy hồ sơ."))
        if not user_can(user=user, action="services.act.officer", org_unit=dossier.org_unit):
            raise PermissionDenied(_("Bạn không có quyền chuẩn bị kết quả của hồ sơ này."))
        if dossier.status not in RESULT_PREPARE_STATUSES or dossier.result_ref:
            raise ValidationError(
                _("Không thể chuẩn bị kết quả khi hồ sơ đang ở trạng thái “%s”.")
                % Status(dossier.status).label
            )
        if upload is not None:
            checked = upload_check(upload=upload, allowed=["pdf"])
            upload.seek(0)
            data = upload.read()
            upload.seek(0)
            pdf_check(pdf_bytes=data)
            name, source = checked.name, "upload"
        else:
            data = pdf_certificate_render(
                title=_result_title(dossier.procedure),
                fields=result_template_fields(dossier),
                org_unit=dossier.org_unit,
                number=f"{dossier.number}/KQ",
            )
            name, source = f"ket-qua-{dossier.number}.pdf", "template"
        dossier.files.filter(kind=DossierFile.Kind.RESULT).delete()
        draft = DossierFile(
            dossier=dossier,
            kind=DossierFile.Kind.RESULT,
            original_name=name,
            content_type="application/pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=cast(User, user),  # an official: user_can above
        )
        draft.file.save(name, ContentFile(data), save=False)
        stored.append((draft.file.storage, draft.file.name))
        draft.save()
        now = timezone.now()
        dossier.version += 1
        dossier.save(update_fields=["version"])
        _event(
            dossier=dossier,
            actor=user,
            action="result_prepare",
            action_name=gettext_noop("Chuẩn bị dự thảo kết quả")
            if source == "upload"
            else gettext_noop("Tạo dự thảo kết quả từ mẫu"),
            from_status=dossier.status,
            from_step=dossier.step.name,
            at=now,
        )
        audit_record(
            actor=user,
            action="services.dossier_result_prepare",
            obj=dossier,
            org_unit=dossier.org_unit,
            after={"source": source, "sha256": draft.sha256, "size": draft.size},
        )
    return draft


def _approve_checks(*, user: AnyUser, dossier: Dossier | None, version: int) -> DossierFile:
    if dossier is None or not dossier_visible(user=user, dossier=dossier):
        raise PermissionDenied(_("Không tìm thấy hồ sơ."))
    if version != dossier.version:
        raise DossierConflict()
    action = ProcessAction.objects.filter(from_step_id=dossier.step_id, code="approve").first()
    if action is None:
        raise ValidationError(
            _("Không thể phê duyệt khi hồ sơ đang ở trạng thái “%s”.")
            % Status(dossier.status).label
        )
    if not action_allowed(user=user, action=action, dossier=dossier):
        raise PermissionDenied(_("Bạn không có quyền phê duyệt hồ sơ này."))
    draft = result_draft_get(dossier)
    if draft is None:
        raise ValidationError(_("Hồ sơ chưa có dự thảo kết quả để ký."))
    return draft


def dossier_approve_sign(
    *, user: AnyUser, dossier_id: int, version: int, comment: str = ""
) -> Dossier:
    """The unit head approves the dossier and signs its draft result (PAdES, the unit's
    certificate, visible stamp): the signed result is registered, attached (electronic
    result) and the dossier is processed — all or nothing.

    The signature (and its call to the timestamping authority) is made first, with no
    transaction open and no row locked; then, under the dossier's lock, the checks run again
    and the signature is kept only if the dossier and its draft did not change meanwhile
    (otherwise ``DossierConflict`` and nothing is written)."""
    from tinhso.signing.services import document_register, signature_prepare

    dossier = Dossier.objects.select_related("org_unit").filter(pk=dossier_id).first()
    draft = _approve_checks(user=user, dossier=dossier, version=version)
    assert dossier is not None
    with draft.file.open("rb") as fh:
        data = fh.read()
    prepared = signature_prepare(
        pdf_bytes=data,
        org_unit=dossier.org_unit,
        signer_user=cast(User, user),  # the unit head: _approve_checks above
        # the signature's reason, inside the signed (Vietnamese, legal) result: not translated
        reason=f"Phê duyệt kết quả giải quyết TTHC, hồ sơ {dossier.number}",
        location=dossier.org_unit.agency_name,
        filename=f"ket-qua-{dossier.number}.pdf",
    )
    with transaction.atomic():
        locked = _lock_dossier(dossier_id)
        again = _approve_checks(user=user, dossier=locked, version=version)
        if again.pk != draft.pk or again.sha256 != draft.sha256:
            raise DossierConflict()
        doc = document_register(
            prepared=prepared, purpose=RESULT_PURPOSE, object_ref=str(dossier.pk)
        )
        dossier_result_attach(dossier_id=dossier.pk, digital=True, ref=doc.sha256)
        done = dossier_act(
            user=user,
            dossier_id=dossier.pk,
            action_code="approve",
            version=version,
            comment=comment,
        )
        store_on_result(dossier=done, document=doc, at=done.finished_at or timezone.now())
        return done


@dataclass(frozen=True)
class ResultFile:
    content: bytes
    filename: str
    sha256: str


def dossier_result_download(
    *, user: AnyUser, dossier_id: int, remote_ip: str | None = None
) -> ResultFile:
    """The signed result, for the applicant or an official of the unit. The applicant's
    first download returns the result (status 10); every download is audited."""
    from tinhso.signing.selectors import signed_document_get

    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        if dossier is None or not dossier_visible(user=user, dossier=dossier):
            raise PermissionDenied(_("Không tìm thấy hồ sơ."))
        doc = signed_document_get(sha256=dossier.result_ref) if dossier.result_digital else None
        if doc is None or dossier.status not in (Status.PROCESSED, Status.RETURNED):
            raise ValidationError(_("Hồ sơ chưa có kết quả điện tử để tải về."))
        is_applicant = user_can(user=user, action="services.act.applicant", obj=dossier)
        first = is_applicant and dossier.result_downloaded_at is None
        if first:
            Dossier.objects.filter(pk=dossier.pk).update(result_downloaded_at=timezone.now())
            if dossier.status == Status.PROCESSED:
                dossier_act(
                    user=user,
                    dossier_id=dossier.pk,
                    action_code="deliver_online",
                    version=dossier.version,
                    system=True,
                )
        audit_record(
            actor=user,
            action="services.dossier_result_download",
            obj=dossier,
            org_unit=dossier.org_unit,
            extra={
                "sha256": doc.sha256,
                "by": "applicant" if is_applicant else "official",
                "first": first,
            },
            ip=remote_ip,
        )
        return ResultFile(doc.read_bytes(), f"ket-qua-{dossier.number}.pdf", doc.sha256)


def dossier_result_post(
    *, user: AnyUser, dossier_id: int, version: int, post_ref: str, comment: str = ""
) -> Dossier:
    """The officer sent the result by public post (tracking reference): status 10."""
    return dossier_act(
        user=user,
        dossier_id=dossier_id,
        action_code="send_post",
        version=version,
        comment=comment,
        post_ref=post_ref,
    )
