"""Management pages: targets (set, interpolate, adjust), plan tasks (create, assign, update,
overdue), population per unit and year; permissions, Vietnamese errors, audit, reminders,
the DX office's role page and the PDF's language."""

import datetime as dt
import shutil
import subprocess
import tempfile
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from tinhso.audit.models import AuditEntry
from tinhso.monitoring import selectors
from tinhso.monitoring.models import PlanTask, Target
from tinhso.monitoring.services import population_save, target_set, task_create, task_edit
from tinhso.orgs.models import Population
from tinhso.testing import cannot_run

from .conftest import unit


@pytest.fixture
def users(user_named):
    names = ("canbo.dian", "lanhdao.dian", "lanhdao.thuanan", "canbo.thuanan", "vanphong.cds")
    return {n: user_named(n) for n in names}


@pytest.fixture
def dian():
    return unit("724", timezone.localdate())


def _targets(ind, u):
    return {t.year: (t.value, t.kind) for t in Target.objects.filter(indicator=ind, org_unit=u)}


# --- targets --------------------------------------------------------------------------------


def test_head_sets_own_unit_targets_but_not_another_units(client, catalogue, users, dian):
    ind = catalogue["DVC_TOAN_TRINH"]
    before = _targets(ind, dian)
    url = f"/chuyen-doi-so/chi-tieu-giao/{dian.pk}/{ind.code}/"
    post = {"action": "set", "year": 2026, "kind": "entered", "comparator": ">=", "value": "97"}
    # the head of Thuận An: no page, no write, nothing stored
    client.force_login(users["lanhdao.thuanan"])
    assert client.get(url).status_code == 403
    assert client.post(url, post).status_code == 403
    with pytest.raises(PermissionDenied):
        target_set(actor=users["lanhdao.thuanan"], indicator=ind, org_unit=dian, year=2026, value=9)
    # an officer of Dĩ An itself cannot assign targets either
    client.force_login(users["canbo.dian"])
    assert client.post(url, post).status_code == 403
    assert _targets(ind, dian) == before
    assert not AuditEntry.objects.filter(action="monitoring.target.set").exists()
    # the head of Dĩ An can; their unit list holds Dĩ An (and what is below it) only
    client.force_login(users["lanhdao.dian"])
    page = client.get("/chuyen-doi-so/chi-tieu-giao/").content.decode()
    assert "UBND thành phố Dĩ An" in page and "UBND thành phố Thuận An" not in page
    resp = client.post(url, post)
    assert resp.status_code == 302
    assert _targets(ind, dian)[2026] == (D("97.0000"), "entered")
    entry = AuditEntry.objects.get(action="monitoring.target.set")
    assert entry.actor_id == users["lanhdao.dian"].pk and entry.org_unit_id == dian.pk


def test_path_interpolated_from_baseline_then_one_year_adjusted(client, catalogue, users, dian):
    ind = catalogue["KTS_GRDP"]
    url = f"/chuyen-doi-so/chi-tieu-giao/{dian.pk}/{ind.code}/"
    client.force_login(users["vanphong.cds"])
    Target.objects.filter(indicator=ind, org_unit=dian).delete()
    for year, kind, value in (
        (2022, "baseline", "8"),
        (2025, "entered", "20"),
        (2030, "entered", "30"),
    ):
        r = client.post(
            url, {"action": "set", "year": year, "kind": kind, "comparator": ">=", "value": value}
        )
        assert r.status_code == 302, r.content.decode()
    assert client.post(url, {"action": "interpolate"}).status_code == 302
    path = _targets(ind, dian)
    assert path[2023] == (D("12.0000"), "interpolated")  # 8 → 20 over 2022–2025
    assert path[2024] == (D("16.0000"), "interpolated")
    assert path[2027] == (D("24.0000"), "interpolated")  # 20 → 30 over 2025–2030
    # adjust a single year (Vietnamese decimal comma), then interpolate again: it is kept
    r = client.post(
        url, {"action": "set", "year": 2027, "kind": "entered", "comparator": ">=", "value": "25,5"}
    )
    assert r.status_code == 302
    client.post(url, {"action": "interpolate"})
    path = _targets(ind, dian)
    assert path[2027] == (D("25.5000"), "adjusted")
    assert path[2026] == (D("22.7500"), "interpolated")  # re-interpolated around 2027
    html = client.get(url).content.decode()
    assert "Nội suy, đã điều chỉnh" in html and "25,5%" in html
    mine = AuditEntry.objects.filter(actor=users["vanphong.cds"])
    assert mine.filter(action="monitoring.target.interpolate").count() == 2
    assert AuditEntry.objects.filter(action="monitoring.target.set", org_unit=dian).count() == 4


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("KTS_GRDP", "abc", "không phải là số"),
        ("KTS_GRDP", "130", "0–100%"),
        ("KTS_GRDP", "", "Trường này là bắt buộc"),
    ],
)
def test_invalid_target_numbers_vietnamese_errors_nothing_stored(
    client, catalogue, users, dian, code, value, message
):
    ind = catalogue[code]
    before = _targets(ind, dian)
    client.force_login(users["vanphong.cds"])
    resp = client.post(
        f"/chuyen-doi-so/chi-tieu-giao/{dian.pk}/{code}/",
        {"action": "set", "year": 2026, "kind": "entered", "comparator": ">=", "value": value},
    )
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert _targets(ind, dian) == before
    assert not AuditEntry.objects.filter(action="monitoring.target.set").exists()


def test_target_service_refuses_bad_year_kind_and_negative(catalogue, users, dian):
    ind, count_ind = catalogue["KTS_GRDP"], catalogue["TUYEN_TRUYEN"]
    assert count_ind.unit == "count"
    dx = users["vanphong.cds"]
    with pytest.raises(ValidationError, match="Năm phải trong khoảng"):
        target_set(actor=dx, indicator=ind, org_unit=dian, year=1800, value=10)
    with pytest.raises(ValidationError, match="Loại chỉ tiêu"):
        target_set(actor=dx, indicator=ind, org_unit=dian, year=2026, value=10, kind="x")
    with pytest.raises(ValidationError, match="không được âm"):
        target_set(actor=dx, indicator=count_ind, org_unit=dian, year=2026, value=-1)
    assert 2026 not in _targets(ind, dian) and 2026 not in _targets(count_ind, dian)


# --- tasks ----------------------------------------------------------------------------------


def _task_post(u, head=None, **kw):
    data = {
        "year": 2025,
        "title": "Triển khai kho dữ liệu số của thành phố",
        "org_unit": u.pk,
        "head": head.pk if head else "",
        "deadline": "2025-06-30",
        "source": "Kế hoạch CĐS 2025",
    }
    data.update(kw)
    return data


def test_officer_cannot_create_tasks(client, catalogue, users, dian):
    client.force_login(users["canbo.dian"])
    assert client.get("/chuyen-doi-so/nhiem-vu/moi/").status_code == 403
    assert client.post("/chuyen-doi-so/nhiem-vu/moi/", _task_post(dian)).status_code == 403
    with pytest.raises(PermissionDenied):
        task_create(
            actor=users["canbo.dian"],
            year=2025,
            title="x",
            org_unit=dian,
            deadline=dt.date(2025, 6, 30),
        )
    assert not PlanTask.objects.exists()
    assert "Giao nhiệm vụ mới" not in client.get("/chuyen-doi-so/nhiem-vu/").content.decode()


def test_head_creates_assigns_and_officer_updates_a_task(client, catalogue, users, dian):
    head = users["lanhdao.dian"]
    client.force_login(head)
    assert "Giao nhiệm vụ mới" in client.get("/chuyen-doi-so/nhiem-vu/").content.decode()
    # another unit's head cannot be the responsible head; another unit is not offered
    resp = client.post("/chuyen-doi-so/nhiem-vu/moi/", _task_post(dian, users["lanhdao.thuanan"]))
    assert resp.status_code == 400
    thuanan = unit("725", timezone.localdate())
    resp = client.post("/chuyen-doi-so/nhiem-vu/moi/", _task_post(thuanan))
    assert resp.status_code == 400 and "lựa chọn hợp lệ" in resp.content.decode()
    resp = client.post(
        "/chuyen-doi-so/nhiem-vu/moi/", _task_post(dian, head, title="  ", deadline="30/06/2025")
    )
    assert resp.status_code == 400
    assert not PlanTask.objects.exists()
    ind = catalogue["HSCV_TRUC_TUYEN"]
    resp = client.post("/chuyen-doi-so/nhiem-vu/moi/", _task_post(dian, head, indicators=[ind.pk]))
    assert resp.status_code == 302
    task = PlanTask.objects.get()
    assert (task.org_unit, task.head, task.deadline) == (dian, head, dt.date(2025, 6, 30))
    assert list(task.indicators.all()) == [ind]
    created = AuditEntry.objects.get(action="monitoring.task.create")
    assert created.actor_id == head.pk
    # the officer updates progress; a bad percentage is refused and nothing changes
    client.force_login(users["canbo.dian"])
    url = f"/chuyen-doi-so/nhiem-vu/{task.pk}/cap-nhat/"
    client.post(url, {"status": "in_progress", "progress": "150"})
    task.refresh_from_db()
    assert (task.status, task.progress) == ("not_started", 0)
    resp = client.post(
        url,
        {"status": "in_progress", "progress": "60", "note": "Đã xong 3/5 hạng mục"},
        follow=True,
    )
    task.refresh_from_db()
    assert (task.status, task.progress) == ("in_progress", 60)
    assert "Đã cập nhật nhiệm vụ." in resp.content.decode()
    # the officer sees no edit form and cannot re-assign
    html = client.get(f"/chuyen-doi-so/nhiem-vu/{task.pk}/").content.decode()
    assert "Cập nhật tiến độ" in html and "Sửa, giao lại nhiệm vụ" not in html
    assert client.post(f"/chuyen-doi-so/nhiem-vu/{task.pk}/", _task_post(dian)).status_code == 403
    # another unit's head cannot edit it; the DX office can move the deadline
    with pytest.raises(PermissionDenied):
        task_edit(
            actor=users["lanhdao.thuanan"],
            task=task,
            year=2025,
            title="x",
            org_unit=thuanan,
            deadline=dt.date(2025, 9, 30),
        )
    client.force_login(users["vanphong.cds"])
    resp = client.post(
        f"/chuyen-doi-so/nhiem-vu/{task.pk}/",
        _task_post(dian, head, deadline="2025-09-30", indicators=[ind.pk]),
    )
    assert resp.status_code == 302
    task.refresh_from_db()
    assert task.deadline == dt.date(2025, 9, 30)
    edit = AuditEntry.objects.get(action="monitoring.task.edit")
    assert edit.changes["before"]["deadline"] == "2025-06-30"


def test_overdue_task_is_flagged_to_its_head(client, catalogue, users, dian, monkeypatch):
    task = task_create(
        actor=users["vanphong.cds"],
        year=2025,
        title="Số hóa hồ sơ đất đai",
        org_unit=dian,
        deadline=dt.date(2025, 3, 31),
        head=users["lanhdao.dian"],
    )
    monkeypatch.setattr(selectors.common, "today", lambda: dt.date(2025, 4, 2))
    client.force_login(users["lanhdao.dian"])
    html = client.get("/chuyen-doi-so/nhiem-vu/").content.decode()
    assert 'id="my-overdue"' in html and "Số hóa hồ sơ đất đai" in html
    assert 'id="overdue"' in client.get(f"/chuyen-doi-so/nhiem-vu/{task.pk}/").content.decode()
    client.force_login(users["lanhdao.thuanan"])
    assert 'id="my-overdue"' not in client.get("/chuyen-doi-so/nhiem-vu/").content.decode()
    only = client.get("/chuyen-doi-so/nhiem-vu/?qua-han=1").content.decode()
    assert f'data-task="{task.pk}"' in only


# --- reminders ------------------------------------------------------------------------------


def test_remind_sends_overdue_tasks_to_heads_and_dry_run_sends_nothing(
    catalogue, users, dian, monkeypatch
):
    thuanan = unit("725", timezone.localdate())
    for u, head in ((dian, users["lanhdao.dian"]), (thuanan, None)):
        task_create(
            actor=users["vanphong.cds"],
            year=2025,
            title=f"Nhiệm vụ {u.code}",
            org_unit=u,
            deadline=dt.date(2025, 3, 31),
            head=head,
        )
    monkeypatch.setattr(selectors.common, "today", lambda: dt.date(2025, 4, 2))
    import tinhso.monitoring.management.commands.monitoring_remind as remind

    monkeypatch.setattr(remind, "today", lambda: dt.date(2025, 4, 2))
    out = _call("monitoring_remind", "--dry-run")
    assert mail.outbox == []
    assert "lanhdao.dian@example.vn: 1 nhiệm vụ quá hạn" in out
    _call("monitoring_remind")
    by_to = {m.to[0]: m for m in mail.outbox if "quá hạn" in m.subject}
    assert by_to["lanhdao.dian@example.vn"].body.count("Nhiệm vụ 724") == 1
    # no head named: the heads of the responsible unit are told
    assert "Nhiệm vụ 725" in by_to["lanhdao.thuanan@example.vn"].body


def _call(*args):
    import io

    buf = io.StringIO()
    call_command(*args, stdout=buf)
    return buf.getvalue()


# --- population -----------------------------------------------------------------------------


def _pop_post(units, year, rows):
    data = {"nam": str(year)}
    for u in units:
        total, adults, source = rows.get(u.code, ("", "", ""))
        data |= {f"total-{u.pk}": total, f"adults-{u.pk}": adults, f"source-{u.pk}": source}
    return data


def test_population_page_all_or_nothing_with_vietnamese_errors(client, catalogue, users):
    units = [
        unit("74", timezone.localdate()),
        unit("724", timezone.localdate()),
        unit("725", timezone.localdate()),
    ]
    for name in ("canbo.dian", "lanhdao.dian"):
        client.force_login(users[name])
        assert client.get("/chuyen-doi-so/dan-so/").status_code == 403
    client.force_login(users["vanphong.cds"])
    page = client.get("/chuyen-doi-so/dan-so/?nam=2024").content.decode()
    assert 'data-unit="74"' in page and 'data-unit="726"' in page  # province and 9 districts
    bad = _pop_post(
        units,
        2024,
        {
            "724": ("520.000", "380.000", "Niên giám 2024"),
            "725": ("600000", "700000", "Niên giám 2024"),  # adults > total
            "74": ("nhiều", "1", ""),
        },
    )
    resp = client.post("/chuyen-doi-so/dan-so/", bad)
    html = resp.content.decode()
    assert resp.status_code == 400
    assert "không được lớn hơn tổng dân số" in html and "không phải là số nguyên" in html
    assert 'value="520.000"' in html  # what was typed is kept
    assert not Population.objects.exists()
    assert not AuditEntry.objects.filter(action="population.set").exists()
    good = _pop_post(units, 2024, {"724": ("520.000", "380.000", "Niên giám 2024")})
    assert client.post("/chuyen-doi-so/dan-so/", good).status_code == 302
    p = Population.objects.get()
    assert (p.org_unit.code, p.year, p.total, p.adults, p.is_demo) == (
        "724",
        2024,
        520000,
        380000,
        False,
    )
    entry = AuditEntry.objects.get(action="population.set")
    assert entry.actor_id == users["vanphong.cds"].pk and entry.changes["after"]["adults"] == 380000
    with pytest.raises(PermissionDenied):
        population_save(
            actor=users["lanhdao.dian"],
            year=2024,
            rows=[{"org_unit": units[1], "total": 1, "adults": 1}],
        )


def test_demo_population_gives_the_adults_indicator_a_value(catalogue, users):
    from tinhso.accounts.models import User
    from tinhso.monitoring.demo import _population, population_estimates
    from tinhso.services.models import ServiceApplicantYear
    from tinhso.services.services import _applicant_year_note

    assert _population() == 40  # province + 9 districts × 2022–2025
    assert _population() == 0  # idempotent, and entered figures are never overwritten
    rows = Population.objects.all()
    assert all(p.is_demo and "minh họa" in p.source and p.adults < p.total for p in rows)
    est = population_estimates()
    assert est["74"][2025][1] == sum(est[c][2025][1] for c in est if c != "74")
    province = unit("74", timezone.localdate())
    ind = catalogue["DVC_NGUOI_LON"]
    assert selectors.computed_values(indicators=[ind], unit=province, year=2025)[ind.pk].value == 0
    dian = unit("724", timezone.localdate())
    for n in range(3):
        applicant = User.objects.create_user(username=f"dan{n}", password="x-x-x-x-x-9")
        # the services' write path: the applicant-year row and the subtree counters
        _applicant_year_note(
            org_unit_id=dian.pk,
            applicant_id=applicant.pk,
            at=dt.datetime(2025, 6, 1, 3, tzinfo=dt.UTC),
        )
    assert ServiceApplicantYear.objects.filter(org_unit=dian, year=2025).count() == 3
    v = selectors.computed_values(indicators=[ind], unit=dian, year=2025)[ind.pk]
    assert v.numerator == 3 and v.denominator == est["724"][2025][1] and v.value is not None


# --- role page and late list ------------------------------------------------------------------


def test_dx_office_role_page_links_the_late_list(client, catalogue, users, dian):
    client.force_login(users["vanphong.cds"])
    page = client.get("/trang-cua-toi/").content.decode()
    for url in (
        "/chuyen-doi-so/bao-cao/tre-han/",
        "/chuyen-doi-so/chi-tieu-giao/",
        "/chuyen-doi-so/dan-so/",
        "/chuyen-doi-so/nhiem-vu/moi/",
    ):
        assert f'href="{url}"' in page
    assert "Đơn vị chậm báo cáo" in page
    late = client.get("/chuyen-doi-so/bao-cao/tre-han/?nam=2024").content.decode()
    assert "UBND thành phố Dĩ An" in late and "Chưa nhập" in late
    client.force_login(users["canbo.dian"])
    page = client.get("/trang-cua-toi/").content.decode()
    assert 'href="/chuyen-doi-so/bao-cao/tre-han/"' in page
    assert 'href="/chuyen-doi-so/dan-so/"' not in page
    assert 'href="/chuyen-doi-so/chi-tieu-giao/"' not in page


# --- PDF language ---------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    if not shutil.which("pdftotext"):
        cannot_run("pdftotext (poppler-utils) is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run(
            ["pdftotext", "-layout", fh.name, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def test_pdf_headers_follow_the_active_language(catalogue):
    from tinhso.monitoring.pdfreport import report_pdf

    province = unit("74", timezone.localdate())
    with translation.override("vi"):
        vi = _pdf_text(report_pdf(unit=province, year=2025))
    with translation.override("en"):
        en = _pdf_text(report_pdf(unit=province, year=2025))
    assert "Tiến độ" in vi and "Đánh giá" in vi
    assert "Progress" in en and "Assessment" in en and "Đánh giá" not in en
    assert "Adults using online public services" in en
