"""Files written by a change that also writes rows: one transaction for both.

``atomic_with_files()`` is ``transaction.atomic()`` for a change that writes uploaded files to
storage: the files are written inside the transaction (before the rows that point at them
commit); the block collects them (``stored.append((storage, name))`` as soon as each is
written) and if the transaction does not commit they are deleted again, so a failure leaves
neither rows nor files. Use it as the outermost transaction: a rollback of an enclosing one is
not seen. Used by every app that stores uploads with rows (services, feedback)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.storage import Storage
from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger(__name__)

StoredFiles = list[tuple[Storage, str]]


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
