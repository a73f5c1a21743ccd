"""The applicant's document store ("Kho dữ liệu của tôi"), reuse of its documents in new
dossiers, and the digitisation of paper dossiers at the counter.

- An attachment enters the owner's store when an official receives the dossier (accepted);
  a signed result when the head signs it. Both are typed by ``services.doctypes``; a part
  or result without a type is not kept (forms filled in for one dossier).
- A new dossier may take a document of the store for a part of the same type instead of an
  upload ("Dùng giấy tờ đã có"): the dossier's file points at the same stored file and
  records where it came from; the official sees "reused from dossier N, accepted on …".
- An official of the receiving unit scans a paper dossier's parts and marks it digitised.

These events feed the service counters (``received_digitised``, ``finished_digitised``,
``parts_received``, ``parts_reused``) that the Decision 766 digitisation group reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tinhso.accounts.models import User
from tinhso.accounts.permissions import user_can
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.services.doctypes import doctype_label
from tinhso.services.models import (
    Channel,
    DocumentPart,
    Dossier,
    DossierFile,
    Procedure,
    Status,
    StoredDocument,
)

# ---------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------


def store_list(*, user: AnyUser) -> QuerySet[StoredDocument]:
    """The user's own store (empty for anyone else: an official never browses a store)."""
    if not isinstance(user, User) or not user.is_applicant:
        return StoredDocument.objects.none()
    return StoredDocument.objects.filter(owner=user).select_related("dossier")


def store_item_get(*, user: AnyUser, pk: int) -> StoredDocument | None:
    return store_list(user=user).filter(pk=pk).first()


def store_offers(*, user: AnyUser, procedure: Procedure) -> dict[int, list[StoredDocument]]:
    """For each typed part of ``procedure``, the documents of the user's store of its type
    (newest first): what the submission form offers instead of an upload."""
    parts = [p for p in procedure.parts.all() if p.doc_type]
    if not parts:
        return {}
    items = list(store_list(user=user).filter(doc_type__in={p.doc_type for p in parts}))
    return {p.pk: [i for i in items if i.doc_type == p.doc_type] for p in parts}


@dataclass(frozen=True)
class ReuseNote:
    number: str
    accepted_at: dt.datetime


def reuse_notes(*, files: Iterable[DossierFile]) -> dict[int, ReuseNote]:
    """For the dossier page: file id → the dossier its document was reused from and the
    date it was accepted there."""
    ids = {f.reused_from_id for f in files if f.reused_from_id}
    items = StoredDocument.objects.filter(pk__in=ids).select_related("dossier")
    by_id = {i.pk: ReuseNote(i.dossier.number or "", i.accepted_at) for i in items}
    return {f.pk: by_id[f.reused_from_id] for f in files if f.reused_from_id in by_id}


def store_type_label(code: str) -> str:
    return doctype_label(code)


# ---------------------------------------------------------------------------------------
# Writes (called inside the dossier's transaction)
# ---------------------------------------------------------------------------------------


def _keep(
    *,
    owner_id: int,
    dossier: Dossier,
    doc_type: str,
    title: str,
    source: str,
    name: str,
    original_name: str,
    content_type: str,
    size: int,
    sha256: str,
    at: dt.datetime,
) -> StoredDocument | None:
    item, created = StoredDocument.objects.get_or_create(
        owner_id=owner_id,
        dossier=dossier,
        sha256=sha256,
        defaults={
            "doc_type": doc_type,
            "title": title[:300],
            "source": source,
            "file": name,
            "original_name": original_name[:255],
            "content_type": content_type[:100],
            "size": size,
            "accepted_at": at,
        },
    )
    return item if created else None


def store_on_receipt(*, dossier: Dossier, at: dt.datetime) -> None:
    """The dossier is received: count its parts (given, and reused from the store), note
    when its parts became electronic, and keep its typed attachments (not those that came
    from the store) in the applicant's store. Sets fields on ``dossier``; the caller saves."""
    files = list(dossier.files.filter(kind=DossierFile.Kind.APPLICATION).select_related("part"))
    required = set(dossier.procedure.parts.filter(required=True).values_list("pk", flat=True))
    given = {f.part_id for f in files if f.part_id}
    dossier.parts_total = len(given | required)
    dossier.parts_reused = len({f.part_id for f in files if f.part_id and f.reused_from_id})
    if dossier.received_digitised and dossier.digitised_at is None:
        dossier.digitised_at = at
    if dossier.applicant_id is None:
        return
    kept = []
    for f in files:
        if f.reused_from_id or f.part is None or not f.part.doc_type:
            continue
        item = _keep(
            owner_id=dossier.applicant_id,
            dossier=dossier,
            doc_type=f.part.doc_type,
            title=doctype_label(f.part.doc_type),
            source=StoredDocument.Source.ATTACHMENT,
            name=f.file.name,
            original_name=f.original_name,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            at=at,
        )
        if item is not None:
            kept.append(item.pk)
    if kept:
        audit_record(
            actor=None,
            action="services.store_keep",
            obj=dossier,
            org_unit=dossier.org_unit,
            extra={"items": kept, "source": "attachment"},
        )


def store_on_result(*, dossier: Dossier, document: Any, at: dt.datetime) -> None:
    """The head signed the result (``signing.SignedDocument``): keep it in the applicant's
    store under the procedure's result type (untyped results are not kept)."""
    doc_type = dossier.procedure.result_doc_type
    if dossier.applicant_id is None or not doc_type:
        return
    item = _keep(
        owner_id=dossier.applicant_id,
        dossier=dossier,
        doc_type=doc_type,
        title=doctype_label(doc_type),
        source=StoredDocument.Source.RESULT,
        name=document.file.name,
        original_name=f"ket-qua-{dossier.number}.pdf",
        content_type="application/pdf",
        size=document.file.size,
        sha256=document.sha256,
        at=at,
    )
    if item is not None:
        audit_record(
            actor=None,
            action="services.store_keep",
            obj=dossier,
            org_unit=dossier.org_unit,
            extra={"items": [item.pk], "source": "result"},
        )


def store_reuse_check(
    *, user: AnyUser, procedure: Procedure, reuse: Mapping[int, Any]
) -> list[tuple[DocumentPart, StoredDocument]]:
    """``reuse`` maps a part id to a store item id (empty values ignored). Each item must be
    the user's own and of the part's type; all problems at once, by part."""
    parts = {p.pk: p for p in procedure.parts.all()}
    picks: list[tuple[DocumentPart, StoredDocument]] = []
    errors: dict[str, list[str]] = {}
    for part_id, item_id in reuse.items():
        if item_id in (None, ""):
            continue
        part = parts.get(int(part_id))
        if part is None:
            errors.setdefault("files", []).append(_("Thành phần hồ sơ không thuộc thủ tục này."))
            continue
        try:
            item = store_item_get(user=user, pk=int(item_id))
        except (TypeError, ValueError):
            item = None
        if item is None:
            errors.setdefault(f"part_{part.pk}", []).append(
                _("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn.")
            )
        elif not part.doc_type or item.doc_type != part.doc_type:
            errors.setdefault(f"part_{part.pk}", []).append(
                _("Giấy tờ “%(item)s” không phải loại mà thành phần này yêu cầu.")
                % {"item": item.title}
            )
        else:
            picks.append((part, item))
    if errors:
        raise ValidationError(errors)
    return picks


def store_reuse_attach(
    *, dossier: Dossier, picks: list[tuple[DocumentPart, StoredDocument]], user: User
) -> list[DossierFile]:
    """The dossier takes the chosen store documents as its parts (same stored file)."""
    rows = [
        DossierFile(
            dossier=dossier,
            part=part,
            kind=DossierFile.Kind.APPLICATION,
            file=item.file.name,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=user,
            reused_from=item,
        )
        for part, item in picks
    ]
    return DossierFile.objects.bulk_create(rows)


# ---------------------------------------------------------------------------------------
# Digitising a paper dossier at the counter
# ---------------------------------------------------------------------------------------

DIGITISE_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)


def dossier_digitise(
    *, user: AnyUser, dossier_id: int, version: int, files: Mapping[int, Iterable[Any]]
) -> Dossier:
    """The receiving unit's official uploads the scans of a paper dossier's parts and marks
    it digitised. Refused unless every required part then has an electronic copy."""
    from tinhso.files import atomic_with_files
    from tinhso.services.services.attachments import _check_uploads, _store_files
    from tinhso.services.services.changes import DossierConflict, _event, _lock_dossier
    from tinhso.services.services.stats import stats_record

    with atomic_with_files() as stored:
        dossier = _lock_dossier(dossier_id)
        if dossier is None or not user_can(
            user=user, action="services.register_in_person", org_unit=dossier.org_unit
        ):
            raise PermissionDenied(_("Bạn không có quyền số hóa hồ sơ này."))
        if version != dossier.version:
            raise DossierConflict()
        if dossier.channel == Channel.ONLINE or dossier.received_digitised:
            raise ValidationError(_("Hồ sơ này đã ở dạng điện tử."))
        if dossier.status not in DIGITISE_STATUSES:
            raise ValidationError(
                _("Không thể số hóa khi hồ sơ đang ở trạng thái “%s”.")
                % Status(dossier.status).label
            )
        checked = _check_uploads(procedure=dossier.procedure, files=files, require_all=False)
        have = set(
            dossier.files.filter(kind=DossierFile.Kind.APPLICATION).values_list(
                "part_id", flat=True
            )
        ) | {p.pk for p, _c in checked}
        missing = [p for p in dossier.procedure.parts.filter(required=True) if p.pk not in have]
        if missing:
            raise ValidationError(
                {
                    f"part_{p.pk}": [_("Thiếu bản quét của thành phần: %s") % p.name[:120]]
                    for p in missing
                }
            )
        rows = _store_files(
            dossier=dossier,
            checked=checked,
            user=user,
            kind=DossierFile.Kind.APPLICATION,
            stored=stored,
        )
        DossierFile.objects.filter(pk__in=[r.pk for r in rows]).update(is_scan=True)
        now = timezone.now()
        dossier.received_digitised = True
        dossier.digitised_at = now
        dossier.digitised_by = user if isinstance(user, User) else None
        dossier.version += 1
        dossier.save()
        stats_record(dossier=dossier, moment="digitised_at", at=now)  # scanned at the counter
        _event(
            dossier=dossier,
            actor=user,
            action="digitise",
            action_name=gettext_noop("Số hóa hồ sơ giấy"),
            from_status=dossier.status,
            from_step=dossier.step.name,
            at=now,
        )
        audit_record(
            actor=user,
            action="services.dossier_digitise",
            obj=dossier,
            org_unit=dossier.org_unit,
            after={"files": [r.sha256 for r in rows]},
        )
    return dossier


def dossier_can_digitise(*, user: AnyUser, dossier: Dossier) -> bool:
    return (
        dossier.channel != Channel.ONLINE
        and not dossier.received_digitised
        and dossier.status in DIGITISE_STATUSES
        and user_can(user=user, action="services.register_in_person", org_unit=dossier.org_unit)
    )
