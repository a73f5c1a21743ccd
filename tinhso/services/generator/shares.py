"""The generator's parameters: the shares of channels, outcomes, fees, results and ratings
(tuned to the national portal's published figures) and the vocabulary of synthetic names and
procedures."""

from __future__ import annotations

from tinhso.services.models import (
    Channel,
)
from tinhso.services.workflow import DEFAULT_ACTIONS

TZ_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh has no DST
DAY = 86400
# office hours, seconds after local midnight (morning and afternoon)
OFFICE_PERIODS = ((7 * 3600 + 1800, 11 * 3600 + 1800), (13 * 3600, 17 * 3600))
GEN_USER_PREFIX = "gen."
GEN_PROCEDURE_PREFIX = "GEN."
DEFAULT_BUDGET_MINUTES = 5 * 480
BIG_LOAD = 500_000  # from this many dossiers (PostgreSQL) indexes are rebuilt after the load

# Shares (documented in the report; tuned to the national portal's published figures).
ONLINE_SHARE = {2022: 0.25, 2023: 0.35, 2024: 0.45, 2025: 0.55, 2026: 0.62, 2027: 0.66}
POST_SHARE = 0.02
REFUSED_SHARE = 0.025
WITHDRAWN_EARLY_SHARE = 0.005
SUPPLEMENT_SHARE = 0.08
SUPPLEMENT_ABANDONED = 0.10  # of supplement requests: the applicant withdraws instead
STOPPED_SHARE = 0.01
LATE_BASE = 0.06  # per unit, scaled by the unit's "quality" factor
EARLY_SHARE = 0.65
RETURNED_SHARE = 0.97
RATED_SHARE: dict[int, float] = {Channel.ONLINE: 0.40, Channel.IN_PERSON: 0.12, Channel.POST: 0.05}
RATING_SPLIT = (("satisfied", 0.86), ("normal", 0.11), ("unsatisfied", 0.03))
FEE_ONLINE_SHARE: dict[int, float] = {
    Channel.ONLINE: 0.80,
    Channel.IN_PERSON: 0.20,
    Channel.POST: 0.10,
}
DIGITISED_IN_PERSON = 0.55
# document parts (issue 15, the Decision 766 digitisation group): of a procedure's optional
# parts, the share an applicant hands in with an electronic dossier; of an online dossier's
# parts, the share taken from the applicant's store of documents (it grows as stores fill);
# of the paper dossiers not scanned at receipt, the share scanned at the counter later
OPTIONAL_PART_SHARE = 0.3
REUSED_PART_SHARE = {2022: 0.02, 2023: 0.05, 2024: 0.10, 2025: 0.17, 2026: 0.25, 2027: 0.30}
SCANNED_LATER_SHARE = 0.35
DIGITAL_RESULT = {2022: 0.2, 2023: 0.3, 2024: 0.45, 2025: 0.6, 2026: 0.7, 2027: 0.75}
WEEKDAY_WEIGHT = (1.0, 1.0, 0.95, 0.95, 0.9, 0.18, 0.04)  # Monday … Sunday
YEAR_GROWTH = 1.10

FAMILY: tuple[str, ...] = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
)
FAMILY += ("Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Quốc", "Thu", "Đức", "Hoài", "Kim")
GIVEN: tuple[str, ...] = (
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hùng",
)
GIVEN += ("Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Nhung", "Phong")
GIVEN += ("Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Trung", "Tuấn", "Vy", "Yến")
COMPANY = ("Công ty TNHH", "Công ty CP", "Doanh nghiệp tư nhân", "Hợp tác xã")
TRADE = ("Thương mại", "Xây dựng", "Dịch vụ", "Sản xuất", "Vận tải", "Nông sản", "Cơ khí")

# Vocabulary for synthetic procedures (catalogue search at scale).
PROC_VERBS = (
    "Đăng ký",
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Điều chỉnh",
    "Gia hạn",
    "Thu hồi",
    "Xác nhận",
    "Công nhận",
    "Chứng thực",
    "Thẩm định",
    "Phê duyệt",
)
PROC_OBJECTS = (
    "giấy phép kinh doanh",
    "giấy chứng nhận quyền sử dụng đất",
    "giấy phép xây dựng",
    "hộ kinh doanh",
    "khai sinh",
    "kết hôn",
    "khai tử",
    "thường trú",
    "chứng chỉ hành nghề",
    "giấy phép lái xe",
    "biển hiệu quảng cáo",
    "hợp tác xã",
    "cơ sở giáo dục",
    "cơ sở khám chữa bệnh",
    "trang trại",
    "giấy phép môi trường",
    "phương án phòng cháy",
    "điểm kinh doanh dịch vụ",
    "nhà ở riêng lẻ",
    "văn bản chấp thuận đầu tư",
)
PROC_QUALIFIERS = (
    "",
    "cho cá nhân",
    "cho doanh nghiệp",
    "có yếu tố nước ngoài",
    "trong khu công nghiệp",
    "tại cấp xã",
    "tại cấp tỉnh",
    "lần đầu",
    "do bị mất, hỏng",
    "trường hợp thay đổi thông tin",
)

ACTION_NAMES = {a[0]: a[1] for a in DEFAULT_ACTIONS}
ACTION_NAMES["submit"] = "Nộp hồ sơ trực tuyến"
ACTION_NAMES["register"] = "Đăng ký hồ sơ nộp trực tiếp"
ACTION_NAMES.setdefault("request_fee", "Yêu cầu nộp phí, lệ phí")
REFUSE_REASONS = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
    "Thành phần hồ sơ không đúng quy định.",
)
SUPPLEMENT_REASONS = (
    "Đề nghị bổ sung bản sao giấy tờ tùy thân còn hiệu lực.",
    "Tờ khai còn thiếu thông tin, đề nghị bổ sung.",
)
REJECT_REASON = "Không đủ điều kiện theo quy định."
REWORK = "Đề nghị thẩm định lại."
