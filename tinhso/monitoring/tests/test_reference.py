"""The reference data (indicator catalogue with its legal targets, scoring methodologies):
installed from its JSON files by ``install_reference_data``, idempotently, audited, and
refused whole when a file is malformed."""

import io
import json
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tinhso.audit.models import AuditEntry
from tinhso.monitoring.models import Component, Indicator, MainIndicator, Methodology, Target
from tinhso.monitoring.reference import INDICATORS_FILE, METHODOLOGIES_FILE

pytestmark = pytest.mark.django_db


def _snapshot():
    """Every installed row with every column, and the audit log's length."""
    rows = {}
    for model in (Indicator, Target, Methodology, MainIndicator, Component):
        rows[model.__name__] = sorted(
            tuple(sorted((k, str(v)) for k, v in r.items())) for r in model.objects.values()
        )
    rows["responsible"] = sorted(
        Indicator.responsible_units.through.objects.values_list("indicator_id", "orgunit_id")
    )
    return rows, AuditEntry.objects.count()


def _install(**files):
    out = io.StringIO()
    call_command("install_reference_data", stdout=out, **files)
    return out.getvalue()


@pytest.fixture
def files(tmp_path):
    """Editable copies of the shipped files."""
    ind = tmp_path / "indicators.json"
    meth = tmp_path / "methodologies.json"
    shutil.copy(INDICATORS_FILE, ind)
    shutil.copy(METHODOLOGIES_FILE, meth)
    return ind, meth


def _edit(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _indicator(data, code):
    return next(i for i in data["indicators"] if i["code"] == code)


def test_install_creates_the_catalogue_with_its_legal_targets_audited(demo_orgs):
    before = AuditEntry.objects.count()
    out = _install()
    ind = Indicator.objects.get(code="DVC_TOAN_TRINH")
    assert not ind.is_demo and ind.factor == 100
    target = Target.objects.get(indicator=ind, org_unit__code="74", year=2030)
    assert target.value == 100 and target.kind == Target.Kind.ENTERED
    assert "05-NQ/TU" in target.source
    # the years between two targets are interpolated
    assert Target.objects.filter(
        indicator__code="KTS_GRDP", org_unit__code="74", year=2027, kind=Target.Kind.INTERPOLATED
    ).exists()
    # the demo's invented indicators are not reference data
    assert not Indicator.objects.filter(code="TUYEN_TRUYEN").exists()
    assert Methodology.objects.get(code="QD766-2024").main_indicators.count() == 5
    # a DTI 922 criterion scored on a demo indicator is skipped, and said so
    assert "TUYEN_TRUYEN" in out
    # every row written is audited
    created = AuditEntry.objects.filter(action="monitoring.reference.create")
    assert created.filter(object_type="monitoring.indicator").count() == Indicator.objects.count()
    assert created.filter(object_type="monitoring.component").count() == Component.objects.count()
    assert AuditEntry.objects.count() > before + Indicator.objects.count()


def test_installing_twice_changes_nothing(demo_orgs):
    _install()
    first = _snapshot()
    out = _install()
    assert "không có thay đổi" in out
    assert _snapshot() == first


def test_an_updated_file_updates_the_rows(demo_orgs, files):
    ind_file, meth_file = files
    _install()
    old_path = Target.objects.get(indicator__code="KTS_GRDP", org_unit__code="74", year=2027)

    def indicators(data):
        _indicator(data, "DVC_TOAN_TRINH")["name"] = "Tên mới của chỉ tiêu"
        grdp = _indicator(data, "KTS_GRDP")
        next(t for t in grdp["targets"] if t["year"] == 2030)["value"] = 40

    def methodologies(data):
        qd766 = next(m for m in data["methodologies"] if m["code"] == "QD766-2024")
        qd766["mains"][0]["name"] = "Công khai, minh bạch (sửa)"

    _edit(ind_file, indicators)
    _edit(meth_file, methodologies)
    out = _install(indicators=ind_file, methodologies=meth_file)
    assert Indicator.objects.get(code="DVC_TOAN_TRINH").name == "Tên mới của chỉ tiêu"
    grdp_2030 = Target.objects.get(indicator__code="KTS_GRDP", org_unit__code="74", year=2030)
    assert grdp_2030.value == 40
    new_path = Target.objects.get(pk=old_path.pk)
    assert new_path.value > old_path.value  # the path to 2030 follows the new target
    main = MainIndicator.objects.get(methodology__code="QD766-2024", code="A")
    assert main.name == "Công khai, minh bạch (sửa)"
    updates = AuditEntry.objects.filter(action="monitoring.reference.update")
    assert {e.object_type for e in updates} >= {
        "monitoring.indicator",
        "monitoring.target",
        "monitoring.mainindicator",
    }
    assert "Indicator DVC_TOAN_TRINH" in out


@pytest.mark.parametrize(
    "breakage, words",
    [
        (lambda d: _indicator(d, "KTS_GRDP").update(pillar="khong-co"), ["pillar"]),
        (
            lambda d: _indicator(d, "KTS_GRDP")["targets"].append(
                {"year": 2030, "value": 1, "source": "x"}
            ),
            ["2030"],
        ),
        (lambda d: _indicator(d, "KTS_GRDP").update(unknown_column=1), ["unknown_column"]),
        (lambda d: d["indicators"].append(dict(d["indicators"][0])), ["DVC_TOAN_TRINH"]),
        (lambda d: _indicator(d, "HS_TRUC_TUYEN")["targets"][0].update(value=120), ["100"]),
    ],
)
def test_a_malformed_indicators_file_is_refused_whole(demo_orgs, files, breakage, words):
    ind_file, meth_file = files
    _install()
    before = _snapshot()

    def change(data):
        _indicator(data, "DVC_TOAN_TRINH")["name"] = "Một thay đổi hợp lệ"
        breakage(data)

    _edit(ind_file, change)
    with pytest.raises(CommandError) as exc:
        _install(indicators=ind_file, methodologies=meth_file)
    message = str(exc.value)
    assert "indicators.json không hợp lệ, không cài đặt gì" in message
    for word in words:
        assert word in message
    assert _snapshot() == before


def test_a_malformed_methodologies_file_stops_the_indicators_too(demo_orgs, files):
    ind_file, meth_file = files
    _edit(ind_file, lambda d: _indicator(d, "DVC_TOAN_TRINH").update(name="Không được cài"))
    _edit(meth_file, lambda d: d["methodologies"][0]["mains"][0]["components"][0].update(rule="?"))
    with pytest.raises(CommandError, match=r"(?s)methodologies\.json không hợp lệ.*rule"):
        _install(indicators=ind_file, methodologies=meth_file)
    assert not Indicator.objects.exists() and not Methodology.objects.exists()


def test_a_file_that_is_not_json_is_refused(files):
    ind_file, meth_file = files
    ind_file.write_text('{"province": "74", "indicators": [', encoding="utf-8")
    with pytest.raises(CommandError, match="không phải JSON hợp lệ"):
        _install(indicators=ind_file, methodologies=meth_file)
    assert not Indicator.objects.exists()


def test_the_demo_installs_through_the_same_installer(demo_orgs):
    from tinhso.monitoring.demo import catalogue_load
    from tinhso.monitoring.methodologies import methodologies_install

    indicators = catalogue_load()
    methodologies_install()
    assert indicators["TUYEN_TRUYEN"].is_demo and not indicators["DVC_TOAN_TRINH"].is_demo
    # the demo's indicators keep their place among the reference ones
    assert list(indicators) == sorted(indicators, key=lambda c: indicators[c].order)
    assert (
        Decimal(
            Target.objects.get(
                indicator__code="HS_TRUC_TUYEN", org_unit__code="74", year=2025
            ).value
        )
        == 75
    )
    # and the reference install afterwards leaves the demo rows as they are
    first = _snapshot()
    assert "không có thay đổi" in _install()
    assert _snapshot() == first
