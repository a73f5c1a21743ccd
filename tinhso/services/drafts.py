"""Drafts that keep the applicant's work: saved as they type (autosave), reopened and
edited from "Hồ sơ của tôi" ("Khai lại" edits the same draft), deleted on request.

A draft may be incomplete; ``draft_problems`` lists what stops it from being sent, and
``dossier_submit`` refuses a draft that has any. Files that pass their own checks are kept
with the draft even when something else on the form is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.permissions import (
    identity_required_level,
    user_identity_sufficient,
)
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.files import atomic_with_files
from tinhso.orgs.models import OrgUnit
from tinhso.services.eform import (
    eform_fields,
    eform_parts_hidden,
    eform_revision,
    eform_validate,
)
from tinhso.services.models import Channel, Dossier, DossierFile, Procedure, Status
from tinhso.services.store import store_reuse_attach, store_reuse_check


def _applicant(user: AnyUser) -> User:
    if not isinstance(user, User) or not user.is_applicant:
        raise PermissionDenied(_("Chỉ công dân, doanh nghiệp mới nộp hồ sơ trực tuyến."))
    if not user_identity_sufficient(user):
        raise PermissionDenied(
            _("Cần định danh điện tử mức %(n)s (đăng nhập bằng VNeID) để nộp hồ sơ trực tuyến.")
            % {"n": identity_required_level()}
        )
    return user


def draft_get_for_owner(*, user: AnyUser, pk: int) -> Dossier | None:
    """The user's own draft (None for anyone else's, or a dossier already sent)."""
    return (
        Dossier.objects.select_related("procedure", "org_unit")
        .filter(pk=pk, applicant_id=getattr(user, "pk", None), status=Status.DRAFT)
        .first()
    )


def draft_revision_changed(*, dossier: Dossier) -> str:
    """Why the draft cannot be sent as it is: the procedure's form was published anew
    after the draft was started under another one (empty when it was not). The draft
    keeps its values; the applicant reviews them under the new form (``draft_edit``),
    and saving the draft moves it to the new form."""
    current = eform_revision(procedure=dossier.procedure)
    if (current.pk if current is not None else None) == dossier.form_revision_id:
        return ""
    if current is None:
        return _(
            "Biểu mẫu của thủ tục đã thay đổi sau khi bạn bắt đầu khai hồ sơ này. Vui lòng "
            "xem lại tờ khai rồi nộp; các thông tin bạn đã khai vẫn được giữ lại."
        )
    return _(
        "Biểu mẫu của thủ tục đã được cập nhật (phiên bản %(n)d) sau khi bạn bắt đầu khai "
        "hồ sơ này. Vui lòng xem lại tờ khai theo mẫu mới rồi nộp; các thông tin bạn đã "
        "khai vẫn được giữ lại."
    ) % {"n": current.number}


def draft_problems(*, dossier: Dossier) -> dict[str, list[str]]:
    """What stops the draft from being sent (empty when complete): the e-form, the
    receiving agency, the required parts, the procedure's online channel."""
    from tinhso.services.selectors import procedure_channel
    from tinhso.services.services.submission import _validate_agency

    errors: dict[str, list[str]] = {}
    procedure = dossier.procedure
    online = procedure_channel(procedure=procedure, channel=Channel.ONLINE)
    if online is not None and online.needs_review:
        errors["__all__"] = [
            _(
                "Thời hạn giải quyết hoặc phí của thủ tục này chưa rõ (%(t)s): cơ quan đang rà "
                "soát nên chưa nhận hồ sơ trực tuyến."
            )
            % {"t": online.time_label}
        ]
    try:
        _validate_agency(procedure, dossier.org_unit, timezone.localdate())
    except ValidationError as exc:
        errors.update(
            exc.message_dict if hasattr(exc, "error_dict") else {"org_unit": exc.messages}
        )
    changed = draft_revision_changed(dossier=dossier)
    if changed:
        errors.setdefault("__all__", []).append(changed)
    try:  # the form the draft must be sent under: the published one
        eform_validate(procedure=procedure, data=dossier.form_data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    have = set(
        dossier.files.filter(kind=DossierFile.Kind.APPLICATION).values_list("part_id", flat=True)
    )
    hidden = eform_parts_hidden(revision=dossier.form_revision, data=dossier.form_data)
    for part in procedure.parts.filter(required=True):
        if part.pk not in have and part.pk not in hidden:
            errors.setdefault(f"part_{part.pk}", []).append(
                _("Thiếu thành phần hồ sơ bắt buộc: %s") % part.name[:120]
            )
    return errors


def _kept(value: Any) -> Any:
    """A posted value as a draft keeps it: text (bounded), or a list of texts (a multiple
    choice)."""
    if isinstance(value, list | tuple):
        return [str(v)[:4000] for v in value[:200]]
    return str(value)[:4000]


def dossier_draft_save(
    *,
    user: AnyUser,
    procedure: Procedure,
    org_unit: OrgUnit,
    form_data: Mapping[str, Any],
    files: Mapping[int, Iterable[Any]] | None = None,
    reuse: Mapping[int, Any] | None = None,
    draft_id: int | None = None,
    complete: bool = False,
    idempotency_key: str | None = None,
) -> tuple[Dossier, dict[str, list[str]]]:
    """Create or update the user's draft with what the form holds now. The e-form values
    are kept as typed; each new upload and each chosen store document replaces its part's
    file when it passes its own checks, else its error is returned (the rest is saved).

    Returns (draft, problems). With ``complete`` the problems include everything that stops
    the draft from being sent (``draft_problems``); without, only the refused files.
    ``idempotency_key`` (the form's one-time token): a new draft is created once per form."""
    user = _applicant(user)
    if draft_id is None and idempotency_key:
        draft_id = (
            Dossier.objects.filter(
                applicant=user, idempotency_key=idempotency_key, status=Status.DRAFT
            )
            .values_list("pk", flat=True)
            .first()
        )
    revision = eform_revision(procedure=procedure)  # the form new dossiers are filled in
    known = {f.name for f in eform_fields(procedure=procedure)}
    values = {
        k: _kept(v) for k, v in form_data.items() if k in known or k.split("__", 1)[0] in known
    }
    problems: dict[str, list[str]] = {}
    from tinhso.services.services.attachments import _check_uploads, _store_files
    from tinhso.services.services.submission import _online_dossier, _start_step

    # parts the form does not show now (an upload's condition not met): no file kept
    hidden = eform_parts_hidden(revision=revision, data=values)
    checked = []
    for part_id, uploads in (files or {}).items():
        if str(part_id).isdigit() and int(part_id) in hidden:
            continue
        try:
            checked.extend(
                _check_uploads(procedure=procedure, files={part_id: uploads}, require_all=False)
            )
        except ValidationError as exc:
            for k, msgs in exc.message_dict.items():
                problems.setdefault(k, []).extend(msgs)
    picks = []
    for part_id, item_id in (reuse or {}).items():
        if str(part_id).isdigit() and int(part_id) in hidden:
            continue
        try:
            picks.extend(
                store_reuse_check(user=user, procedure=procedure, reuse={part_id: item_id})
            )
        except ValidationError as exc:
            for k, msgs in exc.message_dict.items():
                problems.setdefault(k, []).extend(msgs)
    # an upload for a part wins over a store document chosen for it
    uploaded = {p.pk for p, _c in checked}
    picks = [(p, i) for p, i in picks if p.pk not in uploaded]
    unpicked = {
        int(k) for k, v in (reuse or {}).items() if v in (None, "") and str(k).isdigit()
    } - uploaded
    with atomic_with_files() as stored:
        if draft_id is not None:
            dossier = (
                Dossier.objects.select_for_update()
                .filter(pk=draft_id, applicant=user, status=Status.DRAFT, procedure=procedure)
                .first()
            )
            if dossier is None:
                raise PermissionDenied(_("Không tìm thấy bản nháp của bạn."))
            created = False
            dossier.org_unit = org_unit
            dossier.form_data = values
            dossier.form_revision = revision
            dossier.save(update_fields=["org_unit", "form_data", "form_revision"])
        else:
            dossier = _online_dossier(  # the one way an online dossier is started
                user=user,
                procedure=procedure,
                org_unit=org_unit,
                start=_start_step(procedure),
                cleaned=values,
                form_revision=revision,
                status=Status.DRAFT,
                idempotency_key=idempotency_key or None,
            )
            created = True
        # the same file or store document sent again by the next autosave: kept once
        current = {
            (f.part_id, f.sha256, f.reused_from_id)
            for f in dossier.files.filter(kind=DossierFile.Kind.APPLICATION)
        }
        have = {(p, h) for p, h, _r in current}
        checked = [(p, c) for p, c in checked if (p.pk, c.sha256) not in have]
        picks = [(p, i) for p, i in picks if (p.pk, i.sha256, i.pk) not in current]
        if unpicked:  # "upload a new file" chosen instead of the store document
            dossier.files.filter(
                kind=DossierFile.Kind.APPLICATION,
                part_id__in=unpicked,
                reused_from__isnull=False,
            ).delete()
        replaced = {p.pk for p, _c in checked} | {p.pk for p, _i in picks}
        replaced |= set(
            dossier.files.filter(kind=DossierFile.Kind.APPLICATION, part_id__in=hidden).values_list(
                "part_id", flat=True
            )
        )
        if replaced:
            dossier.files.filter(kind=DossierFile.Kind.APPLICATION, part_id__in=replaced).delete()
        _store_files(
            dossier=dossier,
            checked=checked,
            user=user,
            kind=DossierFile.Kind.APPLICATION,
            stored=stored,
        )
        store_reuse_attach(dossier=dossier, picks=picks, user=user)
        if created or replaced:
            audit_record(
                actor=user,
                action="services.dossier_draft" if created else "services.dossier_draft_edit",
                obj=dossier,
                org_unit=org_unit,
                extra={"reused": [i.pk for _p, i in picks]} if picks else None,
            )
    if complete:
        for k, msgs in draft_problems(dossier=dossier).items():
            problems.setdefault(k, [])
            problems[k].extend(m for m in msgs if m not in problems[k])
    return dossier, problems


def dossier_draft_delete(*, user: AnyUser, dossier_id: int) -> None:
    """Delete the user's own draft (never a dossier already sent)."""
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update()
            .filter(pk=dossier_id, applicant_id=getattr(user, "pk", None))
            .first()
        )
        if dossier is None:
            raise PermissionDenied(_("Không tìm thấy hồ sơ của bạn."))
        if dossier.status != Status.DRAFT:
            raise ValidationError(
                _("Hồ sơ %s đã được nộp nên không xóa được; bạn có thể rút hồ sơ.") % dossier.number
            )
        audit_record(
            actor=cast(User, user),
            action="services.dossier_draft_delete",
            obj=dossier,
            org_unit=dossier.org_unit,
            before={"procedure": dossier.procedure.code, "files": dossier.files.count()},
        )
        # the stored files stay (a reused one belongs to the store; uploads are kept
        # like every other file the platform received)
        dossier.events.all().delete()
        dossier.delete()
