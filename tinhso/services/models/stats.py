"""The running aggregates the monitoring app reads (it never scans dossiers): counters per
unit, procedure and day, per unit and month, and the distinct applicants per year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StatCounters(models.Model):
    """The additive counters shared by the daily and monthly tables: one column per counter of
    ``tinhso.services.statcounters`` (``STAT_COUNTERS``, same order)."""

    received_total = models.PositiveIntegerField(default=0)
    received_online = models.PositiveIntegerField(default=0)
    received_in_person = models.PositiveIntegerField(default=0)
    received_post = models.PositiveIntegerField(default=0)
    received_digitised = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    finished_total = models.PositiveIntegerField(default=0)
    finished_early = models.PositiveIntegerField(default=0)
    finished_on_time = models.PositiveIntegerField(default=0)
    finished_late = models.PositiveIntegerField(default=0)
    results_digital = models.PositiveIntegerField(default=0)
    fees_total = models.PositiveIntegerField(default=0)
    fees_online = models.PositiveIntegerField(default=0)
    ratings_total = models.PositiveIntegerField(default=0)
    ratings_satisfied = models.PositiveIntegerField(default=0)
    ratings_normal = models.PositiveIntegerField(default=0)
    ratings_unsatisfied = models.PositiveIntegerField(default=0)
    finished_resupplied = models.PositiveIntegerField(default=0)
    finished_digitised = models.PositiveIntegerField(default=0)
    parts_received = models.PositiveIntegerField(default=0)
    parts_reused = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ServiceDailyStat(StatCounters):
    """Counters per (receiving org unit, procedure, day). Additive over days and units."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    procedure_code = models.CharField(max_length=40)
    day = models.DateField()

    class Meta:
        verbose_name = _("thống kê dịch vụ theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "procedure_code", "day"], name="service_stat_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "org_unit"])]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.procedure_code} {self.day}"


class ServiceMonthlyStat(StatCounters):
    """The same counters per (receiving org unit, month), without the procedure: what the
    dashboards read for whole months. Its size is units × months, whatever the number of
    dossiers. Bumped together with ``ServiceDailyStat`` (same transaction); equal to the
    sum of the daily rows of the month (``stats_monthly_from_daily`` rebuilds it)."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text=_("Ngày đầu tháng."))

    class Meta:
        verbose_name = _("thống kê dịch vụ theo tháng")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "month"], name="service_month_unique")
        ]
        indexes = [models.Index(fields=["month", "org_unit"])]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.month:%Y-%m}"


class ServiceApplicantYear(models.Model):
    """Distinct applicants who submitted online to a unit in a year (for "adults using
    online public services"); distinct counts cannot be summed from daily counters."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year", "applicant"], name="service_applicant_year_unique"
            )
        ]
        # the units an applicant already used in a year (kept in step with the scope counts)
        indexes = [models.Index(fields=["applicant", "year"], name="service_applicant_year_idx")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.year} {self.applicant_id}"


class ServiceApplicantScopeYear(models.Model):
    """How many distinct applicants submitted online to a unit or any unit below it (the
    unit's subtree by its path when they submitted) in a year: the distinct count of
    ``ServiceApplicantYear`` over the subtree, kept as a counter so that reading it costs
    the same with a thousand applicants or millions. Bumped in the transaction that notes a
    new applicant-year (``_applicant_year_note``); rebuilt by ``stats_rebuild``."""

    scope = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    applicants = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("số người nộp trực tuyến theo đơn vị và năm")
        constraints = [
            models.UniqueConstraint(fields=["scope", "year"], name="service_scope_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope_id} {self.year}: {self.applicants}"
