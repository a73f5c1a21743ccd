"""The editor's publish check is cached per content (issue 16, leftover 4): shown again,
the revision is not checked again; any change to what it checks gives a fresh check."""

from __future__ import annotations

import pytest

from tinhso.services.studio import services as studio
from tinhso.services.studio import steps as st
from tinhso.services.tests.test_studio import _build

pytestmark = pytest.mark.django_db


def test_check_cached_until_the_draft_changes(birth, user_named, monkeypatch) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    real = studio.revision_publish_errors
    calls: list[int] = []

    def counted(*, revision):
        calls.append(revision.pk)
        return real(revision=revision)

    monkeypatch.setattr(studio, "revision_publish_errors", counted)

    def check() -> list[str]:
        draft.refresh_from_db()
        return studio.revision_check(revision=draft)

    assert check() == [] and len(calls) == 1
    assert check() == [] and len(calls) == 1  # the same content: not checked again
    # a field added without its choices: checked again, and the problem shows
    studio.revision_field_add(user=admin, revision_id=draft.pk, kind="choice", label="Dân tộc")
    assert any("ít nhất hai lựa chọn" in e for e in check()) and len(calls) == 2
    studio.revision_field_remove(user=admin, revision_id=draft.pk, name="dan_toc")
    assert check() == [] and len(calls) == 2  # the first content again: its answer
    # the steps, the result template and the parts are part of the content
    st.revision_stage_update(user=admin, revision_id=draft.pk, index=1, values={"share": 1})
    assert any("100%" in e for e in check()) and len(calls) == 3
    st.revision_stages_reset(user=admin, revision_id=draft.pk)
    assert check() == [] and len(calls) == 3
    studio.result_template_save(
        user=admin, procedure=birth, title="Giấy khai sinh", body="Trẻ {ho_ten_tre}."
    )
    assert check() == [] and len(calls) == 4
    birth.parts.create(name="Giấy tờ mới bắt buộc", required=True, order=50)
    assert any("Giấy tờ mới bắt buộc" in e for e in check()) and len(calls) == 5
    assert check() and len(calls) == 5


def test_editor_page_uses_the_cached_check(client, birth, user_named, monkeypatch) -> None:
    admin = user_named("vanphong.cds")
    _build(admin, birth)
    client.force_login(admin)
    url = f"/dich-vu-cong/studio/{birth.code}/"
    assert "Bản nháp đã đủ điều kiện công bố." in client.get(url).content.decode()
    monkeypatch.setattr(studio, "revision_publish_errors", lambda **kw: ["không được gọi"])
    assert "Bản nháp đã đủ điều kiện công bố." in client.get(url).content.decode()
