"""A procedure's short guide ("Hướng dẫn"): who may apply, what to bring, how long it takes,
what it costs and what happens next, drawn from the catalogue's own data (the applicants'
text, the required documents, the online channel's time and fee, the result's name)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tinhso.services.models import Channel, Procedure, ProcedureChannel

WHO_MAX = 240
PART_MAX = 180


@dataclass(frozen=True)
class ProcedureGuide:
    who: str
    bring: list[str]  # the required documents (shortened names)
    optional: str  # "and N documents needed only in some cases" (or "")
    has_form: bool  # an e-form is filled in online
    time: str
    fee: str
    result: str
    next_steps: list[str] = field(default_factory=list)


def _short(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return f"{cut}…"


def procedure_result_title(procedure: Procedure) -> str:
    """The first result's name: the catalogue runs several together ("…Mã: KQ.G01…")."""
    first = re.split(r"Mã:|\n", procedure.result_name or "", maxsplit=1)[0]
    return first.strip(" -+•.:")


def _vnd(amount: int) -> str:
    return f"{int(amount):,}".replace(",", ".") + " ₫"


def _main_channel(procedure: Procedure) -> ProcedureChannel | None:
    channels = list(procedure.channels.all())
    for wanted in (Channel.ONLINE, Channel.IN_PERSON, Channel.POST):
        for c in channels:
            if c.channel == wanted:
                return c
    return None


def _fee_text(procedure: Procedure, channel: ProcedureChannel | None) -> tuple[str, bool]:
    """The fee as a sentence, and whether there is one to pay."""
    if channel is None or (channel.fee_amount is None and not channel.fee_is_free):
        return _("Không có thông tin về phí, lệ phí; cơ quan tiếp nhận sẽ báo nếu có."), False
    if channel.fee_is_free or not channel.fee_amount:
        return _("Miễn phí."), False
    if channel.fee_currency and channel.fee_currency != "VND":
        amount = f"{channel.fee_amount} {channel.fee_currency}"
    elif channel.fee_amount_max and channel.fee_amount_max != channel.fee_amount:
        amount = f"{_vnd(channel.fee_amount)} – {_vnd(channel.fee_amount_max)}"
    else:
        amount = _vnd(channel.fee_amount)
    if channel.fee_per_copy:
        amount = _("%(amount)s mỗi bản") % {"amount": amount}
    if procedure.fee_timing == Procedure.FeeTiming.AFTER:
        when = _("nộp sau khi hồ sơ được thẩm định, trước khi trả kết quả")
    else:
        when = _("nộp khi hồ sơ được tiếp nhận")
    return _("%(amount)s, %(when)s (trực tuyến hoặc tại quầy).") % {
        "amount": amount,
        "when": when,
    }, True


def procedure_guide(*, procedure: Procedure) -> ProcedureGuide:
    parts = list(procedure.parts.all())
    required = [p for p in parts if p.required]
    channel = _main_channel(procedure)
    fee, has_fee = _fee_text(procedure, channel)
    result = procedure_result_title(procedure) or _("kết quả giải quyết thủ tục")
    if channel is None:
        time = _("Không có thông tin.")
    elif channel.needs_review or channel.duration is None:
        time = _("%(time)s (cơ quan đang rà soát thời hạn theo văn bản gốc).") % {
            "time": channel.time_label
        }
    else:
        time = _("%(time)s kể từ khi hồ sơ được tiếp nhận đủ, hợp lệ.") % {
            "time": channel.time_label
        }
    steps = [
        _(
            "Cơ quan tiếp nhận kiểm tra hồ sơ; nếu thiếu hoặc chưa đúng, bạn được báo rõ cần "
            "bổ sung gì (thời hạn tạm dừng trong lúc chờ bạn)."
        ),
    ]
    if has_fee:
        steps.append(_("Bạn nộp phí, lệ phí và nhận biên lai điện tử."))
    steps.append(_("Cán bộ xử lý hồ sơ, lãnh đạo đơn vị phê duyệt và ký số kết quả."))
    if procedure.service_class == Procedure.ServiceClass.FULL:
        steps.append(
            _("Bạn nhận “%(result)s” bản điện tử có chữ ký số ngay trên trang hồ sơ.")
            % {"result": result}
        )
    else:
        steps.append(
            _("Bạn nhận “%(result)s” tại cơ quan tiếp nhận hoặc qua bưu chính.")
            % {"result": result}
        )
    return ProcedureGuide(
        who=_short(procedure.applicants, WHO_MAX)
        or _("Cá nhân, tổ chức có yêu cầu (danh mục không ghi rõ)."),
        bring=[_short(p.name, PART_MAX) for p in required],
        optional=_optional_label(len(parts) - len(required)),
        has_form=procedure.form_fields.exists(),
        time=time,
        fee=fee,
        result=result,
        next_steps=steps,
    )


def _optional_label(count: int) -> str:
    if count <= 0:
        return ""
    return ngettext(
        "Thêm %(n)d giấy tờ chỉ cần trong một số trường hợp (xem “Thành phần hồ sơ”).",
        "Thêm %(n)d giấy tờ chỉ cần trong một số trường hợp (xem “Thành phần hồ sơ”).",
        count,
    ) % {"n": count}
