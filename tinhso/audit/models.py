"""Append-only, hash-chained audit log.

Entries form several independent chains (``chain``, chosen from the object, so all entries
of one object stay in order in one chain). Within a chain each entry stores ``seq`` (1, 2, 3,
… with no gap), the previous entry's hash and its own hash over a canonical serialisation of
its fields. ``ChainHead`` holds each chain's last seq/hash and is locked while appending, so
concurrent writers of one chain form one sequence, while writers of different objects do not
wait for each other (one global chain serialised every audited write: bench/notes.md).
Editing, deleting or reordering any entry breaks its chain, which ``verify_audit`` reports.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainHead(models.Model):
    name = models.CharField(max_length=40, unique=True)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.name}@{self.seq}"


class AuditEntry(models.Model):
    chain = models.CharField(max_length=40, default="main", editable=False)
    seq = models.BigIntegerField(editable=False)
    created_at = models.DateTimeField(_("thời điểm"), editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("người thực hiện"), max_length=255, blank=True)
    action = models.CharField(_("hành động"), max_length=80, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=80, db_index=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=80, blank=True, db_index=True)
    object_label = models.CharField(_("đối tượng"), max_length=255, blank=True)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    # what the hash covers: 1 = entries written before org_path and chain were hashed
    # (they keep verifying as they were); 2 = every column (services.ENTRY_VERSION)
    version = models.PositiveSmallIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action} {self.object_type}:{self.object_id}"
