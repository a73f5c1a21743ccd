"""Org units: administrative units and agencies in one effective-dated hierarchy.

A row never changes parent. A reorganisation closes rows (``valid_to``) and opens new ones,
with ``Succession`` links from each old unit to the unit(s) that took over. ``path`` is the
materialised chain of primary keys from the root ("/1/12/140/"), so a subtree is a prefix
query and a permission scope is a handful of prefixes.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrgUnit(models.Model):
    class Category(models.TextChoices):
        ADMINISTRATIVE = "admin", _("Đơn vị hành chính")
        AGENCY = "agency", _("Cơ quan")

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Cấp tỉnh")
        DISTRICT = 2, _("Cấp huyện")
        COMMUNE = 3, _("Cấp xã")

    class Kind(models.TextChoices):
        # administrative units (the unit stands for its People's Committee too)
        CENTRAL_CITY = "central_city", _("Thành phố trực thuộc trung ương")
        PROVINCE = "province", _("Tỉnh")
        PROVINCIAL_CITY = "city", _("Thành phố thuộc tỉnh")
        TOWN = "town", _("Thị xã")
        URBAN_DISTRICT = "urban_district", _("Quận")
        RURAL_DISTRICT = "rural_district", _("Huyện")
        WARD = "ward", _("Phường")
        COMMUNE = "commune", _("Xã")
        TOWNSHIP = "township", _("Thị trấn")
        SPECIAL_ZONE = "special_zone", _("Đặc khu")
        # agencies
        PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
        DIVISION = "division", _("Phòng chuyên môn")
        OTHER_AGENCY = "other_agency", _("Cơ quan khác")

    code = models.CharField(_("mã"), max_length=40, db_index=True)
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    category = models.CharField(_("loại"), max_length=10, choices=Category.choices)
    kind = models.CharField(_("kiểu"), max_length=30, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cha"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(
        _("hết hiệu lực từ"),
        null=True,
        blank=True,
        help_text=_("Ngày đầu tiên không còn hiệu lực."),
    )
    is_demo = models.BooleanField(default=False, help_text=_("Số liệu minh họa, không chính thức."))
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    successors: models.ManyToManyField[OrgUnit, Succession] = models.ManyToManyField(
        "self",
        through="Succession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="orgunit_code_from_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="orgunit_valid_period",
            ),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    @property
    def is_administrative(self) -> bool:
        return self.category == self.Category.ADMINISTRATIVE

    @property
    def agency_name(self) -> str:
        """The receiving authority's name: an administrative unit acts as its People's
        Committee (UBND)."""
        if self.is_administrative:
            return f"UBND {self.name[0].lower()}{self.name[1:]}"
        return self.name


class Succession(models.Model):
    """``predecessor`` was taken over (wholly or in part) by ``successor`` on ``effective``."""

    predecessor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    successor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    effective = models.DateField(_("ngày hiệu lực"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_pair_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Population(models.Model):
    """Population of a unit in a year (entered, with source); used by monitoring."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField()
    total = models.PositiveIntegerField()
    adults = models.PositiveIntegerField(help_text=_("Dân số từ 18 tuổi trở lên."))
    source = models.CharField(max_length=255, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year"], name="population_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.year}"
