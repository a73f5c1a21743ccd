"""The working calendar (holidays and make-up working days)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------------------
# Working calendar
# ---------------------------------------------------------------------------------------


class CalendarDay(models.Model):
    """An administrator's entry in the working calendar: an extra day off (e.g. a
    provincial decision) or a swapped working day (a Saturday worked to bridge a holiday).
    Public holidays themselves come from the ``holidays`` package (see ``deadlines``)."""

    class Kind(models.TextChoices):
        OFF = "off", _("Ngày nghỉ bổ sung")
        WORK = "work", _("Ngày làm việc bù")

    day = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=4, choices=Kind.choices)
    note = models.CharField(_("căn cứ, ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ngày trong lịch làm việc")
        verbose_name_plural = _("lịch làm việc (ngày nghỉ, ngày làm bù)")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}"
