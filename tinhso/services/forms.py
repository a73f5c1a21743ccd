"""Forms for the pages (thin: the rules are in ``services``/``eform``/``uploads``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tinhso.orgs.models import OrgUnit
from tinhso.services.applying import BUSINESS, CITIZEN, procedure_applicant_kinds
from tinhso.services.eform import eform_form_class
from tinhso.services.models import Channel, Procedure, ProcedureChannel, Status
from tinhso.services.procedure_page import agencies_by_district, home_unit_ids
from tinhso.services.queues import AWAITING_APPROVAL
from tinhso.services.studio.render import StudioForm


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.agency_name


def submission_form(
    *,
    procedure: Procedure,
    units: list[OrgUnit],
    data: Any = None,
    files: Any = None,
    in_person: bool = False,
    applicant: Any = None,
) -> forms.Form:
    """E-form fields + receiving agency + one file input per document part. For an
    applicant with a verified identity, the verified name and number are shown first,
    read-only (disabled: a posted value is ignored; the dossier takes them from the
    account)."""
    base = eform_form_class(procedure=procedure)
    # a studio form pre-fills fields from the applicant's verified identity and profile
    extra = {"applicant": applicant} if issubclass(base, StudioForm) else {}
    form = base(data=data, files=files, **extra)
    verified: dict[str, forms.Field] = {}
    if applicant is not None and getattr(applicant, "identity_verified", False):
        source = _("định danh điện tử mức %(n)s") % {"n": applicant.identity_level}
        verified["verified_name"] = forms.CharField(
            label=_("Họ tên người nộp"),
            initial=applicant.full_name,
            disabled=True,
            required=False,
            help_text=_("Đã xác thực qua %(s)s; không sửa được.") % {"s": source},
        )
        if applicant.kind == "business":
            verified["verified_on_behalf"] = forms.CharField(
                label=_("Nộp thay mặt doanh nghiệp"),
                initial=f"{applicant.business_name} (MST {applicant.tax_code})",
                disabled=True,
                required=False,
            )
        else:
            verified["verified_citizen_id"] = forms.CharField(
                label=_("Số định danh cá nhân"),
                initial=applicant.citizen_id,
                disabled=True,
                required=False,
                help_text=_("Đã xác thực qua %(s)s; không sửa được.") % {"s": source},
            )
    form.fields = {
        **verified,
        "org_unit": _unit_field(units=units, applicant=applicant),
        **(
            {
                "applicant_kind": forms.ChoiceField(
                    label=_("Người nộp là"),
                    choices=[
                        (CITIZEN, _("Công dân (cá nhân)")),
                        (BUSINESS, _("Doanh nghiệp, tổ chức")),
                    ],
                    # the kind the procedure admits first (both: a citizen)
                    initial=CITIZEN
                    if CITIZEN in procedure_applicant_kinds(procedure=procedure)
                    else BUSINESS,
                ),
                "applicant_name": forms.CharField(label=_("Họ tên người nộp"), max_length=255),
                "applicant_id_number": forms.CharField(
                    label=_("Số định danh cá nhân người nộp"), max_length=12, required=False
                ),
                "applicant_email": forms.EmailField(label=_("Thư điện tử"), required=False),
                "applicant_phone": forms.CharField(
                    label=_("Điện thoại"), max_length=20, required=False
                ),
                "channel": forms.TypedChoiceField(
                    label=_("Hình thức nộp"),
                    coerce=int,
                    choices=[
                        (Channel.IN_PERSON, Channel.IN_PERSON.label),
                        (Channel.POST, Channel.POST.label),
                    ],
                ),
            }
            if in_person
            else {}
        ),
        **form.fields,
    }
    for part in procedure.parts.all():
        accept = ",".join(f".{t}" for t in part.type_list)
        form.fields[f"part_{part.pk}"] = forms.FileField(
            label=part.name[:300],
            required=part.required and not in_person,
            help_text=_("Định dạng: %(t)s; tối đa %(s)s mỗi tệp. Bắt buộc: %(r)s.")
            % {
                "t": ", ".join(t.upper() for t in part.type_list),
                "s": filesizeformat(settings.TINHSO_MAX_UPLOAD_BYTES),
                "r": _("có") if part.required else _("không"),
            },
            widget=forms.ClearableFileInput(attrs={"accept": accept}),
        )
    return form


def _unit_field(*, units: list[OrgUnit], applicant: Any) -> UnitChoiceField:
    """The receiving agency, chosen by place: grouped by district (``<optgroup>``), the
    applicant's own commune's district first and that commune preselected; the page's
    script adds a search box over the options."""
    groups = agencies_by_district(
        units=units,
        home_ids=home_unit_ids(applicant=applicant, units=units) if applicant else (),
    )
    field = UnitChoiceField(
        queryset=OrgUnit.objects.filter(pk__in=[u.pk for u in units]).order_by("path"),
        label=_("Cơ quan tiếp nhận"),
        empty_label=None if len(units) == 1 else "—",
        help_text=_("Chọn theo địa bàn: huyện/thành phố, rồi xã/phường. Gõ tên để tìm."),
    )
    choices: list[Any] = [] if len(units) == 1 else [("", "—")]
    for g in groups:
        options = [(u.pk, u.agency_name) for u in g.units]
        choices.append((g.name or str(_("Cấp tỉnh")), options))
    field.choices = choices
    field.widget.attrs["data-searchable"] = "1"
    field.widget.attrs["data-search-label"] = _("Tìm cơ quan theo tên xã, phường, huyện")
    home = [u for g in groups if g.is_home for u in g.units[:1]]
    if home and len(units) > 1:
        field.initial = home[0].pk
    return field


def form_errors_apply(form: forms.Form, exc: ValidationError) -> None:
    """Map a service's ValidationError onto the form's fields."""
    if not hasattr(exc, "error_dict"):
        for m in exc.messages:
            form.add_error(None, m)
        return
    for key, messages in exc.message_dict.items():
        name = key if key in form.fields else f"f_{key}"
        for m in messages:
            form.add_error(name if name in form.fields else None, m)


class ActionForm(forms.Form):
    action = forms.SlugField()
    version = forms.IntegerField(min_value=0)
    comment = forms.CharField(
        label=_("Ý kiến, lý do"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Số hồ sơ, người nộp, số định danh hoặc điện thoại"), required=False, max_length=60
    )
    status = forms.TypedChoiceField(
        label=_("Trạng thái"),
        required=False,
        coerce=lambda v: v if v == AWAITING_APPROVAL else int(v),
        empty_value=None,
        choices=[("", _("Đang giải quyết")), (AWAITING_APPROVAL, _("Chờ phê duyệt, ký số"))]
        + [(s.value, s.label) for s in Status if s != Status.DRAFT],
    )
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            ("due", _("Hạn xử lý gần nhất")),
            ("-submitted", _("Mới nộp trước")),
            ("submitted", _("Nộp sớm nhất")),
            ("number", _("Số hồ sơ")),
        ],
    )


class TrackForm(forms.Form):
    so = forms.CharField(label=_("Số hồ sơ"), max_length=60)
    ma = forms.CharField(
        label=_("Mã tra cứu (không bắt buộc)"),
        max_length=16,
        required=False,
        help_text=_("In trên giấy tiếp nhận hồ sơ; nhập để xem thông tin cá nhân trong hồ sơ."),
    )


class ChannelSettleForm(forms.Form):
    """An official settles an imported channel's time (and fee) that the source left unclear."""

    channel_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    time_value = forms.DecimalField(
        label=_("Thời hạn"), min_value=0, max_value=9999, decimal_places=1, max_digits=6
    )
    time_value_max = forms.DecimalField(
        label=_("Thời hạn tối đa (nếu là khoảng)"),
        required=False,
        min_value=0,
        max_value=9999,
        decimal_places=1,
        max_digits=6,
    )
    time_unit = forms.ChoiceField(
        label=_("Đơn vị"),
        choices=[("", "—")] + [(v, lbl) for v, lbl in ProcedureChannel.TimeUnit.choices if v],
        error_messages={"required": _("Vui lòng chọn đơn vị thời hạn.")},
    )
    fee_amount = forms.IntegerField(
        label=_("Phí, lệ phí (đồng)"), required=False, min_value=0, max_value=10**12
    )
    fee_is_free = forms.BooleanField(label=_("Miễn phí"), required=False)
    note = forms.CharField(
        label=_("Căn cứ xác nhận"),
        max_length=500,
        help_text=_("Văn bản, điều khoản hoặc trang nguồn đã đối chiếu."),
    )
