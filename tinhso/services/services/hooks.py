"""Hooks for the payment, signing and rating integrations (those apps never import
services: services calls them, then calls these)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.services.models import (
    Dossier,
    Status,
)
from tinhso.services.services.actions import dossier_act
from tinhso.services.services.changes import _lock_dossier, _track_cache_forget
from tinhso.services.services.stats import stats_record_fee_paid, stats_record_rating
from tinhso.services.statcounters import RATINGS

# Hooks for the payment, signing and rating integrations (those apps never import
# services: services calls them, then calls these).


def dossier_payment_confirmed(
    *, dossier_id: int, online: bool, paid_at: dt.datetime, payment_ref: str = ""
) -> Dossier:
    """The fee was paid: record it and resume processing if the dossier waited for it."""
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        if dossier is None:
            raise PermissionDenied(_("Không tìm thấy hồ sơ."))
        if dossier.fee_paid_at is not None:
            return dossier  # idempotent (a payment notice may arrive twice)
        Dossier.objects.filter(pk=dossier.pk).update(fee_paid_at=paid_at, fee_paid_online=online)
        dossier.fee_paid_at, dossier.fee_paid_online = paid_at, online
        stats_record_fee_paid(dossier=dossier, online=online)
        audit_record(
            actor=None,
            action="services.dossier_fee_paid",
            obj=dossier,
            org_unit=dossier.org_unit,
            after={"fee_amount": dossier.fee_amount, "online": online, "payment": payment_ref},
        )
        if dossier.status == Status.FINANCIAL:
            return dossier_act(
                user=None,
                dossier_id=dossier.pk,
                action_code="paid",
                version=dossier.version,
                system=True,
            )
    return dossier


def dossier_result_attach(*, dossier_id: int, digital: bool, ref: str) -> None:
    """The signed (or paper) result is ready; call before ``approve`` finishes it."""
    with transaction.atomic():
        Dossier.objects.filter(pk=dossier_id).update(result_digital=digital, result_ref=ref[:120])
        _track_cache_forget(
            Dossier.objects.filter(pk=dossier_id).values_list("number", flat=True).first()
        )
        audit_record(
            actor=None,
            action="services.dossier_result_attach",
            object_type="services.dossier",
            object_id=str(dossier_id),
            after={"digital": digital, "ref": ref[:120]},
        )


def dossier_rate(*, user: AnyUser, dossier_id: int, rating: str, comment: str = "") -> Dossier:
    """The applicant rates the service once, after the result was returned."""
    if rating not in RATINGS:
        raise ValidationError(_("Mức đánh giá không hợp lệ."))
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise ValidationError({"comment": [_("Góp ý tối đa 1.000 ký tự.")]})
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        if dossier is None:
            raise PermissionDenied(_("Không tìm thấy hồ sơ."))
        if dossier.applicant_id != getattr(user, "pk", None):
            raise PermissionDenied(_("Chỉ người nộp hồ sơ mới được đánh giá."))
        if dossier.rated_at:
            raise ValidationError(_("Bạn đã đánh giá hồ sơ này."))
        if dossier.status != Status.RETURNED:
            raise ValidationError(_("Chỉ đánh giá được sau khi đã nhận kết quả."))
        dossier.rating, dossier.rated_at = rating, timezone.now()
        dossier.rating_comment = comment
        dossier.save(update_fields=["rating", "rating_comment", "rated_at"])
        stats_record_rating(dossier=dossier, rating=rating)
        audit_record(
            actor=user,
            action="services.dossier_rate",
            obj=dossier,
            org_unit=dossier.org_unit,
            after={"rating": rating, "comment": bool(comment)},
        )
    return dossier
