"""The files of a dossier: checking uploads against the procedure's parts, storing them,
the current draft result."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.usertypes import AnyUser
from tinhso.files import StoredFiles
from tinhso.services.models import (
    DocumentPart,
    Dossier,
    DossierFile,
    Procedure,
)
from tinhso.uploads import CheckedUpload, upload_check


def _check_uploads(
    *,
    procedure: Procedure,
    files: Mapping[int, Iterable[Any]],
    require_all: bool = True,
    hidden: Collection[int] = frozenset(),
) -> list[tuple[DocumentPart, CheckedUpload]]:
    """``hidden``: parts the form does not show (a condition not met): not required, and
    their files ignored (never stored)."""
    parts = {p.pk: p for p in procedure.parts.all()}
    errors: dict[str, list[str]] = {}
    checked: list[tuple[DocumentPart, CheckedUpload]] = []
    for part_id, uploads in files.items():
        part = parts.get(int(part_id))
        if part is None:
            errors.setdefault("files", []).append(_("Thành phần hồ sơ không thuộc thủ tục này."))
            continue
        if part.pk in hidden:
            continue
        for up in uploads:
            try:
                checked.append((part, upload_check(upload=up, allowed=part.type_list)))
            except ValidationError as exc:
                errors.setdefault(f"part_{part.pk}", []).extend(exc.messages)
    if require_all:
        given = {p.pk for p, _c in checked}
        for part in parts.values():
            if part.pk in hidden:
                continue
            if part.required and part.pk not in given and f"part_{part.pk}" not in errors:
                errors.setdefault(f"part_{part.pk}", []).append(
                    _("Thiếu thành phần hồ sơ bắt buộc: %s") % part.name[:120]
                )
    if errors:
        raise ValidationError(errors)
    return checked


def _store_files(
    *,
    dossier: Dossier,
    checked: list[tuple[DocumentPart, CheckedUpload]],
    user: AnyUser | None,
    kind: str,
    stored: StoredFiles,
) -> list[DossierFile]:
    """Write the uploads to storage (each recorded in ``stored`` as soon as it is written,
    for ``atomic_with_files``), then insert their rows in one statement."""
    rows = []
    for part, c in checked:
        row = DossierFile(
            dossier=dossier,
            part=part,
            kind=kind,
            original_name=c.name,
            content_type=c.mime,
            size=c.size,
            sha256=c.sha256,
            uploaded_by=user if isinstance(user, User) else None,
        )
        row.file.save(c.name, c.file, save=False)
        stored.append((row.file.storage, row.file.name))
        rows.append(row)
    return DossierFile.objects.bulk_create(rows)


def result_draft_get(dossier: Dossier) -> DossierFile | None:
    """The current (unsigned) draft result of the dossier, if any."""
    return dossier.files.filter(kind=DossierFile.Kind.RESULT).order_by("-pk").first()
