"""Demo data of the monitoring app.

The indicator catalogue and its 2025/2030 targets are real, each with its source
(FACTS.md §2: Resolution 05-NQ/TU, the Bình Dương 2025 plan, Decisions 411 and 749): they
are reference data (``tinhso/monitoring/reference/``, installed in production by
``manage.py install_reference_data``), which the demo installs with the same installer.
Everything else is invented for the demo and marked ``is_demo``: four indicators, values of
2023–2024 in various approval states, plan tasks, and (only when the services app has not
generated any) synthetic daily service statistics for 2023–2024.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.monitoring.methodologies import methodologies_install
from tinhso.monitoring.models import (
    Indicator,
    Methodology,
    PeriodType,
    PlanTask,
    ReportedValue,
    ValueTransition,
)
from tinhso.monitoring.periods import periods_of_year
from tinhso.monitoring.reference import IndicatorCatalogue, reference_load
from tinhso.monitoring.selectors import reporting_units
from tinhso.monitoring.services import index_compute, indicators_install, task_create
from tinhso.orgs.models import OrgUnit, Population
from tinhso.orgs.services import population_set
from tinhso.services.models import ServiceDailyStat
from tinhso.services.services import stats_monthly_from_daily

R05 = "Nghị quyết 05-NQ/TU của Tỉnh ủy Bình Dương về chuyển đổi số đến 2025, định hướng 2030"
R05_2025 = R05 + " (mục tiêu 2025, theo cds.binhduong.gov.vn)"
KH2025 = "Kế hoạch chuyển đổi số tỉnh Bình Dương năm 2025 (binhduong.gov.vn, 04/2025)"
DEMO_SRC = "Chỉ tiêu theo dõi của nền tảng (minh họa, phục vụ chấm điểm DTI)"

P = Indicator.Unit.PERCENT

# The demo's own indicators (invented, ``is_demo``), installed like the reference catalogue
# (tinhso/monitoring/reference/indicators.json) and in the same format; ``order`` places them
# among the reference indicators.
DEMO_INDICATORS = IndicatorCatalogue.model_validate(
    {
        "province": "74",
        "indicators": [
            {
                "code": "TUYEN_TRUYEN",
                "order": 12,
                "name": "Số hội nghị, buổi tuyên truyền về chuyển đổi số",
                "name_en": "Awareness events on digital transformation",
                "pillar": "awareness",
                "unit": "count",
                "method": "reported",
                "period_type": "quarter",
                "jump_threshold": 10,
                "legal_source": DEMO_SRC,
                "responsible": "units",
            },
            {
                "code": "VAN_BAN_CDS",
                "order": 13,
                "name": "Số văn bản chỉ đạo, kế hoạch, quy chế về chuyển đổi số ban hành",
                "name_en": "Directives and plans on digital transformation",
                "pillar": "institutions",
                "unit": "count",
                "method": "reported",
                "period_type": "year",
                "legal_source": DEMO_SRC,
                "responsible": "units",
            },
            {
                "code": "KET_NOI_MANG",
                "order": 14,
                "name": "Tỷ lệ đơn vị trực thuộc kết nối mạng truyền số liệu chuyên dùng",
                "name_en": "Units on the government data network",
                "pillar": "infrastructure",
                "unit": "percent",
                "method": "reported",
                "numerator_label": "Số đơn vị đã kết nối",
                "denominator_label": "Tổng số đơn vị trực thuộc",
                "period_type": "year",
                "legal_source": DEMO_SRC,
                "responsible": "units",
            },
            {
                "code": "ATTT_CAP_DO",
                "order": 16,
                "name": "Tỷ lệ hệ thống thông tin được phê duyệt cấp độ an toàn thông tin",
                "name_en": "Information systems with an approved security level",
                "pillar": "information_security",
                "unit": "percent",
                "method": "reported",
                "numerator_label": "Số hệ thống đã phê duyệt cấp độ",
                "denominator_label": "Tổng số hệ thống thông tin",
                "period_type": "year",
                "legal_source": DEMO_SRC,
                "responsible": "units",
            },
        ],
    }
)

# Invented province-wide values (demo): year → value.
PROVINCE_VALUES = {
    "TTHC_SO_HOA": {2023: "58.5", 2024: "71.2"},
    "THANH_TRA_SO": {2023: "22", 2024: "38"},
    "LUU_TRU_SO_HOA": {2023: "92.4", 2024: "100"},
    "DVC_DI_DONG": {2023: "64", 2024: "76.5"},
    "DV_SANG_TAO": {2023: "6", 2024: "11"},
    "KTS_GRDP": {2023: "10.6", 2024: "11.34"},
    "KTS_NGANH": {2023: "6.8", 2024: "8.1"},
    "TMDT_BAN_LE": {2023: "7.4", 2024: "9.2"},
    "DN_HOP_DONG_DT": {2023: "61", 2024: "72"},
    "SME_NEN_TANG": {2023: "31", 2024: "39"},
    "LD_KTS": {2023: "1.6", 2024: "1.9"},
    "TK_THANH_TOAN": {2023: "82", 2024: "87.5"},
    "CKS_CA_NHAN": {2023: "18", 2024: "34"},
    "DIEN_THOAI_TM": {2023: "79", 2024: "84"},
    "HSSK_DIEN_TU": {2023: "55", 2024: "81"},
    "KY_NANG_SO": {2023: "48", 2024: "57"},
    "TK_TT_DIEN_TU": {2023: "45", 2024: "58"},
}

SYNTHETIC_FROM = dt.date(2023, 1, 1)
SYNTHETIC_TO = dt.date(2024, 12, 31)


def _unit(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, valid_to__isnull=True).order_by("-valid_from").first()


def _reporting_units() -> list[OrgUnit]:
    return reporting_units(province=_unit("74"))


def catalogue_load() -> dict[str, Indicator]:
    """Install (or update) the reference indicator catalogue with its targets, then the demo's
    own indicators: the same installer as ``manage.py install_reference_data``."""
    reference, _methods = reference_load()
    indicators, _report = indicators_install(catalogue=reference)
    demo, _report = indicators_install(catalogue=DEMO_INDICATORS, is_demo=True)
    both = {**indicators, **demo}
    return dict(sorted(both.items(), key=lambda item: item[1].order))


def _synthetic_stats(rng: random.Random) -> int:
    """SYNTHETIC demo statistics (not generated from dossiers): only when the services app
    has no statistics for 2023–2024. The lead may replace them with generated dossiers."""
    if ServiceDailyStat.objects.filter(day__gte=SYNTHETIC_FROM, day__lte=SYNTHETIC_TO).exists():
        return 0
    units = _reporting_units()
    centre = _unit("74.TTPVHCC")
    if centre is not None:
        units.append(centre)
    rows = []
    total_days = (SYNTHETIC_TO - SYNTHETIC_FROM).days
    for u in units:
        size = rng.randint(4, 30) if u.level == 2 else rng.randint(1, 12)
        skill = rng.uniform(-0.12, 0.12)  # how good this unit is, relative to the mean
        code = "1.001193" if u.category == "admin" else "1.000028"
        day = SYNTHETIC_FROM
        while day <= SYNTHETIC_TO:
            if day.weekday() < 5:
                t = (day - SYNTHETIC_FROM).days / total_days  # 0 → 1 over two years
                n = max(0, int(rng.gauss(size, size / 4)))
                online_p = min(0.97, max(0.05, 0.38 + 0.4 * t + skill))
                online = sum(rng.random() < online_p for _ in range(n))
                post = sum(rng.random() < 0.04 for _ in range(n - online))
                fin = max(0, int(rng.gauss(size * 0.95, size / 4)))
                ontime_p = min(0.995, max(0.6, 0.9 + 0.06 * t + skill / 2))
                early = sum(rng.random() < 0.3 for _ in range(fin))
                on_time = sum(rng.random() < ontime_p for _ in range(fin - early))
                fees = sum(rng.random() < 0.5 for _ in range(fin))
                fees_online = sum(rng.random() < online_p * 0.9 for _ in range(fees))
                ratings = sum(rng.random() < 0.35 for _ in range(fin))
                satisfied = sum(rng.random() < 0.86 + skill / 3 for _ in range(ratings))
                unsat = sum(rng.random() < 0.3 for _ in range(ratings - satisfied))
                rows.append(
                    ServiceDailyStat(
                        org_unit=u,
                        procedure_code=code,
                        day=day,
                        received_total=n,
                        received_online=online,
                        received_in_person=n - online - post,
                        received_post=post,
                        received_digitised=sum(
                            rng.random() < min(0.99, 0.5 + 0.4 * t + skill) for _ in range(n)
                        ),
                        refused=sum(rng.random() < 0.02 for _ in range(n)),
                        withdrawn=sum(rng.random() < 0.01 for _ in range(n)),
                        finished_total=fin,
                        finished_early=early,
                        finished_on_time=on_time,
                        finished_late=fin - early - on_time,
                        results_digital=sum(
                            rng.random() < min(0.99, 0.3 + 0.5 * t + skill) for _ in range(fin)
                        ),
                        fees_total=fees,
                        fees_online=fees_online,
                        ratings_total=ratings,
                        ratings_satisfied=satisfied,
                        ratings_normal=ratings - satisfied - unsat,
                        ratings_unsatisfied=unsat,
                    )
                )
            day += dt.timedelta(days=1)
    with transaction.atomic():
        ServiceDailyStat.objects.bulk_create(rows, batch_size=2000)
        stats_monthly_from_daily()  # the monthly rows the dashboards read: sums of the days
    return len(rows)


def _reported_history(indicators: dict[str, Indicator], rng: random.Random) -> int:
    """Invented reported values for 2023–2024; the last period of 2024 in mixed states."""
    if ReportedValue.objects.filter(is_demo=True).exists():
        return 0
    province = _unit("74")
    officer = User.objects.filter(username="vanphong.cds").first()
    now = timezone.now()
    states = [
        (ReportedValue.Status.ACCEPTED, 0.62),
        (ReportedValue.Status.APPROVED, 0.14),
        (ReportedValue.Status.SUBMITTED, 0.1),
        (ReportedValue.Status.RETURNED, 0.05),
        (ReportedValue.Status.DRAFT, 0.04),
        (None, 0.05),  # nothing entered: shows in the late list
    ]

    def pick_state() -> str | None:
        x = rng.random()
        for state, p in states:
            if x < p:
                return state
            x -= p
        return None

    values: list[ReportedValue] = []
    reporters = _reporting_units()
    for u in reporters:
        skill = rng.uniform(-1, 1)
        for code in (
            "HSCV_TRUC_TUYEN",
            "TUYEN_TRUYEN",
            "VAN_BAN_CDS",
            "KET_NOI_MANG",
            "CB_TAP_HUAN",
            "ATTT_CAP_DO",
        ):
            ind = indicators[code]
            for year in (2023, 2024):
                for p in periods_of_year(year=year, kind=ind.period_type):
                    last = p.end >= dt.date(2024, 10, 1)
                    state = pick_state() if last else ReportedValue.Status.ACCEPTED
                    if state is None:
                        continue
                    step = (p.start - dt.date(2023, 1, 1)).days / 730
                    num = den = None
                    if ind.unit == P:
                        den = Decimal(rng.randint(40, 400))
                        share = min(
                            1.0,
                            max(0.2, 0.7 + 0.25 * step + 0.1 * skill + rng.uniform(-0.04, 0.04)),
                        )
                        num = (den * Decimal(str(round(share, 3)))).quantize(Decimal(1))
                        value = (num / den * 100).quantize(Decimal("0.01"))
                    elif code == "TUYEN_TRUYEN":
                        value = Decimal(max(0, round(1.5 + skill + rng.uniform(-1, 1.5))))
                    else:
                        value = Decimal(max(0, round(4 + 2 * skill + rng.uniform(-2, 3))))
                    values.append(
                        ReportedValue(
                            indicator=ind,
                            org_unit=u,
                            subject=u,
                            period_type=p.kind,
                            period=p.key,
                            year=year,
                            value=value,
                            numerator=num,
                            denominator=den,
                            status=state,
                            is_demo=True,
                            created_by=officer,
                            accepted_at=now if state == "accepted" else None,
                            return_comment="Đề nghị bổ sung minh chứng (demo)."
                            if state == "returned"
                            else "",
                        )
                    )
    if province is not None:
        for code, by_year in PROVINCE_VALUES.items():
            ind = indicators[code]
            reporter = ind.responsible_units.first()
            if reporter is None:
                continue
            for year, text in by_year.items():
                state = (
                    ReportedValue.Status.ACCEPTED
                    if year == 2023
                    else (
                        ReportedValue.Status.ACCEPTED
                        if rng.random() < 0.8
                        else ReportedValue.Status.APPROVED
                    )
                )
                values.append(
                    ReportedValue(
                        indicator=ind,
                        org_unit=reporter,
                        subject=province,
                        period_type=PeriodType.YEAR,
                        period=str(year),
                        year=year,
                        value=Decimal(text),
                        status=state,
                        is_demo=True,
                        created_by=officer,
                        accepted_at=now if state == "accepted" else None,
                        comment="Số liệu minh họa (demo).",
                    )
                )
    ReportedValue.objects.bulk_create(values, batch_size=1000)
    created = ReportedValue.objects.filter(is_demo=True)
    ValueTransition.objects.bulk_create(
        [
            ValueTransition(
                value=v,
                from_status="",
                to_status=v.status,
                actor=officer,
                at=now,
                comment="Nạp dữ liệu minh họa (demo).",
            )
            for v in created
        ],
        batch_size=1000,
    )
    return len(values)


TASKS = [
    # year, title, unit, head username, deadline, status, progress, indicators, source
    (
        2023,
        "Số hóa 100% hồ sơ lưu trữ của cơ quan hành chính các cấp",
        "74.SNV",
        None,
        dt.date(2023, 12, 31),
        "done",
        100,
        ["LUU_TRU_SO_HOA"],
        R05_2025,
    ),
    (
        2024,
        "Hoàn thành cơ sở dữ liệu dùng chung của tỉnh",
        "74.STTTT",
        "lanhdao.stttt",
        dt.date(2024, 12, 31),
        "in_progress",
        85,
        [],
        R05_2025,
    ),
    (
        2025,
        "Nâng tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến toàn trình lên ≥ 95%",
        "74.VPUB",
        None,
        dt.date(2025, 12, 31),
        "in_progress",
        80,
        ["DVC_TOAN_TRINH"],
        KH2025,
    ),
    (
        2025,
        "Đạt ≥ 75% hồ sơ thủ tục hành chính nộp trực tuyến trên địa bàn",
        "724",
        "lanhdao.dian",
        dt.date(2025, 12, 31),
        "in_progress",
        70,
        ["HS_TRUC_TUYEN"],
        KH2025,
    ),
    (
        2025,
        "Đạt ≥ 75% hồ sơ thủ tục hành chính nộp trực tuyến trên địa bàn",
        "725",
        "lanhdao.thuanan",
        dt.date(2025, 12, 31),
        "done",
        100,
        ["HS_TRUC_TUYEN"],
        KH2025,
    ),
    (
        2025,
        "Tập huấn chuyển đổi số cho 100% cán bộ, công chức",
        "74.SNV",
        None,
        dt.date(2025, 11, 30),
        "in_progress",
        65,
        ["CB_TAP_HUAN"],
        R05_2025,
    ),
    (
        2025,
        "Thúc đẩy thanh toán trực tuyến phí, lệ phí đạt ≥ 70%",
        "74.STC",
        None,
        dt.date(2025, 12, 31),
        "in_progress",
        60,
        ["TT_TRUC_TUYEN"],
        KH2025,
    ),
    (
        2025,
        "Hỗ trợ 50% doanh nghiệp nhỏ và vừa sử dụng nền tảng số",
        "74.SKHDT",
        None,
        dt.date(2025, 12, 31),
        "not_started",
        0,
        ["SME_NEN_TANG"],
        KH2025,
    ),
    (
        2025,
        "Phổ cập kỹ năng số cơ bản cho 70% người trong độ tuổi lao động",
        "74.SLDTBXH",
        None,
        dt.date(2025, 12, 31),
        "in_progress",
        40,
        ["KY_NANG_SO"],
        KH2025,
    ),
    (
        2026,
        "Rà soát, phê duyệt cấp độ an toàn thông tin cho toàn bộ hệ thống thông tin",
        "74.STTTT",
        "lanhdao.stttt",
        dt.date(2026, 12, 15),
        "in_progress",
        55,
        ["ATTT_CAP_DO"],
        "Kế hoạch minh họa (demo)",
    ),
]


def _tasks(indicators: dict[str, Indicator]) -> int:
    if PlanTask.objects.filter(is_demo=True).exists():
        return 0
    n = 0
    for year, title, code, head, deadline, status, progress, inds, src in TASKS:
        unit = _unit(code)
        if unit is None:
            continue
        task_create(
            actor=None,
            year=year,
            title=title,
            org_unit=unit,
            deadline=deadline,
            head=User.objects.filter(username=head).first() if head else None,
            indicators=[indicators[c] for c in inds],
            status=status,
            progress=progress,
            source=src,
            is_demo=True,
        )
        n += 1
    return n


# DEMO ESTIMATES, not official statistics (FACTS.md and the seed give no population figures):
# rough 2019-census-sized populations of Bình Dương's districts, grown ~4% a year from 2019,
# with ~72% aged 18 and over. Replace them with the statistics office's figures on the
# "Dân số theo đơn vị" page (/chuyen-doi-so/dan-so/).
POPULATION_2019 = {
    "718": 321_600,  # Thủ Dầu Một
    "719": 97_200,  # Bàu Bàng
    "720": 115_800,  # Dầu Tiếng
    "721": 278_200,  # Bến Cát
    "722": 93_000,  # Phú Giáo
    "723": 370_500,  # Tân Uyên
    "724": 474_700,  # Dĩ An
    "725": 596_200,  # Thuận An
    "726": 65_000,  # Bắc Tân Uyên
}
POPULATION_YEARS = range(2022, 2026)
POPULATION_GROWTH = 0.04
ADULT_SHARE = 0.72
POPULATION_SOURCE = (
    "Ước tính minh họa (demo), không phải số liệu thống kê chính thức: quy mô xấp xỉ "
    "Tổng điều tra 2019, tăng ~4%/năm, ~72% từ 18 tuổi"
)


def population_estimates() -> dict[str, dict[int, tuple[int, int]]]:
    """(total, adults) per unit code and year; the province is the sum of its districts."""
    out: dict[str, dict[int, tuple[int, int]]] = {"74": {}}
    for code, base in POPULATION_2019.items():
        out[code] = {}
        for year in POPULATION_YEARS:
            total = round(base * (1 + POPULATION_GROWTH) ** (year - 2019), -2)
            out[code][year] = (int(total), int(round(total * ADULT_SHARE, -2)))
    for year in POPULATION_YEARS:
        out["74"][year] = (
            sum(out[c][year][0] for c in POPULATION_2019),
            sum(out[c][year][1] for c in POPULATION_2019),
        )
    return out


def _population() -> int:
    """Demo population rows for the province and its districts (only where none is entered)."""
    n = 0
    for code, years in population_estimates().items():
        unit = _unit(code)
        if unit is None:
            continue
        have = set(Population.objects.filter(org_unit=unit).values_list("year", flat=True))
        for year, (total, adults) in years.items():
            if year in have:
                continue
            population_set(
                actor=None,
                org_unit=unit,
                year=year,
                total=total,
                adults=adults,
                source=POPULATION_SOURCE,
                is_demo=True,
            )
            n += 1
    return n


@transaction.atomic
def demo_load(*, stdout: TextIO | None = None) -> None:
    rng = random.Random(74)  # noqa: S311 (demo data, not security)
    indicators = catalogue_load()
    stats = _synthetic_stats(rng)
    values = _reported_history(indicators, rng)
    tasks = _tasks(indicators)
    population = _population()
    methodologies_install()
    for m in Methodology.objects.filter(status=Methodology.Status.ACTIVE):
        # the synthetic years and every year since, up to this one (the dashboards open on now)
        for year in range(2023, timezone.localdate().year + 1):
            index_compute(actor=None, methodology=m, year=year)
    if stdout:
        stdout.write(
            f"  chỉ tiêu: {len(indicators)}, số liệu báo cáo mới: {values}, nhiệm vụ mới: {tasks}, "
            f"thống kê dịch vụ tổng hợp (minh họa): {stats}, dân số (ước tính minh họa): "
            f"{population}\n"
        )
