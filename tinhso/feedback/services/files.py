"""Attached files: checked, written inside the transaction, deleted again when it does not
commit."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from tinhso.feedback.models import (
    Feedback,
    FeedbackEvent,
    FeedbackFile,
)
from tinhso.feedback.services.common import ALLOWED_TYPES, MAX_FILES
from tinhso.files import StoredFiles
from tinhso.uploads import CheckedUpload, upload_check

# ---------------------------------------------------------------------------------------
# Files: written inside the transaction, deleted again when it does not commit
# ---------------------------------------------------------------------------------------


def _check_files(files: Sequence[UploadedFile]) -> list[CheckedUpload]:
    if len(files) > MAX_FILES:
        raise ValidationError({"files": [_("Tối đa %(n)s tệp đính kèm.") % {"n": MAX_FILES}]})
    checked: list[CheckedUpload] = []
    errors: list[str] = []
    for up in files:
        try:
            checked.append(upload_check(upload=up, allowed=ALLOWED_TYPES))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _store_files(
    *,
    feedback: Feedback,
    event: FeedbackEvent | None,
    checked: list[CheckedUpload],
    stored: StoredFiles,
) -> None:
    rows = []
    for c in checked:
        row = FeedbackFile(
            feedback=feedback,
            event=event,
            original_name=c.name,
            content_type=c.mime,
            size=c.size,
            sha256=c.sha256,
        )
        row.file.save(c.name, c.file, save=False)
        stored.append((row.file.storage, row.file.name))
        rows.append(row)
    FeedbackFile.objects.bulk_create(rows)
