"""The one upload policy of the platform: a file is judged by its content (``filetype``),
never by its name or the browser's content type alone; within a size limit
(``TINHSO_MAX_UPLOAD_BYTES`` unless the path has its own, e.g. data files); under a safe
base name. Every upload path uses it: dossier documents and results (services), feedback
attachments, monitoring evidence, the signature check of a PDF (signing) and data files.

``upload_check`` is the whole policy for documents (type by content among the allowed
ones, matching the file's own extension, size, SHA-256); the parts (``upload_limit``,
``upload_too_large``, ``upload_kind``, ``upload_name``) serve the paths with their own
messages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ALIASES = {"jpeg": "jpg", "tif": "tiff"}
HEAD_BYTES = 8192  # what ``filetype`` reads to recognise a type


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


def upload_limit() -> int:
    """The platform's size limit for an uploaded document, in bytes."""
    return int(getattr(settings, "TINHSO_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def upload_too_large(upload: Any, limit: int | None = None) -> bool:
    """Over ``limit`` (default ``upload_limit()``) by its declared size, before reading it."""
    size = getattr(upload, "size", None)
    return size is not None and size > (upload_limit() if limit is None else limit)


def upload_name(upload: Any, default: str = "tep") -> str:
    """The file's own base name (no directories), at most 200 characters."""
    return PurePath(getattr(upload, "name", None) or "").name[:200] or default


def upload_kind(upload: Any) -> Any:
    """The type recognised from the file's first bytes (``filetype`` kind with
    ``extension`` and ``mime``), or None; the file is left at its start."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return filetype.guess(head)


def upload_check(*, upload: UploadedFile, allowed: list[str]) -> CheckedUpload:
    """Raise ``ValidationError`` unless the file is within the size limit and its content
    is one of ``allowed`` (extensions) and matches its own name's extension."""
    name = upload_name(upload)
    limit = settings.TINHSO_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” vượt quá dung lượng cho phép (%(mb)s MB).")
            % {"name": name, "mb": limit // (1024 * 1024) or 1}
        )
    if upload.size == 0:
        raise ValidationError(_("Tệp “%s” rỗng.") % name)
    kind = upload_kind(upload)
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
