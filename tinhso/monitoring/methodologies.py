"""Scoring methodologies shipped as data (versioned): Decision 766/2022 service index,
DTI 922/2022 (a department/district variant) and DTI 405/2025 (registered, components to
be entered). Group and main-indicator points follow FACTS.md §3 and §5; the components
are the platform's own measurable approximations, named as such."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from tinhso.monitoring.models import Component, Indicator, MainIndicator, Methodology, Pillar

QD766_2022 = "QD766-2022"  # version 1: the platform's own approximations (kept to reproduce)
QD766 = "QD766-2024"  # version 2: the criteria the national portal computes (FACTS §5)
DTI922 = "DTI922-2022"
DTI405 = "DTI405-2025"

PLATFORM_NOTE = "Thành phần đo trên dữ liệu của nền tảng (xấp xỉ phương pháp gốc)."

# (code, name, pillar, max, [(code, name, max, rule, params, metric, indicator_code)])
METHODS: dict[str, dict[str, Any]] = {
    QD766_2022: {
        "name": "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) — "
        "phiên bản 1 (xấp xỉ của nền tảng)",
        "status": Methodology.Status.RETIRED,
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


UNMEASURED_NOTE = "Nền tảng chưa đo được: không tính điểm, không coi là 0."
SOURCE_STATS = "Số liệu dịch vụ công của nền tảng (bộ đếm theo đơn vị, ngày)"
SOURCE_CATALOGUE = "Danh mục thủ tục và cơ quan tiếp nhận trên nền tảng"
SOURCE_FEEDBACK = "Phản ánh, kiến nghị trên nền tảng (bộ đếm theo đơn vị, tháng)"


def _c(  # noqa: PLR0917 (the columns of the criteria table, in order)
    code: str,
    name: str,
    max_points: int,
    rule: str,
    params: dict[str, Any],
    metric: str,
    *,
    basis: str,
    definition: str,
    source: str = SOURCE_STATS,
) -> tuple[Any, ...]:
    return (
        code,
        name,
        max_points,
        rule,
        params,
        metric,
        "",
        {"basis": basis, "definition": definition, "source": source},
    )


def _unmeasured(code: str, name: str, max_points: int, what: str, definition: str) -> tuple:
    return _c(
        code,
        name,
        max_points,
        "ratio",
        {"of": 100},
        f"unmeasured:{what}",
        basis="unmeasured",
        definition=definition,
        source=UNMEASURED_NOTE,
    )


CRITERION, APPROX = "criterion", "approximation"
QD766_V2: dict[str, Any] = {
    "name": "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) — "
    "tiêu chí theo công thức của Cổng Dịch vụ công quốc gia",
    "legal_source": "Quyết định 766/QĐ-TTg ngày 23/6/2022; mô tả công thức tính chỉ số 766 "
    "trên Cổng Dịch vụ công quốc gia",
    "subjects": Methodology.Subjects.SERVICE_UNITS,
    "max_points": 100,
    "note": "Năm nhóm 18/20/22/22/18 điểm theo Quyết định 766, tiêu chí thành phần theo công "
    "thức Cổng DVCQG công bố. Điểm tối đa từng tiêu chí chưa được công bố (trừ hài lòng về "
    "thủ tục 6/18 và cập nhật, công khai đúng hạn 4/18): phần chia còn lại là lựa chọn của "
    "nền tảng, ghi ở từng tiêu chí. Tiêu chí nền tảng chưa đo được không tính điểm: kết quả "
    "là điểm đạt trên tổng điểm các tiêu chí đo được.",
    "mains": [
        (
            "A",
            "Công khai, minh bạch",
            Pillar.DIGITAL_GOVERNMENT,
            18,
            [
                _unmeasured(
                    "A1",
                    "Thủ tục được cập nhật, công khai đúng hạn",
                    4,
                    "publication_on_time",
                    "Quyết định công bố của tỉnh trước ngày văn bản căn cứ có hiệu lực ít nhất "
                    "5 ngày làm việc; cập nhật, công khai trong 5 ngày làm việc kể từ quyết "
                    "định (điểm tối đa 4/18 theo nguồn công bố).",
                ),
                _unmeasured(
                    "A2",
                    "Thủ tục công khai đủ bộ phận theo Nghị định 63/2010 Điều 8(2)",
                    7,
                    "publication_complete",
                    "Tỷ lệ thủ tục công khai đủ các bộ phận bắt buộc (điểm tối đa do nền tảng "
                    "chọn).",
                ),
                _unmeasured(
                    "A3",
                    "Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia",
                    7,
                    "national_portal_sync",
                    "Hồ sơ đã đồng bộ trạng thái lên Cổng DVCQG / hồ sơ tiếp nhận (chờ kết nối "
                    "Cổng DVCQG; điểm tối đa do nền tảng chọn).",
                ),
            ],
        ),
        (
            "B",
            "Tiến độ, kết quả giải quyết",
            Pillar.DIGITAL_GOVERNMENT,
            20,
            [
                _c(
                    "B1",
                    "Tỷ lệ hồ sơ giải quyết trước và đúng hạn",
                    14,
                    "ratio",
                    {"of": 100},
                    "on_time_766",
                    basis=CRITERION,
                    definition="(Sớm hạn + đúng hạn − hồ sơ bị yêu cầu bổ sung quá 1 lần) / hồ "
                    "sơ đã giải quyết; thời gian chờ bổ sung, nộp phí không tính (đồng hồ dừng). "
                    "Điểm = tỷ lệ × 14 (điểm tối đa do nền tảng chọn).",
                ),
                _unmeasured(
                    "B2",
                    "Thời gian giải quyết trung bình của thủ tục",
                    6,
                    "average_time",
                    "Thời gian giải quyết trung bình so với thời hạn quy định (chưa có bộ đếm; "
                    "điểm tối đa do nền tảng chọn).",
                ),
            ],
        ),
        (
            "C",
            "Số hóa hồ sơ",
            Pillar.DIGITAL_GOVERNMENT,
            22,
            [
                _c(
                    "C1",
                    "Tỷ lệ hồ sơ có kết quả điện tử",
                    5,
                    "ratio",
                    {"of": 100},
                    "digital_results",
                    basis=CRITERION,
                    definition="Hồ sơ giải quyết xong có kết quả điện tử (ký số) / hồ sơ giải "
                    "quyết xong. Điểm = tỷ lệ × 5.",
                ),
                _c(
                    "C2",
                    "Tỷ lệ hồ sơ được số hóa",
                    5,
                    "ratio",
                    {"of": 80},
                    "digitised_766",
                    basis=CRITERION,
                    definition="Hồ sơ giải quyết xong có cả thành phần hồ sơ (nộp trực tuyến "
                    "hoặc cán bộ một cửa quét, đánh dấu số hóa khi tiếp nhận) và kết quả ở dạng "
                    "điện tử (ký số) / hồ sơ giải quyết xong; đủ điểm từ 80%.",
                ),
                _c(
                    "C3",
                    "Tỷ lệ khai thác, sử dụng lại dữ liệu đã số hóa",
                    5,
                    "ratio",
                    {"of": 80},
                    "reuse_766",
                    basis=CRITERION,
                    definition="Thành phần hồ sơ lấy từ kho dữ liệu của người nộp (giấy tờ đã "
                    "được tiếp nhận hoặc kết quả đã ký số của hồ sơ trước) / thành phần hồ sơ "
                    "tiếp nhận; đủ điểm từ 80%.",
                ),
                _unmeasured(
                    "C4",
                    "Thành phần hồ sơ lấy từ kho dữ liệu của công dân trên Cổng DVCQG",
                    3,
                    "citizen_store",
                    "Chờ kết nối kho dữ liệu công dân của Cổng DVCQG.",
                ),
                _unmeasured(
                    "C5",
                    "Sử dụng dữ liệu dân cư (tài khoản định danh VNeID)",
                    4,
                    "vneid",
                    "Hồ sơ nộp bằng tài khoản định danh điện tử VNeID / hồ sơ trực tuyến (chờ "
                    "đăng nhập VNeID).",
                ),
            ],
        ),
        (
            "D",
            "Cung cấp dịch vụ công trực tuyến",
            Pillar.DIGITAL_GOVERNMENT,
            22,
            [
                _c(
                    "D1",
                    "Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến",
                    5,
                    "ratio",
                    {"of": 80},
                    "full_process",
                    basis=APPROX,
                    definition="Thủ tục cung cấp trực tuyến toàn trình / thủ tục đơn vị tiếp "
                    "nhận; đủ điểm từ 80%. Xấp xỉ: chỉ đếm toàn trình.",
                    source=SOURCE_CATALOGUE,
                ),
                _unmeasured(
                    "D2",
                    "Tỷ lệ dịch vụ trực tuyến có phát sinh hồ sơ",
                    4,
                    "services_used",
                    "Dịch vụ trực tuyến có hồ sơ trực tuyến trong kỳ / dịch vụ trực tuyến "
                    "(chưa có bộ đếm theo thủ tục).",
                ),
                _c(
                    "D3",
                    "Tỷ lệ hồ sơ nộp trực tuyến",
                    5,
                    "ratio",
                    {"of": 50},
                    "online_submission",
                    basis=APPROX,
                    definition="Hồ sơ nộp trực tuyến (kênh 2) / hồ sơ tiếp nhận; đủ điểm từ "
                    "50%. Xấp xỉ: chưa loại hồ sơ thiếu kết quả điện tử khi thủ tục có kết quả.",
                ),
                _unmeasured(
                    "D4",
                    "Tỷ lệ thủ tục có phí thanh toán trực tuyến",
                    4,
                    "fee_procedures_online",
                    "Thủ tục có phí, lệ phí cho thanh toán trực tuyến / thủ tục có phí; đủ điểm "
                    "từ 80%.",
                ),
                _c(
                    "D5",
                    "Tỷ lệ thanh toán trực tuyến",
                    4,
                    "ratio",
                    {"of": 100},
                    "online_fees",
                    basis=CRITERION,
                    definition="Khoản phí, lệ phí thanh toán trực tuyến / khoản phí đã thanh "
                    "toán. Điểm = tỷ lệ × 4.",
                ),
            ],
        ),
        (
            "E",
            "Mức độ hài lòng",
            Pillar.DIGITAL_GOVERNMENT,
            18,
            [
                _c(
                    "E1",
                    "Phản ánh, kiến nghị được xử lý đúng hạn (15 ngày làm việc)",
                    6,
                    "ratio",
                    {"of": 100},
                    "feedback_on_time",
                    basis=CRITERION,
                    definition="Phản ánh, kiến nghị trả lời hoặc kết thúc trong 15 ngày làm "
                    "việc kể từ khi tiếp nhận / phản ánh đã xử lý trong kỳ. Điểm = tỷ lệ × 6 "
                    "(điểm tối đa do nền tảng chọn). Đơn vị không có phản ánh trong kỳ: không "
                    "áp dụng.",
                    source=SOURCE_FEEDBACK,
                ),
                _c(
                    "E2",
                    "Mức độ hài lòng về xử lý phản ánh, kiến nghị",
                    6,
                    "ratio",
                    {"of": 100},
                    "feedback_satisfaction",
                    basis=CRITERION,
                    definition="Đánh giá hài lòng / số đánh giá câu trả lời phản ánh, kiến "
                    "nghị trong kỳ. Điểm = tỷ lệ × 6 (điểm tối đa do nền tảng chọn). Đơn vị "
                    "không có đánh giá trong kỳ: không áp dụng.",
                    source=SOURCE_FEEDBACK,
                ),
                _c(
                    "E3",
                    "Mức độ hài lòng về thủ tục hành chính",
                    6,
                    "ratio",
                    {"of": 90},
                    "satisfaction_766",
                    basis=CRITERION,
                    definition="100% − (tỷ lệ trễ hạn theo B1 + tỷ lệ hồ sơ bị đánh giá không "
                    "hài lòng hoặc có phản ánh, kiến nghị); đủ điểm từ 90% (tối đa 6/18 theo "
                    "nguồn công bố).",
                ),
            ],
        ),
    ],
}
METHODS[QD766] = QD766_V2


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
            for corder, (ccode, cname, cmax, rule, params, metric, ind_code, *more) in enumerate(
                comps
            ):
                about = more[0] if more else {}
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
                        "basis": about.get("basis", ""),
                        "definition": about.get("definition", ""),
                        "source": about.get("source", ""),
                    },
                )
        out.append(m)
    return out
