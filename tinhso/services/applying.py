"""Who may apply for a procedure, how many copies are asked for, what a fee per copy comes
to, and whether the same request was already filed today.

The catalogue states who may apply in words ("Công dân Việt Nam, Doanh nghiệp, Hợp tác
xã…"); ``procedure_applicant_kinds`` reads them into the account kinds that may file online
(``citizen``, ``business``). An empty statement admits both (nothing is refused on a guess).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.services.models import Dossier, FormField, Procedure, Status
from tinhso.services.studio.spec import subject_names
from tinhso.services.text import search_normalize

CITIZEN = "citizen"
BUSINESS = "business"

# the catalogue's applicant groups (normalised, without accents) → account kind
_CITIZEN_WORDS = (
    "cong dan",
    "nguoi viet nam",
    "nguoi nuoc ngoai",
    "ca nhan",
    "can bo, cong chuc",
    "ho gia dinh",
)
_BUSINESS_WORDS = ("doanh nghiep", "hop tac xa", "to chuc", "ho kinh doanh")


def procedure_applicant_kinds(*, procedure: Procedure) -> frozenset[str]:
    """The account kinds that may file the procedure, read from "đối tượng thực hiện".
    "Tổ chức (không bao gồm doanh nghiệp, HTX)" counts as an organisation (a business
    account), and the words inside its brackets are not read as a second group."""
    text = search_normalize(procedure.applicants or "")
    if not text.strip():
        return frozenset({CITIZEN, BUSINESS})
    # drop bracketed qualifications ("(khong bao gom doanh nghiep, htx)")
    plain = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            plain.append(ch)
    flat = "".join(plain)
    kinds = set()
    if any(w in flat for w in _CITIZEN_WORDS):
        kinds.add(CITIZEN)
    if any(w in flat for w in _BUSINESS_WORDS):
        kinds.add(BUSINESS)
    return frozenset(kinds or {CITIZEN, BUSINESS})


def procedure_applicant_label(*, procedure: Procedure) -> str:
    """ "Công dân", "Doanh nghiệp, tổ chức" or both, for the procedure page."""
    kinds = procedure_applicant_kinds(procedure=procedure)
    if kinds == {CITIZEN}:
        return _("Chỉ công dân (cá nhân)")
    if kinds == {BUSINESS}:
        return _("Chỉ doanh nghiệp, tổ chức")
    return _("Công dân và doanh nghiệp, tổ chức")


def applicant_kind_admitted(*, kind: str, procedure: Procedure) -> bool:
    """The one rule of who may apply: a citizen or a business is admitted when the
    procedure admits its kind (``procedure_applicant_kinds``); any other kind is not the
    rule's to refuse. Online filing (``applicant_may_file_check``) and the counter
    (``counter_applicant_check``) both ask it."""
    return kind not in (CITIZEN, BUSINESS) or kind in procedure_applicant_kinds(procedure=procedure)


def applicant_may_file_check(*, user: Any, procedure: Procedure) -> None:
    """Raise ``PermissionDenied`` with a Vietnamese message when the account's kind is not
    among those the procedure admits (a business filing a citizens-only procedure, or a
    citizen a procedure for businesses and organisations only)."""
    kind = getattr(user, "kind", "")
    if applicant_kind_admitted(kind=kind, procedure=procedure):
        return
    if kind == BUSINESS:
        raise PermissionDenied(
            _(
                "Thủ tục này chỉ dành cho công dân (cá nhân): tài khoản doanh nghiệp không nộp "
                "được. Người có nhu cầu cần tự nộp bằng tài khoản công dân của mình."
            )
        )
    raise PermissionDenied(
        _(
            "Thủ tục này chỉ dành cho doanh nghiệp, tổ chức: vui lòng nộp bằng tài khoản "
            "doanh nghiệp, tổ chức."
        )
    )


def counter_applicant_check(*, kind: str, procedure: Procedure) -> None:
    """At the counter: raise ``ValidationError`` (on ``applicant_kind``) when the person
    handing in the paper dossier is of a kind the procedure does not admit, or of none."""
    if kind not in (CITIZEN, BUSINESS):
        message = _("Vui lòng chọn người nộp là công dân hay doanh nghiệp, tổ chức.")
        raise ValidationError({"applicant_kind": [message]})
    if applicant_kind_admitted(kind=kind, procedure=procedure):
        return
    message = (
        _(
            "Thủ tục này chỉ dành cho công dân (cá nhân): không tiếp nhận hồ sơ do doanh "
            "nghiệp, tổ chức nộp."
        )
        if kind == BUSINESS
        else _(
            "Thủ tục này chỉ dành cho doanh nghiệp, tổ chức: không tiếp nhận hồ sơ do công dân "
            "(cá nhân) nộp."
        )
    )
    raise ValidationError({"applicant_kind": [message]})


# ---------------------------------------------------------------------------------------
# Copies and fees per copy
# ---------------------------------------------------------------------------------------

MAX_COPIES = 100


def copies_field(*, procedure: Procedure) -> FormField | None:
    """The e-form field that holds the number of copies asked for (kind ``copies``)."""
    return next((f for f in procedure.form_fields.all() if f.kind == FormField.Kind.COPIES), None)


def dossier_copies(*, dossier: Dossier) -> int:
    """The number of copies the dossier asks for (1 when the form has no copies field)."""
    field = copies_field(procedure=dossier.procedure)
    if field is None:
        return 1
    try:
        n = int(str(dossier.form_data.get(field.name, "1")))
    except ValueError:
        return 1
    return n if 1 <= n <= MAX_COPIES else 1


def fee_for(*, dossier: Dossier, amount: int | None, per_copy: bool) -> int | None:
    """The fee due: the channel's amount, times the copies when it is charged per copy."""
    if amount is None:
        return None
    return amount * dossier_copies(dossier=dossier) if per_copy else amount


# ---------------------------------------------------------------------------------------
# The same request twice in a day
# ---------------------------------------------------------------------------------------


def dossier_subject_names(*, dossier: Dossier) -> list[str]:
    """The form fields that say who or what the request is about. Filed under a studio
    revision: that revision's (``studio.spec.subject_names``: the fields marked as the
    subject, else the first section's ID numbers, else its name and date). Filed on the
    typed fields: its ID-number fields, else the form's first field."""
    if dossier.form_revision is not None:
        return subject_names(dossier.form_revision.fields)
    fields = list(dossier.procedure.form_fields.all())
    ids = [f.name for f in fields if f.kind == FormField.Kind.CITIZEN_ID]
    return ids or [f.name for f in fields[:1]]


def _values(form_data: dict[str, Any], names: list[str]) -> tuple[str, ...]:
    return tuple(search_normalize(str(form_data.get(n, ""))).strip() for n in names)


def dossier_duplicates_today(*, dossier: Dossier, now: dt.datetime | None = None) -> list[Dossier]:
    """Other dossiers the same applicant filed (sent, or still a draft) today for the same
    procedure and the same subject: a warning for the applicant, never a refusal. The
    subject is read from the fields the dossier's own form names (``dossier_subject_names``),
    in its data and in the others' (filed under the same or an earlier revision)."""
    if dossier.applicant_id is None:
        return []
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    others = (
        Dossier.objects.filter(
            applicant_id=dossier.applicant_id,
            procedure_id=dossier.procedure_id,
            created_at__gte=start,
        )
        .exclude(pk=dossier.pk)
        .exclude(status__in=(Status.WITHDRAWN, Status.NOT_ACCEPTED))
        .order_by("created_at")
    )
    found = list(others)
    if not found:
        return []
    names = dossier_subject_names(dossier=dossier)
    mine = _values(dossier.form_data, names)
    return [d for d in found if _values(d.form_data, names) == mine]
