"""Reporting periods: "2024" (year), "2024-Q3" (quarter), "2024-07" (month)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_RE = re.compile(r"^(\d{4})(?:-(Q[1-4]|0[1-9]|1[0-2]))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str  # "year" | "quarter" | "month"
    number: int = 1  # quarter 1–4, month 1–12, 1 for a year

    @property
    def key(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return str(self.year)

    @property
    def start(self) -> dt.date:
        if self.kind == "quarter":
            return dt.date(self.year, 3 * self.number - 2, 1)
        if self.kind == "month":
            return dt.date(self.year, self.number, 1)
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period (inclusive)."""
        if self.kind == "quarter":
            m = 3 * self.number
        elif self.kind == "month":
            m = self.number
        else:
            m = 12
        if m == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, m + 1, 1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        """For people, in the current language (``key`` is the stored form)."""
        if self.kind == "quarter":
            return _("Quý %(quarter)s/%(year)s") % {"quarter": self.number, "year": self.year}
        if self.kind == "month":
            return _("Tháng %(month)s/%(year)s") % {
                "month": f"{self.number:02d}",
                "year": self.year,
            }
        return _("Năm %(year)s") % {"year": self.year}

    def due(self, days: int) -> dt.date:
        return self.end + dt.timedelta(days=days)

    def previous(self) -> Period:
        if self.kind == "quarter":
            return (
                Period(self.year, "quarter", self.number - 1)
                if self.number > 1
                else Period(self.year - 1, "quarter", 4)
            )
        if self.kind == "month":
            return (
                Period(self.year, "month", self.number - 1)
                if self.number > 1
                else Period(self.year - 1, "month", 12)
            )
        return Period(self.year - 1, "year")

    def __str__(self) -> str:
        return self.key


def period_parse(key: str) -> Period:
    m = _RE.match((key or "").strip())
    if not m:
        raise ValidationError(
            _("Kỳ báo cáo không hợp lệ: “%(key)s” (ví dụ: 2024, 2024-Q3, 2024-07).") % {"key": key}
        )
    year = int(m.group(1))
    part = m.group(2)
    if part is None:
        return Period(year, "year")
    if part.startswith("Q"):
        return Period(year, "quarter", int(part[1]))
    return Period(year, "month", int(part))


def periods_of_year(*, year: int, kind: str) -> list[Period]:
    if kind == "quarter":
        return [Period(year, "quarter", q) for q in range(1, 5)]
    if kind == "month":
        return [Period(year, "month", m) for m in range(1, 13)]
    return [Period(year, "year")]


def period_containing(*, day: dt.date, kind: str) -> Period:
    if kind == "quarter":
        return Period(day.year, "quarter", (day.month - 1) // 3 + 1)
    if kind == "month":
        return Period(day.year, "month", day.month)
    return Period(day.year, "year")
