"""Certificates of the org units and the register of every document the platform signed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitCertificate(models.Model):
    """The public part of a unit's signing certificate (the private key stays in
    ``SIGNING_DIR``, a PKCS#12 file or a PKCS#11 token). Used to name the unit of a signer
    when a PDF is verified."""

    class Source(models.TextChoices):
        DEMO = "demo", _("CA trình diễn của tỉnh")
        PKCS12 = "pkcs12", _("Tệp PKCS#12")
        PKCS11 = "pkcs11", _("Thiết bị PKCS#11")

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("nguồn khóa"), max_length=10, choices=Source.choices)
    subject = models.CharField(_("chủ thể"), max_length=500)
    issuer = models.CharField(_("nơi cấp"), max_length=500)
    serial = models.CharField(_("số sê-ri"), max_length=80)
    fingerprint_sha256 = models.CharField(max_length=64, unique=True)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    certificate_pem = models.TextField(_("chứng thư (PEM)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư số của đơn vị")
        verbose_name_plural = _("chứng thư số của đơn vị")
        ordering = ["org_unit__path", "-not_after"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial})"


class SignedDocument(models.Model):
    """A PDF the platform signed; ``sha256`` is over the signed bytes, so an uploaded file
    can be matched against what was issued."""

    sha256 = models.CharField(max_length=64, unique=True)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("đơn vị ký"), on_delete=models.PROTECT, related_name="+"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        on_delete=models.PROTECT,
        related_name="signed_documents",
    )
    certificate = models.ForeignKey(
        UnitCertificate, on_delete=models.PROTECT, related_name="documents"
    )
    signed_at = models.DateTimeField(_("thời điểm ký"), db_index=True)
    purpose = models.CharField(_("mục đích"), max_length=40, blank=True, db_index=True)
    object_ref = models.CharField(_("đối tượng"), max_length=80, blank=True, db_index=True)
    reason = models.CharField(_("lý do ký"), max_length=255, blank=True)
    location = models.CharField(_("nơi ký"), max_length=255, blank=True)
    filename = models.CharField(_("tên tệp"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("kích thước"))
    file = models.FileField(upload_to="signing/%Y/%m/", max_length=255)

    class Meta:
        verbose_name = _("văn bản đã ký số")
        verbose_name_plural = _("văn bản đã ký số")
        ordering = ["-signed_at"]
        indexes = [models.Index(fields=["purpose", "object_ref"])]

    def __str__(self) -> str:
        return self.filename or self.sha256[:16]

    def read_bytes(self) -> bytes:
        with self.file.open("rb") as fh:
            return fh.read()
