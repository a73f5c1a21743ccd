"""Issue 15 item 10: the backup's messages are marked for translation."""

import pytest
from django.utils import translation

from tinhso.web.backup import BackupError, backup_create


def test_backup_refuses_a_non_empty_directory_in_english(tmp_path):
    (tmp_path / "x").write_text("x")
    with translation.override("vi"), pytest.raises(BackupError, match="không trống"):
        backup_create(target=tmp_path)
    with translation.override("en"), pytest.raises(BackupError) as exc:
        backup_create(target=tmp_path)
    assert str(exc.value) == f"The directory {tmp_path} is not empty."
