"""Catalogue review: an official settles what the imported source left unclear."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.accounts.permissions import (
    user_can,
)
from tinhso.audit.services import audit_record
from tinhso.services.models import (
    ProcedureChannel,
)

# ---------------------------------------------------------------------------------------
# Catalogue review: an official settles what the imported source left unclear
# ---------------------------------------------------------------------------------------


def procedure_channel_settle(
    *,
    user: Any,
    channel_id: int,
    time_value: Decimal | None,
    time_unit: str,
    time_value_max: Decimal | None = None,
    fee_amount: int | None = None,
    fee_is_free: bool = False,
    note: str = "",
) -> ProcedureChannel:
    """Confirm a channel's processing time (with its unit) and, for glued records, its fee.
    Audited, with the source's raw text and the official's note; the channel can then take
    online dossiers. A channel that needs no review can be corrected the same way."""
    if not user_can(user=user, action="services.catalogue_review"):
        raise PermissionDenied(_("Bạn không có quyền rà soát danh mục thủ tục."))
    errors: dict[str, list[str]] = {}
    units = {u for u in ProcedureChannel.TimeUnit.values if u}
    if time_unit not in units:
        errors["time_unit"] = [_("Vui lòng chọn đơn vị thời hạn.")]
    if time_value is None or time_value <= 0 or time_value >= 10000:
        errors["time_value"] = [_("Thời hạn phải là số dương (nhỏ hơn 10 000).")]
    elif time_value_max is not None and time_value_max < time_value:
        errors["time_value_max"] = [_("Thời hạn tối đa không được nhỏ hơn thời hạn.")]
    if fee_amount is not None and fee_amount < 0:
        errors["fee_amount"] = [_("Phí không được âm.")]
    if fee_is_free and fee_amount:
        errors["fee_amount"] = [_("Thủ tục miễn phí không có mức phí.")]
    if not (note or "").strip():
        errors["note"] = [_("Vui lòng ghi căn cứ xác nhận (văn bản, trang, điều khoản).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        channel = (
            ProcedureChannel.objects.select_for_update()
            .select_related("procedure")
            .filter(pk=channel_id)
            .first()
        )
        if channel is None:
            raise ValidationError(_("Không tìm thấy cách thức thực hiện."))
        fields = ("time_value", "time_value_max", "time_unit", "fee_amount", "fee_is_free")
        before = {f: str(getattr(channel, f)) for f in (*fields, "review")}
        channel.time_value, channel.time_value_max = time_value, time_value_max
        channel.time_unit = time_unit
        if channel.review == ProcedureChannel.Review.AMBIGUOUS or fee_amount is not None:
            channel.fee_amount = None if fee_is_free else fee_amount
            channel.fee_is_free = fee_is_free
            channel.fee_currency = "" if fee_is_free or fee_amount is None else "VND"
        channel.review = ProcedureChannel.Review.NONE
        channel.time_source = "official"
        channel.save()
        audit_record(
            actor=user,
            action="services.channel_settle",
            obj=channel.procedure,
            before=before,
            after={
                **{f: str(getattr(channel, f)) for f in fields},
                "channel": channel.channel,
                "raw": channel.raw[:500],
                "note": note.strip()[:500],
            },
        )
    return channel
