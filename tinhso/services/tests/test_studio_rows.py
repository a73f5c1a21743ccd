"""Repeating blocks whose rows the applicant adds and removes (issue 16, leftover 3):
min/max rows from the spec, the row count checked on the server, the minimum rendered
without scripts, a labelled template row for the script."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tinhso.services.studio.render import ROW_LIMIT, studio_form_class, studio_validate
from tinhso.services.studio.spec import field_errors, field_normalise


def _fields(**block: Any) -> list[dict[str, Any]]:
    return [
        field_normalise(
            {
                "name": "con",
                "kind": "repeat",
                "label": "Các con",
                "required": True,
                "min_items": 2,
                "max_items": 3,
                "children": [
                    {"name": "ho_ten", "kind": "text", "label": "Họ tên", "required": True},
                    {"name": "nam_sinh", "kind": "number", "label": "Năm sinh", "required": False},
                ],
                **block,
            }
        )
    ]


def _rows(n: int, start: int = 0) -> dict[str, str]:
    return {f"con__{i}__ho_ten": f"Con {i}" for i in range(start, start + n)}


def test_row_count_checked_on_the_server() -> None:
    fields = _fields()
    with pytest.raises(ValidationError) as exc:
        studio_validate(fields=fields, data=_rows(1))
    assert "ít nhất 2 dòng" in str(exc.value.message_dict["con__0__ho_ten"])
    with pytest.raises(ValidationError) as exc:
        studio_validate(fields=fields, data=_rows(4))
    assert "tối đa 3 dòng (đã khai 4 dòng)" in str(exc.value.message_dict["con__0__ho_ten"])
    # rows added and removed leave gaps in the indices: the rows are kept in order
    got = studio_validate(fields=fields, data={"con__0__ho_ten": "An", "con__7__ho_ten": "Bình"})
    assert got["con"] == [{"ho_ten": "An"}, {"ho_ten": "Bình"}]
    # the API's nested rows
    got = studio_validate(fields=fields, data={"con": [{"ho_ten": "An"}, {"ho_ten": "Bình"}]})
    assert len(got["con"]) == 2
    # a forged row index beyond the limit is never read
    data = {**_rows(2), f"con__{ROW_LIMIT}__ho_ten": "X", "con__99999__ho_ten": "Y"}
    assert len(studio_validate(fields=fields, data=data)["con"]) == 2


def test_not_required_block_without_minimum_may_stay_empty() -> None:
    fields = _fields(required=False, min_items=None)
    assert "con" not in studio_validate(fields=fields, data={})
    with pytest.raises(ValidationError):
        studio_validate(fields=_fields(required=True, min_items=None), data={})


def test_minimum_rendered_without_scripts_and_a_template_row() -> None:
    form = studio_form_class(fields=_fields(min_items=2, max_items=5), with_uploads=False)()
    html = "".join(str(f) for f in form)
    assert 'name="f_con__1__ho_ten"' in html and 'name="f_con__2__ho_ten"' not in html
    item = next(i for i in form.studio_items() if i["kind"] == "repeat")
    assert [r["n"] for r in item["rows"]] == [1, 2]
    assert (item["least"], item["most"], item["next"]) == (2, 5, 2)
    template = item["template"][0]
    assert template.html_name == "f_con__ROWINDEX__ho_ten"
    assert template.label == "Họ tên (dòng ROWNUMBER)"
    # a bound form (or a saved draft's values) shows every row it has, labelled per row
    form = studio_form_class(fields=_fields(), with_uploads=False)(data={"f_con__4__ho_ten": "A"})
    item = next(i for i in form.studio_items() if i["kind"] == "repeat")
    assert [r["n"] for r in item["rows"]] == [1, 2, 5]
    assert item["rows"][2]["fields"][0].label == "Họ tên (dòng 5)"
    form = studio_form_class(fields=_fields(), with_uploads=False)()
    form.initial = {"f_con__3__ho_ten": "A"}
    item = next(i for i in form.studio_items() if i["kind"] == "repeat")
    assert [r["n"] for r in item["rows"]] == [1, 2, 4]


def test_spec_checks_min_rows() -> None:
    spec = _fields(min_items=4, max_items=3)[0]
    assert any("số dòng tối thiểu" in e for e in field_errors(spec))
    assert not field_errors(_fields()[0])


@pytest.mark.django_db
def test_preview_page_has_the_row_controls(client, birth, user_named) -> None:
    from tinhso.services.studio import services as studio

    admin = user_named("vanphong.cds")
    draft = studio.revision_draft_get_or_create(user=admin, procedure=birth)
    studio.revision_field_add(user=admin, revision_id=draft.pk, kind="repeat", label="Các con")
    studio.revision_field_add(
        user=admin, revision_id=draft.pk, kind="text", label="Tên con", parent="cac_con"
    )
    client.force_login(admin)
    page = client.get(f"/dich-vu-cong/studio/{birth.code}/xem-truoc/").content.decode()
    assert 'data-rows-min="1" data-rows-max="3"' in page
    assert "<template data-row-template>" in page
    assert 'aria-label="Thêm dòng vào “Các con”"' in page
    assert 'aria-label="Xóa dòng 1 của “Các con”"' in page
    assert "<script>" not in page  # no inline script (CSP)
