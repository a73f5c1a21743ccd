"""Scoring methodologies shipped as data (versioned): Decision 766/2022 service index,
DTI 922/2022 (a department/district variant) and DTI 405/2025 (registered, components to
be entered). Group and main-indicator points follow FACTS.md §3 and §5; the components
are the platform's own measurable approximations, named as such."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from tinhso.monitoring.models import Component, Indicator, MainIndicator, Methodology, Pillar

QD766 = "QD766-2022"
DTI922 = "DTI922-2022"
DTI405 = "DTI405-2025"

PLATFORM_NOTE = "Thành phần đo trên dữ liệu của nền tảng (xấp xỉ phương pháp gốc)."

# (code, name, pillar, max, [(code, name, max, rule, params, metric, indicator_code)])
METHODS: dict[str, dict[str, Any]] = {
    QD766: {
        "name": "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
        "legal_source": "Quyết định 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ",
        "subjects": Methodology.Subjects.SERVICE_UNITS,
        "max_points": 100,
        "note": "Năm nhóm 18/20/22/22/18 điểm theo Quyết định 766. " + PLATFORM_NOTE,
        "mains": [
            (
                "A",
                "Công khai, minh bạch",
                Pillar.DIGITAL_GOVERNMENT,
                18,
                [
                    (
                        "A1",
                        "Tỷ lệ hồ sơ được người dân, doanh nghiệp đánh giá công khai",
                        10,
                        "ratio",
                        {"of": 100},
                        "rated",
                        "",
                    ),
                    (
                        "A2",
                        "Tỷ lệ hồ sơ bị từ chối tiếp nhận (càng thấp càng tốt)",
                        8,
                        "minmax",
                        {"lo": 0, "hi": 10, "invert": True},
                        "refused",
                        "",
                    ),
                ],
            ),
            (
                "B",
                "Tiến độ, kết quả giải quyết",
                Pillar.DIGITAL_GOVERNMENT,
                20,
                [
                    (
                        "B1",
                        "Tỷ lệ hồ sơ giải quyết trước và đúng hạn",
                        16,
                        "ratio",
                        {"of": 100},
                        "on_time",
                        "",
                    ),
                    (
                        "B2",
                        "Tỷ lệ hồ sơ phải rút (càng thấp càng tốt)",
                        4,
                        "minmax",
                        {"lo": 0, "hi": 5, "invert": True},
                        "withdrawn",
                        "",
                    ),
                ],
            ),
            (
                "C",
                "Số hóa hồ sơ",
                Pillar.DIGITAL_GOVERNMENT,
                22,
                [
                    (
                        "C1",
                        "Tỷ lệ hồ sơ được số hóa khi tiếp nhận",
                        11,
                        "ratio",
                        {"of": 100},
                        "digitised_received",
                        "",
                    ),
                    (
                        "C2",
                        "Tỷ lệ kết quả giải quyết được cấp bản điện tử",
                        11,
                        "ratio",
                        {"of": 100},
                        "digital_results",
                        "",
                    ),
                ],
            ),
            (
                "D",
                "Cung cấp dịch vụ công trực tuyến",
                Pillar.DIGITAL_GOVERNMENT,
                22,
                [
                    (
                        "D1",
                        "Tỷ lệ thủ tục cung cấp trực tuyến toàn trình",
                        6,
                        "ratio",
                        {"of": 100},
                        "full_process",
                        "",
                    ),
                    (
                        "D2",
                        "Tỷ lệ hồ sơ nộp trực tuyến",
                        8,
                        "steps",
                        {"steps": [[75, 8], [50, 6], [30, 4], [10, 2]]},
                        "online_submission",
                        "",
                    ),
                    (
                        "D3",
                        "Tỷ lệ thanh toán phí, lệ phí trực tuyến",
                        8,
                        "ratio",
                        {"of": 100},
                        "online_fees",
                        "",
                    ),
                ],
            ),
            (
                "E",
                "Mức độ hài lòng",
                Pillar.DIGITAL_GOVERNMENT,
                18,
                [
                    ("E1", "Tỷ lệ đánh giá hài lòng", 12, "ratio", {"of": 100}, "satisfaction", ""),
                    (
                        "E2",
                        "Tỷ lệ đánh giá không hài lòng (càng thấp càng tốt)",
                        6,
                        "minmax",
                        {"lo": 0, "hi": 20, "invert": True},
                        "unsatisfied",
                        "",
                    ),
                ],
            ),
        ],
    },
    DTI922: {
        "name": "Chỉ số chuyển đổi số DTI (Quyết định 922/QĐ-BTTTT) — sở, ngành, cấp huyện",
        "legal_source": "Quyết định 922/QĐ-BTTTT năm 2022 của Bộ Thông tin và Truyền thông",
        "subjects": Methodology.Subjects.DEPARTMENTS_DISTRICTS,
        "max_points": 1000,
        "note": "9 chỉ số chính, điểm tối đa theo Quyết định 922 "
        "(đô thị thông minh không tính điểm). " + PLATFORM_NOTE,
        "mains": [
            (
                "NT",
                "Nhận thức số",
                Pillar.AWARENESS,
                100,
                [
                    (
                        "NT1",
                        "Số hội nghị, buổi tuyên truyền về chuyển đổi số trong năm",
                        100,
                        "steps",
                        {"steps": [[8, 100], [6, 75], [4, 50], [1, 25]]},
                        "",
                        "TUYEN_TRUYEN",
                    ),
                ],
            ),
            (
                "TC",
                "Thể chế số",
                Pillar.INSTITUTIONS,
                100,
                [
                    (
                        "TC1",
                        "Số văn bản chỉ đạo, kế hoạch về chuyển đổi số (so với đơn vị cao nhất)",
                        100,
                        "best",
                        {},
                        "",
                        "VAN_BAN_CDS",
                    ),
                ],
            ),
            (
                "HT",
                "Hạ tầng số",
                Pillar.INFRASTRUCTURE,
                100,
                [
                    (
                        "HT1",
                        "Tỷ lệ đơn vị kết nối mạng truyền số liệu chuyên dùng",
                        100,
                        "ratio",
                        {"of": 100},
                        "",
                        "KET_NOI_MANG",
                    ),
                ],
            ),
            (
                "NL",
                "Nhân lực số",
                Pillar.HUMAN_RESOURCES,
                100,
                [
                    (
                        "NL1",
                        "Tỷ lệ cán bộ được tập huấn chuyển đổi số",
                        100,
                        "ratio",
                        {"of": 100},
                        "",
                        "CB_TAP_HUAN",
                    ),
                ],
            ),
            (
                "AT",
                "An toàn thông tin mạng",
                Pillar.INFORMATION_SECURITY,
                100,
                [
                    (
                        "AT1",
                        "Tỷ lệ hệ thống thông tin được phê duyệt cấp độ (chuẩn hóa 20–100%)",
                        100,
                        "minmax",
                        {"lo": 20, "hi": 100},
                        "",
                        "ATTT_CAP_DO",
                    ),
                ],
            ),
            ("DT", "Đô thị thông minh", "", 0, []),
            (
                "CQ",
                "Chính quyền số",
                Pillar.DIGITAL_GOVERNMENT,
                200,
                [
                    (
                        "CQ1",
                        "Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng",
                        60,
                        "ratio",
                        {"of": 100},
                        "",
                        "HSCV_TRUC_TUYEN",
                    ),
                    (
                        "CQ2",
                        "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn",
                        50,
                        "ratio",
                        {"of": 100},
                        "on_time",
                        "",
                    ),
                    (
                        "CQ3",
                        "Tỷ lệ hồ sơ nộp trực tuyến (chuẩn hóa 20–80%)",
                        50,
                        "minmax",
                        {"lo": 20, "hi": 80},
                        "online_submission",
                        "",
                    ),
                    ("CQ4", "Tỷ lệ hài lòng", 40, "ratio", {"of": 100}, "satisfaction", ""),
                ],
            ),
            (
                "KT",
                "Kinh tế số",
                Pillar.DIGITAL_ECONOMY,
                150,
                [
                    (
                        "KT1",
                        "Thanh toán không dùng tiền mặt trong dịch vụ công",
                        150,
                        "ratio",
                        {"of": 100},
                        "online_fees",
                        "",
                    ),
                ],
            ),
            (
                "XH",
                "Xã hội số",
                Pillar.DIGITAL_SOCIETY,
                150,
                [
                    (
                        "XH1",
                        "Người dân nhận kết quả điện tử",
                        150,
                        "ratio",
                        {"of": 100},
                        "digital_results",
                        "",
                    ),
                ],
            ),
        ],
    },
    DTI405: {
        "name": "Chỉ số chuyển đổi số DTI (Quyết định 405/QĐ-BKHCN, 2025)",
        "legal_source": "Quyết định 405/QĐ-BKHCN tháng 4/2025 của Bộ Khoa học và Công nghệ",
        "subjects": Methodology.Subjects.PROVINCES,
        "max_points": 1000,
        "status": Methodology.Status.DRAFT,
        "note": "8 chỉ số chính, 47 chỉ số thành phần, thu thập trực tuyến tại dti.gov.vn; "
        "khoảng 20% đo tự động. Danh mục thành phần chưa được nhập vào nền tảng.",
        "mains": [],
    },
}


@transaction.atomic
def methodologies_install(*, codes: list[str] | None = None) -> list[Methodology]:
    """Create or update the shipped methodologies (idempotent)."""
    out = []
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, spec in METHODS.items():
        if codes and code not in codes:
            continue
        m, _ = Methodology.objects.update_or_create(
            code=code,
            defaults={
                "name": spec["name"],
                "legal_source": spec["legal_source"],
                "subjects": spec["subjects"],
                "max_points": Decimal(spec["max_points"]),
                "status": spec.get("status", Methodology.Status.ACTIVE),
                "note": spec["note"],
            },
        )
        for order, (mcode, mname, pillar, mmax, comps) in enumerate(spec["mains"]):
            main, _ = MainIndicator.objects.update_or_create(
                methodology=m,
                code=mcode,
                defaults={"name": mname, "pillar": pillar, "max_points": mmax, "order": order},
            )
            for corder, (ccode, cname, cmax, rule, params, metric, ind_code) in enumerate(comps):
                indicator = indicators.get(ind_code) if ind_code else None
                if ind_code and indicator is None:
                    continue  # the indicator catalogue is not loaded (e.g. in a unit test)
                Component.objects.update_or_create(
                    main=main,
                    code=ccode,
                    defaults={
                        "name": cname,
                        "max_points": cmax,
                        "rule": rule,
                        "params": params,
                        "metric": metric,
                        "indicator": indicator,
                        "order": corder,
                        "evidence": "Số liệu dịch vụ công trên nền tảng"
                        if metric
                        else "Báo cáo của đơn vị kèm minh chứng",
                        "verifier": "Văn phòng chuyển đổi số tỉnh",
                    },
                )
        out.append(m)
    return out
