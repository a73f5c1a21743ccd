"""Shared by the monitoring reads: today's date (looked up through this module, so tests can set
it) and constants."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.utils import timezone

from tinhso.monitoring.models import (
    ReportedValue,
)

S = ReportedValue.Status


logger = logging.getLogger("tinhso.monitoring.selectors")


HUNDRED = Decimal(100)


def today() -> dt.date:
    return timezone.localdate()
