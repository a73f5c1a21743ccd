"""Vietnamese identity numbers.

- Citizen ID (CCCD, 12 digits, Circular 59/2021/TT-BCA): 3 digits province-of-birth code,
  1 digit for gender and century (0/1 = 1900s, 2/3 = 2000s, 4/5 = 2100s, …), 2 digits year of
  birth, 6 random digits.
- Tax code (MST): 10 digits with a check digit, or 13 digits (10 + 3-digit branch); checked
  with python-stdnum's ``stdnum.vn.mst``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

# Province codes used in the first three digits of a CCCD (the 63 pre-2025 provinces).
CCCD_PROVINCE_CODES = frozenset(
    (
        "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 "
        "034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 "
        "067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
    ).split()
)  # fmt: skip


def normalise_citizen_id(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def validate_citizen_id(value: str, *, today: dt.date | None = None) -> str:
    value = normalise_citizen_id(value)
    if not re.fullmatch(r"\d{12}", value):
        raise ValidationError(_("Số CCCD phải gồm đúng 12 chữ số."), code="cccd_format")
    if value[:3] not in CCCD_PROVINCE_CODES:
        raise ValidationError(
            _("Số CCCD không hợp lệ: mã tỉnh nơi đăng ký khai sinh (%(code)s) không tồn tại.")
            % {"code": value[:3]},
            code="cccd_province",
        )
    century = 1900 + 100 * (int(value[3]) // 2)
    year = century + int(value[4:6])
    if year > (today or timezone.localdate()).year:
        raise ValidationError(
            _("Số CCCD không hợp lệ: năm sinh mã hóa (%(year)s) ở tương lai.") % {"year": year},
            code="cccd_year",
        )
    return value


def normalise_tax_code(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "")


def validate_tax_code(value: str) -> str:
    compact = normalise_tax_code(value)
    if not re.fullmatch(r"\d{10}|\d{13}", compact):
        raise ValidationError(_("Mã số thuế phải gồm 10 hoặc 13 chữ số."), code="mst_format")
    try:
        mst.validate(compact)
    except StdnumError as exc:
        raise ValidationError(
            _("Mã số thuế không hợp lệ (sai số kiểm tra hoặc mã chi nhánh)."), code="mst_checksum"
        ) from exc
    return compact
