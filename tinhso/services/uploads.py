"""Uploaded documents: size limit and type checked by content (``filetype``), never by the
name or the browser's content type alone."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ALIASES = {"jpeg": "jpg", "tif": "tiff"}


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    extension: str
    mime: str
    size: int
    sha256: str
    name: str


def _norm(ext: str) -> str:
    ext = ext.lower().lstrip(".")
    return ALIASES.get(ext, ext)


def upload_check(*, upload: UploadedFile, allowed: list[str]) -> CheckedUpload:
    """Raise ``ValidationError`` unless the file is within the size limit and its content
    is one of ``allowed`` (extensions) and matches its own name's extension."""
    name = PurePath(upload.name or "").name[:200] or "tep"
    limit = settings.TINHSO_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” vượt quá dung lượng cho phép (%(mb)s MB).")
            % {"name": name, "mb": limit // (1024 * 1024) or 1}
        )
    if upload.size == 0:
        raise ValidationError(_("Tệp “%s” rỗng.") % name)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    allowed_norm = [_norm(a) for a in allowed]
    if kind is None or _norm(kind.extension) not in allowed_norm:
        raise ValidationError(
            _("Tệp “%(name)s” không đúng định dạng cho phép (%(types)s).")
            % {"name": name, "types": ", ".join(allowed_norm)}
        )
    own = _norm(PurePath(name).suffix)
    if own != _norm(kind.extension):
        raise ValidationError(
            _("Phần mở rộng của tệp “%(name)s” không khớp với nội dung (%(real)s).")
            % {"name": name, "real": kind.extension}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        file=upload,
        extension=_norm(kind.extension),
        mime=kind.mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        name=name,
    )
