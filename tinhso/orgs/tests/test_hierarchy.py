import datetime as dt
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tinhso.audit.models import AuditEntry
from tinhso.orgs.models import OrgUnit, Succession
from tinhso.orgs.selectors import orgunit_get, orgunit_subtree, orgunit_successors
from tinhso.orgs.services import (
    ImportFormatError,
    dvhcvn_import,
    orgunit_close,
    reorganisation_apply,
)

DVHCVN = settings.SHARED_DIR / "data/dvhcvn/dvhcvn-2025-03-01.json"
SPLITS = settings.SHARED_DIR / "data/dvhcvn/binh-duong-splits-2025-07-01.json"
BEFORE = dt.date(2024, 6, 1)
AFTER = dt.date(2025, 8, 1)


def test_demo_has_binh_duong_2022(demo_orgs):
    province = orgunit_get(code="74", on=dt.date(2022, 6, 1))
    tree = orgunit_subtree(unit=province, on=dt.date(2022, 6, 1))
    assert tree.filter(level=2, category="admin").count() == 9
    assert tree.filter(level=3).count() == 91
    assert tree.filter(kind="department").count() == 18
    assert tree.filter(kind="service_centre").count() == 1
    dian = orgunit_get(code="724")
    assert dian.name == "Thành phố Dĩ An"
    assert orgunit_subtree(unit=dian).count() == 1 + 7


def test_subtree_is_limited_to_the_date(demo_orgs):
    dian = orgunit_get(code="724", on=BEFORE)
    commune = dian.children.first()
    assert commune is not None
    orgunit_close(actor=None, unit=commune, on=dt.date(2024, 1, 1))
    assert orgunit_subtree(unit=dian, on=dt.date(2023, 12, 31)).count() == 8
    assert orgunit_subtree(unit=dian, on=dt.date(2024, 1, 1)).count() == 7
    assert not orgunit_subtree(unit=dian, on=dt.date(2019, 1, 1)).exists()


def test_reorganisation_2025_closes_old_and_links_successors(demo_orgs):
    result = reorganisation_apply(path=SPLITS, on=dt.date(2025, 7, 1))
    assert result.unmatched == []
    assert result.opened == 1 + 36  # Hồ Chí Minh City (new) and 36 new wards/communes
    # Before: Bình Dương with its 9 districts and 91 communes
    old = orgunit_get(code="74", on=BEFORE)
    assert orgunit_subtree(unit=old, on=BEFORE).filter(level=3).count() == 91
    # After: Bình Dương is gone, the district level too
    assert not OrgUnit.objects.filter(code="74", valid_to__isnull=True).exists()
    assert not orgunit_subtree(unit=old, on=AFTER).exists()
    hcm = orgunit_get(code="79", on=AFTER)
    assert orgunit_subtree(unit=hcm, on=AFTER).filter(level=3).count() == 36
    assert not orgunit_subtree(unit=hcm, on=AFTER).filter(level=2).exists()
    # Code 25747 is reused: Phú Cường (old) → Thủ Dầu Một (new)
    assert orgunit_get(code="25747", on=BEFORE).name == "Phường Phú Cường"
    assert orgunit_get(code="25747", on=AFTER).name == "Phường Thủ Dầu Một"
    # A unit split in two has two successors
    hiep_thanh = orgunit_get(code="25741", on=BEFORE)
    names = {u.name for u in orgunit_successors(unit=hiep_thanh, on=AFTER)}
    assert names == {"Phường Thủ Dầu Một", "Phường Phú Lợi"}
    # history stays reportable: the old unit still exists with its period
    assert hiep_thanh.valid_to == dt.date(2025, 7, 1)
    # idempotent
    again = reorganisation_apply(path=SPLITS, on=dt.date(2025, 7, 1))
    assert again.opened == 0 and again.links == 0
    assert Succession.objects.filter(successor__code="79").exists()


@pytest.mark.django_db
def test_import_whole_country_is_idempotent():
    first = dvhcvn_import(path=DVHCVN, valid_from=dt.date(2020, 1, 1))
    assert first.created == 63 + 696 + 10047
    assert len(first.provinces) == 63
    count = OrgUnit.objects.count()
    second = dvhcvn_import(path=DVHCVN, valid_from=dt.date(2020, 1, 1))
    assert second.created == 0 and second.updated == 0 and second.unchanged == first.created
    assert OrgUnit.objects.count() == count
    ha_noi = orgunit_get(code="01")
    assert orgunit_subtree(unit=ha_noi).filter(level=2).count() > 20
    # one audit entry per import run, not one per unit
    assert AuditEntry.objects.filter(action="orgunit.import").count() == 2


@pytest.mark.django_db
def test_import_one_province_with_command():
    call_command("import_dvhcvn", str(DVHCVN), province="74", no_progress=True)
    assert OrgUnit.objects.count() == 1 + 9 + 91


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["data"][5]["level2s"][0].pop("level2_id"), "level2_id"),
        (lambda d: d["data"][62]["level2s"][0]["level3s"][0].update(type="Làng"), "Làng"),
        (lambda d: d.pop("data"), "data"),
        (
            lambda d: d["data"][3]["level2s"][1]["level3s"].append(
                dict(d["data"][3]["level2s"][1]["level3s"][0])
            ),
            "trùng",
        ),
    ],
)
def test_malformed_file_imports_nothing(tmp_path, mutate, message):
    doc = json.loads(DVHCVN.read_text(encoding="utf-8"))
    mutate(doc)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ImportFormatError, match=message):
        dvhcvn_import(path=bad, valid_from=dt.date(2020, 1, 1))
    assert OrgUnit.objects.count() == 0


@pytest.mark.django_db
def test_not_json_gives_clear_command_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(CommandError, match=r"Không nhập gì.*JSON"):
        call_command("import_dvhcvn", str(bad), no_progress=True)
    assert OrgUnit.objects.count() == 0
