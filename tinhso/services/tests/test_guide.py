"""Each procedure's short "Hướng dẫn" drawn from the catalogue (issue 15, item 9)."""

from __future__ import annotations

import re

import pytest

from tinhso.services.guide import procedure_guide
from tinhso.services.models import ProcedureChannel

pytestmark = pytest.mark.django_db


def test_guide_of_the_birth_registration(birth):
    g = procedure_guide(procedure=birth)
    assert g.who.startswith("Công dân Việt Nam")
    assert any(name.startswith("Giấy chứng sinh") for name in g.bring)
    assert g.has_form and g.optional.startswith("Thêm 2 giấy tờ")  # the marriage certificate too
    assert "ngày làm việc" in g.time
    assert g.fee == "Miễn phí."
    assert "Giấy khai sinh" in g.next_steps[-1] and "chữ ký số" in g.next_steps[-1]
    assert not any("phí" in s for s in g.next_steps)


def test_guide_with_a_fee_says_how_much_and_when(copy_proc):
    g = procedure_guide(procedure=copy_proc)
    assert g.fee.startswith("8.000 ₫") and "khi hồ sơ được tiếp nhận" in g.fee
    assert any("Bạn nộp phí" in s for s in g.next_steps)


def test_guide_never_guesses_a_time_unit(birth):
    ch = birth.channels.get(channel=2)
    ProcedureChannel.objects.filter(pk=ch.pk).update(time_unit="", review="no_unit")
    g = procedure_guide(procedure=birth)
    assert "chưa rõ đơn vị" in g.time and "rà soát" in g.time


def test_procedure_page_shows_the_guide_and_a_description(client, birth):
    html = client.get(f"/dich-vu-cong/thu-tuc/{birth.code}/").content.decode()
    assert 'id="guide-title"' in html and "Ai được nộp" in html and "Sau khi nộp" in html
    desc = re.search(r'<meta name="description" content="([^"]*)">', html)[1]
    assert birth.name in desc and birth.code in desc
