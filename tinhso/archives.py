"""Limits on ZIP-based uploads (XLSX) checked before any parser opens them.

A small XLSX can expand enormously (a "decompression bomb": 485 KB holding 12 million shared
strings). ``zip_check`` reads only the archive's directory and refuses an archive whose parts
declare too many, too large or too compressed members. Python's ``zipfile`` (which openpyxl
uses) never inflates a member beyond its declared size, so the declared sizes bound the work.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings

MAX_MEMBERS = 10_000
MAX_RATIO = 200  # uncompressed / compressed, per part (real workbooks stay far below)


def max_part_bytes() -> int:
    return int(getattr(settings, "XLSX_MAX_PART_BYTES", 64 * 1024 * 1024))


def max_total_bytes() -> int:
    return int(getattr(settings, "XLSX_MAX_UNCOMPRESSED_BYTES", 256 * 1024 * 1024))


class ArchiveTooLarge(ValueError):
    """The archive would expand beyond the limits; ``str(exc)`` says which part."""


def zip_check(source: Path | str | IO[bytes]) -> None:
    """Raise ``ArchiveTooLarge`` (or ``zipfile.BadZipFile``) unless every member of the ZIP
    archive is within the limits. A file object is rewound afterwards."""
    position = source.tell() if hasattr(source, "tell") else None
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    finally:
        if position is not None and hasattr(source, "seek"):
            source.seek(position)
    if len(members) > MAX_MEMBERS:
        raise ArchiveTooLarge(f"{len(members)} members")
    part_limit, total = max_part_bytes(), 0
    for info in members:
        if info.file_size > part_limit:
            raise ArchiveTooLarge(f"{info.filename}: {info.file_size} bytes")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ArchiveTooLarge(f"{info.filename}: compressed {info.compress_size} bytes")
        total += info.file_size
    if total > max_total_bytes():
        raise ArchiveTooLarge(f"{total} bytes in all")
