"""Files written by a change that also writes rows: one transaction for both.

``atomic_with_files()`` is ``transaction.atomic()`` for a change that writes uploaded files to
storage: the files are written inside the transaction (before the rows that point at them
commit); the block collects them (``stored.append((storage, name))`` as soon as each is
written) and if the transaction does not commit they are deleted again, so a failure leaves
neither rows nor files. Use it as the outermost transaction: a rollback of an enclosing one is
not seen. Used by every app that stores uploads with rows (services, feedback).

``storage_config()`` builds ``STORAGES["default"]`` from the environment: the local filesystem
(the embedded default) or an S3-compatible bucket (MinIO, Ceph, a cloud store) through
django-storages. Either way files are private: they are served only by views that check
permissions first (streamed through the platform), never by a public bucket URL."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.files.storage import Storage
from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger(__name__)

StoredFiles = list[tuple[Storage, str]]

S3_BACKEND = "storages.backends.s3.S3Storage"


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    prefix: str = "",
    addressing_style: str = "path",
) -> dict[str, Any]:
    """``STORAGES`` entry for a private S3-compatible bucket.

    Objects are written with a private ACL and never overwritten (a name in use gets a
    suffix, as on the filesystem); URLs, if ever asked for, are signed and short-lived."""
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "location": prefix.strip("/"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 60,
            "addressing_style": addressing_style or None,
            "signature_version": "s3v4",
        },
    }


def storage_config(environ: Mapping[str, str], *, media_root: str) -> dict[str, Any]:
    """``STORAGES["default"]`` chosen by ``TINHSO_STORAGE`` (``local``, the default, or ``s3``).

    ``s3`` reads ``TINHSO_S3_BUCKET`` (required), ``TINHSO_S3_ENDPOINT_URL`` (MinIO, Ceph;
    empty for AWS), ``TINHSO_S3_REGION``, ``TINHSO_S3_ACCESS_KEY``, ``TINHSO_S3_SECRET_KEY``
    (empty: the machine's credentials), ``TINHSO_S3_PREFIX`` and
    ``TINHSO_S3_ADDRESSING_STYLE`` (``path``, the default, or ``virtual``)."""
    kind = environ.get("TINHSO_STORAGE", "local").strip().lower() or "local"
    if kind == "local":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_root, "base_url": None},
        }
    if kind != "s3":
        raise ValueError(f"TINHSO_STORAGE must be 'local' or 's3', not {kind!r}")
    bucket = environ.get("TINHSO_S3_BUCKET", "")
    if not bucket:
        raise ValueError("TINHSO_STORAGE=s3 needs TINHSO_S3_BUCKET")
    return s3_storage(
        bucket=bucket,
        endpoint_url=environ.get("TINHSO_S3_ENDPOINT_URL", ""),
        region=environ.get("TINHSO_S3_REGION", ""),
        access_key=environ.get("TINHSO_S3_ACCESS_KEY", ""),
        secret_key=environ.get("TINHSO_S3_SECRET_KEY", ""),
        prefix=environ.get("TINHSO_S3_PREFIX", ""),
        addressing_style=environ.get("TINHSO_S3_ADDRESSING_STYLE", "path"),
    )


@contextmanager
def atomic_with_files() -> Iterator[StoredFiles]:
    stored: StoredFiles = []
    body_done = False
    try:
        with transaction.atomic():
            yield stored
            body_done = True
    except BaseException as exc:
        if body_done and isinstance(exc, InterfaceError | OperationalError):
            # the COMMIT itself failed on the connection: it may have been applied, and the
            # rows would then point at these files. Keep them: an orphan file can be cleaned
            # up, a record without its documents cannot be repaired.
            logger.warning("commit failed with an unknown outcome; kept %d files", len(stored))
        else:
            files_discard(stored)
        raise


def files_discard(stored: StoredFiles) -> None:
    """Delete files written by a change that did not commit (errors are logged)."""
    for storage, name in stored:
        try:
            storage.delete(name)
        except Exception:  # the original error matters more; the orphan is logged
            logger.exception("could not delete %s after a rolled-back change", name)
