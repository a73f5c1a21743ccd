"""Parsing the national procedure catalogue's crawled records (FACTS §5).

The records are flattened text: ``"Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1Miễn
phí…"``. Each parser returns what it could read plus a list of problems; it never guesses:
a value that is not in the text stays ``None`` and is reported. Pure functions, no database.

Where the crawl glued a unit-less time to a fee (``Trực tuyến120 VNĐ``: 1 day and 20 đồng?
12 and 0? 120 and nothing?), no split is chosen, even where a note beside it seems to settle
it: time and fee are stored as unknown, the raw text is kept, and the channel is marked for
an official to settle (``review = "ambiguous"``). When the time column says nothing, a time
the description states ("15 ngày làm việc kể từ ngày nhận đủ hồ sơ") is read from there;
two different stated times are reported as conflicting and neither is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

NO_INFO = "Không có thông tin"

CHANNELS = {"Trực tiếp": 1, "Trực tuyến": 2, "Dịch vụ bưu chính": 3}
TIME_UNITS = {"Ngày làm việc": "working_day", "Ngày": "day", "Giờ": "hour", "Tháng": "month"}
# a time stated in prose: "(trong thời hạn) 15 ngày làm việc (kể từ …)"
_PROSE_UNITS = {
    "ngày làm việc": "working_day",
    "giờ làm việc": "hour",
    "ngày": "day",
    "giờ": "hour",
    "tháng": "month",
}
_PROSE_TIME = re.compile(
    r"(?P<lead>trong thời hạn|trong vòng|trong|thời hạn giải quyết(?: là)?|không quá|tối đa)?"
    r"\s*(?P<n>\d+(?:[.,]\d+)?)\s*(?:\([^)]{0,30}\)\s*)?"
    r"(?P<unit>ngày làm việc|giờ làm việc|ngày|giờ|tháng)\b"
    r"(?P<tail>[^.;]{0,60}?kể từ)?",
    re.IGNORECASE,
)
REVIEW_AMBIGUOUS = "ambiguous"
REVIEW_CONFLICTING = "conflicting"
REVIEW_NO_UNIT = "no_unit"
CURRENCIES = {
    "Việt Nam Đồng": "VND",
    "VNĐ": "VND",
    "Đồng": "VND",
    "đồng": "VND",
    "USD": "USD",
}
LEVELS = {
    "Cấp bộ": "ministry",
    "Cấp tỉnh": "province",
    "Cấp huyện": "district",
    "Cấp xã": "commune",
    "Cơ quan khác": "other",
}

_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_ENTRY = re.compile(
    r"(?P<ch>Trực tuyến|Trực tiếp|Dịch vụ bưu chính)"
    r"(?P<time>Không có thông tin|(?P<t1>\d+(?:[.,]\d+)?)"
    r"(?:\s*(?:-|–|đến)\s*(?P<t2>\d+(?:[.,]\d+)?))?\s*(?P<unit>Ngày làm việc|Ngày|Giờ|Tháng)?)"
    r"(?P<fee>Miễn phí|Không có thông tin|(?P<amt>" + _NUM + r")"
    r"(?:\s*(?:-|–)\s*(?P<amt2>" + _NUM + r"))?\s*"
    r"(?P<cur>Việt Nam Đồng|VNĐ|Đồng|đồng|USD))"
)
_CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_NOTE_AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)\s*(?:đồng|đ\b|VNĐ|USD)", re.IGNORECASE)


@dataclass
class Problem:
    field: str
    code: str
    message: str
    excerpt: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "excerpt": self.excerpt[:200],
        }


@dataclass
class ChannelSpec:
    channel: int
    time_value: Decimal | None
    time_value_max: Decimal | None
    time_unit: str  # "" when the text gives a number without a unit
    fee_amount: int | None
    fee_amount_max: int | None
    fee_currency: str
    fee_is_free: bool
    description: str
    raw: str
    review: str = ""  # why an official must settle it: no_unit, ambiguous, conflicting
    time_source: str = ""  # "column" or "description" when a time was read


@dataclass
class PartSpec:
    name: str
    group: str
    copies: int | None
    copy_kind: str
    required: bool
    form_name: str
    raw: str


@dataclass
class ResultSpec:
    name: str
    code: str


@dataclass
class ParsedRecord:
    code: str
    name: str
    levels: list[str]
    field_name: str
    channels: list[ChannelSpec] = field(default_factory=list)
    parts: list[PartSpec] = field(default_factory=list)
    results: list[ResultSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _dec(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _amount(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text.replace(",", ""))


def _clean(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    return re.sub(r"[ \t]+", " ", text).strip()


def parse_channels(text: str) -> tuple[list[ChannelSpec], list[Problem]]:
    """``cach_thuc_thuc_hien`` → channels with time and fee."""
    problems: list[Problem] = []
    body = _clean(text)
    if not body or body == NO_INFO:
        return [], [Problem("channels", "missing", "Không có thông tin cách thức thực hiện.")]
    if body.startswith(_CHANNEL_HEADER):
        body = body[len(_CHANNEL_HEADER) :]
    else:
        problems.append(
            Problem("channels", "no_header", "Không có tiêu đề bảng cách thức.", body[:80])
        )
    matches = list(_ENTRY.finditer(body))
    if not matches:
        problems.append(
            Problem("channels", "unparsed", "Không đọc được hình thức nộp.", body[:120])
        )
        return [], problems
    lead = body[: matches[0].start()].strip()
    if lead:
        problems.append(
            Problem("channels", "unparsed_prefix", "Có đoạn không đọc được.", lead[:120])
        )
    specs: list[ChannelSpec] = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        description = body[m.end() : end].strip()
        raw = body[m.start() : end]
        ch = CHANNELS[m.group("ch")]
        label = m.group("ch")
        review = time_source = ""
        fee = m.group("fee")
        free = fee == "Miễn phí"
        amount = amount_max = None
        currency = ""
        last_digit = m.end("t2") if m.group("t2") else m.end("t1")
        glued = (
            m.group("t1") is not None
            and not m.group("unit")
            and m.group("amt") is not None
            and last_digit == m.start("amt")
        )
        if glued:
            # "120 VNĐ": the digits of the time and of the fee run together; every split
            # is a guess, so neither is stored
            t1 = t2 = None
            unit = ""
            review = REVIEW_AMBIGUOUS
            excerpt = raw[:120]
            for fld, what in (("time", "thời hạn"), ("fee", "phí")):
                problems.append(
                    Problem(
                        fld,
                        "ambiguous",
                        f"{label}: {what} và phí dính liền trong nguồn "
                        f"(“{m.group('time')}{fee}”), không tách được; cần cán bộ xác nhận."
                        if fld == "time"
                        else f"{label}: không rõ mức phí (dính liền với thời hạn).",
                        excerpt,
                    )
                )
        elif m.group("time") == NO_INFO:
            t1, t2, unit, review = _prose_time(description, label, raw, problems)
            time_source = "description" if t1 is not None else ""
        else:
            t1, t2 = _dec(m.group("t1")), _dec(m.group("t2"))
            unit = TIME_UNITS.get(m.group("unit") or "", "")
            time_source = "column"
            if not unit:
                review = REVIEW_NO_UNIT
                problems.append(
                    Problem("time", "no_unit", f"{label}: thời hạn không ghi đơn vị.", raw[:80])
                )
        if glued:
            pass
        elif fee == NO_INFO:
            problems.append(
                Problem("fee", "missing", f"{label}: không có thông tin phí.", raw[:80])
            )
        elif not free:
            amount, amount_max = _amount(m.group("amt")), _amount(m.group("amt2"))
            currency = CURRENCIES[m.group("cur")]
            note = _NOTE_AMOUNT.search(description[:120]) if description.startswith("(") else None
            if note and currency == "VND":
                noted = int(note.group(1).replace(".", ""))
                if noted != amount and (amount_max is None or noted != amount_max):
                    problems.append(
                        Problem(
                            "fee",
                            "mismatch",
                            f"{label}: mức phí {amount} khác ghi chú {noted}.",
                            raw[:120],
                        )
                    )
        specs.append(
            ChannelSpec(
                channel=ch,
                time_value=t1,
                time_value_max=t2,
                time_unit=unit,
                fee_amount=amount,
                fee_amount_max=amount_max,
                fee_currency=currency,
                fee_is_free=free,
                description=description[:2000],
                raw=raw[:4000],
                review=review,
                time_source=time_source,
            )
        )
    return specs, problems


def _prose_time(
    description: str, label: str, raw: str, problems: list[Problem]
) -> tuple[Decimal | None, Decimal | None, str, str]:
    """A time stated in the channel's description when the time column is empty:
    (value, None, unit, review). One stated time is kept; different ones are conflicting."""
    found = {
        (_dec(m.group("n")), _PROSE_UNITS[m.group("unit").lower()])
        for m in _PROSE_TIME.finditer(description)
        if m.group("lead") or m.group("tail")
    }
    found.discard((None, ""))
    if len(found) == 1:
        value, unit = found.pop()
        return value, None, unit, ""
    if len(found) > 1:
        names = {"working_day": "ngày làm việc", "day": "ngày", "hour": "giờ", "month": "tháng"}
        stated = ", ".join(f"{v} {names[u]}" for v, u in sorted(found, key=str))
        problems.append(
            Problem(
                "time",
                "conflicting",
                f"{label}: mô tả ghi nhiều thời hạn khác nhau ({stated}); cần cán bộ xác nhận.",
                description[:160],
            )
        )
        return None, None, "", REVIEW_CONFLICTING
    problems.append(Problem("time", "missing", f"{label}: không có thời hạn.", raw[:80]))
    return None, None, "", ""


_PART_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_COPIES = re.compile(
    r"(?P<n>\d+) bản (?P<kind>chính|sao)(?:,\s*(?P<n2>\d+) bản (?P<kind2>chính|sao))?"
)
_FORM_FILE = re.compile(
    r"(?:(?<=[a-zà-ỹđ).;:,\s])|^)([A-Z0-9][A-Za-z0-9_ .()\-]*\.(?:docx?|pdf|xlsx?))$"
)
_CONDITIONAL = re.compile(r"^[-+*\s]*(trường hợp|nếu|đối với trường hợp)|\(nếu có\)", re.I)


def parse_parts(text: str) -> tuple[list[PartSpec], list[Problem]]:
    """``thanh_phan_ho_so`` → document parts (name, copies, form file, group)."""
    body = _clean(text)
    if not body or body in {NO_INFO, "--"}:
        return [], [Problem("parts", "missing", "Không có thông tin thành phần hồ sơ.")]
    problems: list[Problem] = []
    parts: list[PartSpec] = []
    chunks = body.split(_PART_HEADER)
    if len(chunks) == 1:
        return [], [Problem("parts", "unparsed", "Không đọc được thành phần hồ sơ.", body[:120])]
    group = chunks[0]
    for idx, chunk in enumerate(chunks[1:], start=1):
        pos = 0
        items = list(_COPIES.finditer(chunk))
        for m in items:
            name = chunk[pos : m.start()].strip()
            pos = m.end()
            if not name:
                continue
            form_name = ""
            fm = _FORM_FILE.search(name)
            if fm and len(fm.group(1)) < len(name):
                form_name = fm.group(1).strip()
                name = name[: fm.start()].strip()
            copies = int(m.group("n"))
            kind = "bản " + m.group("kind")
            if m.group("n2"):
                copies_2 = int(m.group("n2"))
                if copies == 0:
                    copies, kind = copies_2, "bản " + m.group("kind2")
                else:
                    kind = f"{kind}, {copies_2} bản {m.group('kind2')}"
            required = copies > 0 and not _CONDITIONAL.search(name)
            parts.append(
                PartSpec(
                    name=name[:2000],
                    group=group.strip(" -*:")[:120],
                    copies=copies,
                    copy_kind=kind,
                    required=required,
                    form_name=form_name[:255],
                    raw=chunk[: m.end()][-2000:] if not parts else name[:2000],
                )
            )
        tail = chunk[pos:].strip(" -")
        if idx < len(chunks) - 1:
            group = tail  # the text before the next header names the next group
        elif tail:
            problems.append(
                Problem("parts", "unparsed_tail", "Giấy tờ không ghi số lượng.", tail[:120])
            )
        if not items:
            problems.append(
                Problem("parts", "no_copies", "Nhóm giấy tờ không đọc được.", chunk[:120])
            )
    return parts, problems


_RESULT = re.compile(
    r"(?:^|Không có thông tin|Mô tả)(?P<name>[^\n]+?)Mã: (?P<code>[^\s]{1,40}?)Từ khóa"
)


def parse_results(text: str) -> tuple[list[ResultSpec], list[Problem]]:
    """``ket_qua_xu_ly`` → result documents (name and national result code)."""
    body = _clean(text)
    if not body or body == NO_INFO:
        return [], [Problem("result", "missing", "Không có thông tin kết quả.")]
    found = [
        ResultSpec(name=m.group("name").strip(), code=m.group("code"))
        for m in _RESULT.finditer(body)
    ]
    found = [r for r in found if r.name and r.name != NO_INFO]
    if not found:
        return [], [Problem("result", "unparsed", "Không đọc được kết quả.", body[:120])]
    return found, []


def parse_levels(text: str) -> tuple[list[str], list[Problem]]:
    levels: list[str] = []
    problems: list[Problem] = []
    for label in [p.strip() for p in _clean(text).split(",") if p.strip()]:
        if label in LEVELS:
            levels.append(LEVELS[label])
        else:
            problems.append(Problem("level", "unknown", f"Cấp thực hiện lạ: {label}", label))
    if not levels and not problems:
        problems.append(Problem("level", "missing", "Không có cấp thực hiện."))
    return levels, problems


def parse_record(data: Any) -> ParsedRecord:
    """One crawled record → ``ParsedRecord``; raises ``ValueError`` only when the record has
    no usable code or name (it cannot be stored at all)."""
    if not isinstance(data, dict):
        raise ValueError("Bản ghi không phải đối tượng JSON.")
    code = _clean(data.get("ma_thu_tuc"))
    name = _clean(data.get("ten_thu_tuc"))
    if not code or not re.fullmatch(r"[0-9A-Za-z.\-_]{3,40}", code):
        raise ValueError(f"Mã thủ tục không hợp lệ: {code!r}")
    if not name:
        raise ValueError("Thiếu tên thủ tục.")
    levels, problems = parse_levels(data.get("cap_thuc_hien", ""))
    rec = ParsedRecord(
        code=code,
        name=name,
        levels=levels,
        field_name=_clean(data.get("linh_vuc")),
        problems=problems,
    )
    if not rec.field_name:
        rec.problems.append(Problem("field", "missing", "Không có lĩnh vực."))
    rec.channels, p = parse_channels(data.get("cach_thuc_thuc_hien", ""))
    rec.problems += p
    rec.parts, p = parse_parts(data.get("thanh_phan_ho_so", ""))
    rec.problems += p
    rec.results, p = parse_results(data.get("ket_qua_xu_ly", ""))
    rec.problems += p
    return rec


def legal_basis_text(text: Any) -> str:
    body = _clean(text)
    prefix = "Tên văn bản pháp lýMã văn bản"
    return body[len(prefix) :] if body.startswith(prefix) else body
