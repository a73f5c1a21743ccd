"""Demo data of the monitoring app.

The indicator catalogue and its 2025/2030 targets are real, each with its source
(FACTS.md §2: Resolution 05-NQ/TU, the Bình Dương 2025 plan, Decisions 411 and 749).
Everything else is invented for the demo and marked ``is_demo``: reported values of
2023–2024 in various approval states, plan tasks, and (only when the services app has not
generated any) synthetic daily service statistics for 2023–2024.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.monitoring.methodologies import methodologies_install
from tinhso.monitoring.models import (
    Indicator,
    Methodology,
    PeriodType,
    Pillar,
    PlanTask,
    ReportedValue,
    Target,
    ValueTransition,
)
from tinhso.monitoring.periods import periods_of_year
from tinhso.monitoring.services import index_compute, target_path_interpolate, task_create
from tinhso.orgs.models import OrgUnit, Population
from tinhso.orgs.services import population_set
from tinhso.services.models import ServiceDailyStat
from tinhso.services.services import stats_monthly_from_daily

R05 = "Nghị quyết 05-NQ/TU của Tỉnh ủy Bình Dương về chuyển đổi số đến 2025, định hướng 2030"
R05_2025 = R05 + " (mục tiêu 2025, theo cds.binhduong.gov.vn)"
KH2025 = "Kế hoạch chuyển đổi số tỉnh Bình Dương năm 2025 (binhduong.gov.vn, 04/2025)"
QD411 = "Quyết định 411/QĐ-TTg: Chiến lược quốc gia phát triển kinh tế số và xã hội số"
QD749 = "Quyết định 749/QĐ-TTg: Chương trình Chuyển đổi số quốc gia"
DEMO_SRC = "Chỉ tiêu theo dõi của nền tảng (minh họa, phục vụ chấm điểm DTI)"

P, E, S_ = "percent", "count", "points"
UNITS = "units"  # every department and district reports its own value

# code, name, name_en, pillar, unit, method, scope, computation, period, responsible,
# numerator, denominator, jump, legal source, targets {year: (value, comparator, source)}
CATALOGUE: list[dict[str, Any]] = [
    # --- digital government -------------------------------------------------------------
    {
        "code": "DVC_TOAN_TRINH",
        "name": "Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình",
        "name_en": "Procedures offered as full-process online services",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "computed",
        "computation": "full_process",
        "period": "year",
        "num": "Số thủ tục cung cấp trực tuyến toàn trình",
        "den": "Tổng số thủ tục",
        "source": KH2025,
        "targets": {2025: (95, ">=", KH2025), 2030: (100, ">=", R05 + " (100% TTHC mức độ 4)")},
    },
    {
        "code": "HS_TRUC_TUYEN",
        "name": "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến",
        "name_en": "Dossiers submitted online",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "computed",
        "computation": "online_submission",
        "period": "month",
        "num": "Số hồ sơ nộp trực tuyến",
        "den": "Tổng số hồ sơ tiếp nhận",
        "source": KH2025,
        "targets": {2025: (75, ">=", KH2025)},
        "cascade": True,
    },
    {
        "code": "TT_TRUC_TUYEN",
        "name": "Tỷ lệ thanh toán phí, lệ phí trực tuyến",
        "name_en": "Fees paid online",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "computed",
        "computation": "online_fees",
        "period": "month",
        "num": "Số giao dịch thanh toán trực tuyến",
        "den": "Tổng số giao dịch thanh toán",
        "source": KH2025,
        "targets": {2025: (70, ">=", KH2025)},
        "cascade": True,
    },
    {
        "code": "HS_DUNG_HAN",
        "name": "Tỷ lệ hồ sơ giải quyết trước và đúng hạn",
        "name_en": "Dossiers finished on time",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "computed",
        "computation": "on_time",
        "period": "month",
        "num": "Số hồ sơ giải quyết trước hạn và đúng hạn",
        "den": "Tổng số hồ sơ đã giải quyết",
        "source": "Quyết định 766/QĐ-TTg (nhóm tiến độ, kết quả giải quyết)",
    },
    {
        "code": "HAI_LONG",
        "name": "Tỷ lệ người dân, doanh nghiệp hài lòng khi giải quyết TTHC",
        "name_en": "Satisfaction with public services",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "computed",
        "computation": "satisfaction",
        "period": "month",
        "num": "Số đánh giá hài lòng",
        "den": "Tổng số đánh giá",
        "source": KH2025,
        "targets": {2025: (90, ">=", KH2025)},
        "cascade": True,
    },
    {
        "code": "HS_SO_HOA",
        "name": "Tỷ lệ hồ sơ được số hóa khi tiếp nhận",
        "name_en": "Dossiers digitised at reception",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "computed",
        "computation": "digitised_received",
        "period": "month",
        "num": "Số hồ sơ số hóa đầy đủ",
        "den": "Tổng số hồ sơ tiếp nhận",
        "source": "Quyết định 766/QĐ-TTg (nhóm số hóa hồ sơ)",
    },
    {
        "code": "HSCV_TRUC_TUYEN",
        "name": "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng",
        "name_en": "Work records handled online",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "reported",
        "scope": "unit",
        "period": "quarter",
        "responsible": UNITS,
        "num": "Số hồ sơ công việc xử lý trên môi trường mạng",
        "den": "Tổng số hồ sơ công việc",
        "jump": 20,
        "source": R05_2025,
        "description": "Quyết định 749/QĐ-TTg: 2025 cấp tỉnh 90%, cấp huyện 80%, cấp xã 60%; "
        "2030: 100% / 90% / 70%. Bình Dương đặt 100% ở cả ba cấp từ 2025 (Nghị quyết 05-NQ/TU).",
        "targets": {2025: (100, ">=", R05_2025), 2030: (100, ">=", R05)},
        "cascade": True,
    },
    {
        "code": "TTHC_SO_HOA",
        "name": "Tỷ lệ thủ tục hành chính được số hóa toàn trình trong xử lý",
        "name_en": "Procedures fully digitised in processing",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "reported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.VPUB"],
        "source": R05_2025,
        "targets": {2025: (80, ">=", R05_2025)},
    },
    {
        "code": "THANH_TRA_SO",
        "name": "Tỷ lệ cuộc thanh tra thực hiện trên môi trường số",
        "name_en": "Inspections carried out digitally",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "reported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.TTRA"],
        "source": R05_2025,
        "targets": {2025: (50, ">=", R05_2025)},
    },
    {
        "code": "LUU_TRU_SO_HOA",
        "name": "Tỷ lệ hồ sơ lưu trữ được số hóa",
        "name_en": "Administrative records digitised",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "reported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.SNV"],
        "source": R05_2025,
        "targets": {2023: (100, ">=", R05_2025 + " (hoàn thành năm 2023)")},
    },
    {
        "code": "DVC_DI_DONG",
        "name": "Tỷ lệ dịch vụ công trực tuyến mức độ 4 sử dụng được trên thiết bị di động",
        "name_en": "Level-4 services usable on mobile",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "reported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.STTTT"],
        "source": QD749,
        "targets": {2025: (80, ">=", QD749)},
    },
    {
        "code": "DV_SANG_TAO",
        "name": "Mức tăng dịch vụ sáng tạo dựa trên dữ liệu phục vụ người dân, doanh nghiệp",
        "name_en": "Growth of data-driven innovative services",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": P,
        "method": "reported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.STTTT"],
        "source": R05,
        "targets": {2030: (30, ">=", R05)},
    },
    # --- foundation --------------------------------------------------------------------
    {
        "code": "TUYEN_TRUYEN",
        "name": "Số hội nghị, buổi tuyên truyền về chuyển đổi số",
        "name_en": "Awareness events on digital transformation",
        "pillar": Pillar.AWARENESS,
        "unit": E,
        "method": "reported",
        "scope": "unit",
        "period": "quarter",
        "responsible": UNITS,
        "jump": 10,
        "source": DEMO_SRC,
    },
    {
        "code": "VAN_BAN_CDS",
        "name": "Số văn bản chỉ đạo, kế hoạch, quy chế về chuyển đổi số ban hành",
        "name_en": "Directives and plans on digital transformation",
        "pillar": Pillar.INSTITUTIONS,
        "unit": E,
        "method": "reported",
        "scope": "unit",
        "period": "year",
        "responsible": UNITS,
        "source": DEMO_SRC,
    },
    {
        "code": "KET_NOI_MANG",
        "name": "Tỷ lệ đơn vị trực thuộc kết nối mạng truyền số liệu chuyên dùng",
        "name_en": "Units on the government data network",
        "pillar": Pillar.INFRASTRUCTURE,
        "unit": P,
        "method": "reported",
        "scope": "unit",
        "period": "year",
        "responsible": UNITS,
        "num": "Số đơn vị đã kết nối",
        "den": "Tổng số đơn vị trực thuộc",
        "source": DEMO_SRC,
    },
    {
        "code": "CB_TAP_HUAN",
        "name": "Tỷ lệ cán bộ, công chức được tập huấn về chuyển đổi số trong năm",
        "name_en": "Officials trained in digital transformation",
        "pillar": Pillar.HUMAN_RESOURCES,
        "unit": P,
        "method": "reported",
        "scope": "unit",
        "period": "year",
        "responsible": UNITS,
        "num": "Số cán bộ được tập huấn",
        "den": "Tổng số cán bộ, công chức",
        "source": R05_2025,
        "targets": {2025: (100, ">=", R05_2025 + " (100% hằng năm)")},
    },
    {
        "code": "ATTT_CAP_DO",
        "name": "Tỷ lệ hệ thống thông tin được phê duyệt cấp độ an toàn thông tin",
        "name_en": "Information systems with an approved security level",
        "pillar": Pillar.INFORMATION_SECURITY,
        "unit": P,
        "method": "reported",
        "scope": "unit",
        "period": "year",
        "responsible": UNITS,
        "num": "Số hệ thống đã phê duyệt cấp độ",
        "den": "Tổng số hệ thống thông tin",
        "source": DEMO_SRC,
    },
    # --- digital economy ---------------------------------------------------------------
    {
        "code": "KTS_GRDP",
        "name": "Tỷ trọng kinh tế số trong GRDP",
        "name_en": "Digital economy share of GRDP",
        "pillar": Pillar.DIGITAL_ECONOMY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.SKHDT"],
        "source": KH2025,
        "baseline": (2024, Decimal("11.34"), KH2025 + " (số liệu nền; năm không nêu trong nguồn)"),
        "targets": {2025: (20, ">=", KH2025 + "; " + QD411), 2030: (30, ">=", R05 + "; " + QD411)},
    },
    {
        "code": "KTS_NGANH",
        "name": "Tỷ trọng kinh tế số trong từng ngành, lĩnh vực",
        "name_en": "Digital economy share within each sector",
        "pillar": Pillar.DIGITAL_ECONOMY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.SKHDT"],
        "source": QD411,
        "targets": {2025: (10, ">=", QD411), 2030: (20, ">=", R05 + "; " + QD411)},
    },
    {
        "code": "TMDT_BAN_LE",
        "name": "Tỷ trọng thương mại điện tử trong tổng mức bán lẻ",
        "name_en": "E-commerce share of retail",
        "pillar": Pillar.DIGITAL_ECONOMY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.SCT"],
        "source": QD411,
        "targets": {2025: (10, ">", QD411), 2030: (20, ">", R05 + "; " + QD411)},
    },
    {
        "code": "DN_HOP_DONG_DT",
        "name": "Tỷ lệ doanh nghiệp sử dụng nền tảng hợp đồng điện tử",
        "name_en": "Enterprises using e-contracts",
        "pillar": Pillar.DIGITAL_ECONOMY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.SCT"],
        "source": QD411,
        "targets": {2025: (80, ">", QD411), 2030: (100, ">=", R05 + "; " + QD411)},
    },
    {
        "code": "SME_NEN_TANG",
        "name": "Tỷ lệ doanh nghiệp nhỏ và vừa sử dụng nền tảng số",
        "name_en": "SMEs using digital platforms",
        "pillar": Pillar.DIGITAL_ECONOMY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.SKHDT"],
        "source": KH2025,
        "targets": {2025: (50, ">=", KH2025 + "; " + QD411), 2030: (70, ">", R05 + "; " + QD411)},
    },
    {
        "code": "LD_KTS",
        "name": "Tỷ lệ lao động làm việc trong lĩnh vực kinh tế số",
        "name_en": "Digital-economy workforce share",
        "pillar": Pillar.DIGITAL_ECONOMY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.SLDTBXH"],
        "source": QD411,
        "targets": {2025: (2, ">", QD411), 2030: (3, ">", QD411)},
    },
    # --- digital society ---------------------------------------------------------------
    {
        "code": "DVC_NGUOI_LON",
        "name": "Tỷ lệ dân số trưởng thành sử dụng dịch vụ công trực tuyến",
        "name_en": "Adults using online public services",
        "pillar": Pillar.DIGITAL_SOCIETY,
        "unit": P,
        "method": "computed",
        "computation": "adults_online",
        "period": "year",
        "num": "Số người nộp hồ sơ trực tuyến trong năm (không trùng)",
        "den": "Dân số từ 18 tuổi trở lên",
        "source": KH2025,
        "description": "Quyết định 411/QĐ-TTg đặt > 50% năm 2025; "
        "kế hoạch 2025 của tỉnh đặt > 40%.",
        "targets": {2025: (40, ">", KH2025), 2030: (70, ">", R05 + "; " + QD411)},
    },
    {
        "code": "TK_THANH_TOAN",
        "name": "Tỷ lệ dân số từ 15 tuổi trở lên có tài khoản giao dịch thanh toán",
        "name_en": "People aged 15+ with a payment account",
        "pillar": Pillar.DIGITAL_SOCIETY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.STC"],
        "source": QD411,
        "targets": {2025: (80, ">=", QD411), 2030: (95, ">", R05)},
    },
    {
        "code": "CKS_CA_NHAN",
        "name": "Tỷ lệ dân số trưởng thành có chữ ký số hoặc chữ ký điện tử cá nhân",
        "name_en": "Adults with a digital signature",
        "pillar": Pillar.DIGITAL_SOCIETY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.STTTT"],
        "source": QD411,
        "targets": {2025: (50, ">", QD411), 2030: (70, ">", R05 + "; " + QD411)},
    },
    {
        "code": "DIEN_THOAI_TM",
        "name": "Tỷ lệ dân số trưởng thành có điện thoại thông minh",
        "name_en": "Adults with a smartphone",
        "pillar": Pillar.DIGITAL_SOCIETY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.STTTT"],
        "source": QD411,
        "targets": {2025: (80, ">=", QD411), 2030: (95, ">=", QD411)},
    },
    {
        "code": "HSSK_DIEN_TU",
        "name": "Tỷ lệ dân số có hồ sơ sức khỏe điện tử",
        "name_en": "People with an electronic health record",
        "pillar": Pillar.DIGITAL_SOCIETY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.SYT"],
        "source": QD411,
        "targets": {2025: (90, ">=", QD411), 2030: (95, ">=", QD411)},
    },
    {
        "code": "KY_NANG_SO",
        "name": "Tỷ lệ người trong độ tuổi lao động có kỹ năng số cơ bản",
        "name_en": "Working-age people with basic digital skills",
        "pillar": Pillar.DIGITAL_SOCIETY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.SLDTBXH"],
        "source": KH2025,
        "targets": {2025: (70, ">=", KH2025 + "; " + QD411)},
    },
    {
        "code": "TK_TT_DIEN_TU",
        "name": "Tỷ lệ người dân có tài khoản thanh toán điện tử",
        "name_en": "People with an e-payment account",
        "pillar": Pillar.DIGITAL_SOCIETY,
        "unit": P,
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.STC"],
        "source": QD749,
        "targets": {2025: (50, ">", QD749), 2030: (80, ">", QD749)},
    },
    {
        "code": "DTI_XEP_HANG",
        "name": "Thứ hạng chỉ số chuyển đổi số (DTI) cấp tỉnh",
        "name_en": "Provincial DTI rank",
        "pillar": Pillar.DIGITAL_GOVERNMENT,
        "unit": E,
        "direction": "lower",
        "method": "imported",
        "scope": "province",
        "period": "year",
        "responsible": ["74.STTTT"],
        "source": KH2025,
        "description": "Kế hoạch 2025: DTI thuộc nhóm “khá”. "
        "Thứ hạng 22/63 năm 2021; top 10 năm 2023.",
        "baseline": (2021, Decimal(22), KH2025 + " (hạng 22/63 năm 2021)"),
        "targets": {2023: (10, "<=", KH2025 + " (top 10 năm 2023, đã đạt)")},
    },
]

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
    province = _unit("74")
    if province is None:
        return []
    return list(
        OrgUnit.objects.filter(parent=province, valid_to__isnull=True)
        .filter(kind__in=["department"])
        .order_by("code")
    ) + list(
        OrgUnit.objects.filter(
            parent=province, valid_to__isnull=True, category="admin", level=2
        ).order_by("code")
    )


def catalogue_load() -> dict[str, Indicator]:
    """Create or update the indicator catalogue with its targets (idempotent)."""
    province = _unit("74")
    reporters = _reporting_units()
    out: dict[str, Indicator] = {}
    for order, spec in enumerate(CATALOGUE):
        is_pct = spec["unit"] == P
        ind, _ = Indicator.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "name_en": spec.get("name_en", ""),
                "description": spec.get("description", ""),
                "pillar": spec["pillar"],
                "unit": spec["unit"],
                "direction": spec.get("direction", "higher"),
                "method": spec["method"],
                "scope": spec.get("scope", "unit"),
                "computation": spec.get("computation", ""),
                "numerator_label": spec.get("num", ""),
                "denominator_label": spec.get("den", ""),
                "factor": Decimal(100) if is_pct and spec.get("num") else Decimal(1),
                "period_type": spec["period"],
                "jump_threshold": spec.get("jump"),
                "legal_source": spec["source"],
                "order": order,
                "is_demo": spec["source"] == DEMO_SRC,
            },
        )
        resp = spec.get("responsible")
        if resp == UNITS:
            ind.responsible_units.set(reporters)
        elif resp:
            ind.responsible_units.set([u for c in resp if (u := _unit(c)) is not None])
        out[ind.code] = ind
        if province is None:
            continue
        if "baseline" in spec:
            year, value, src = spec["baseline"]
            Target.objects.update_or_create(
                indicator=ind,
                org_unit=province,
                year=year,
                defaults={
                    "value": value,
                    "kind": Target.Kind.BASELINE,
                    "source": src,
                    "comparator": "<=" if spec.get("direction") == "lower" else ">=",
                },
            )
        for year, (value, comparator, src) in spec.get("targets", {}).items():
            Target.objects.update_or_create(
                indicator=ind,
                org_unit=province,
                year=year,
                defaults={
                    "value": Decimal(value),
                    "kind": Target.Kind.ENTERED,
                    "comparator": comparator,
                    "source": src,
                },
            )
        target_path_interpolate(actor=None, indicator=ind, org_unit=province)
        if spec.get("cascade"):
            # each district and department gets the province's percentage as its own target
            for u in reporters:
                for year, (value, comparator, src) in spec.get("targets", {}).items():
                    Target.objects.update_or_create(
                        indicator=ind,
                        org_unit=u,
                        year=year,
                        defaults={
                            "value": Decimal(value),
                            "kind": Target.Kind.ENTERED,
                            "comparator": comparator,
                            "source": f"Giao theo chỉ tiêu của tỉnh — {src}",
                        },
                    )
    return out


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
