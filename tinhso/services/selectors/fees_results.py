"""Fees, results, ratings (reads over payments and signing): what an applicant or an
officer sees and may do next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from tinhso.accounts.permissions import user_can
from tinhso.accounts.usertypes import AnyUser
from tinhso.services import workflow as _workflow  # noqa: F401 (registers the actions)
from tinhso.services.models import (
    Dossier,
    Status,
)

# ---------------------------------------------------------------------------------------
# Fees, results, ratings (reads over payments and signing)
# ---------------------------------------------------------------------------------------


def dossier_is_official_view(*, user: AnyUser, dossier: Dossier) -> bool:
    """An official of the receiving unit's scope (not merely the applicant)."""
    return bool(getattr(user, "is_authenticated", False)) and user_can(
        user=user, action="services.queue", org_unit=dossier.org_unit
    )


def dossier_files_for_user(*, user: AnyUser, dossier: Dossier) -> QuerySet[Any]:
    """The dossier's files; draft results (unsigned) only for the unit's officials."""
    from tinhso.services.models import DossierFile

    qs = dossier.files.select_related("part")
    if not dossier_is_official_view(user=user, dossier=dossier):
        qs = qs.exclude(kind=DossierFile.Kind.RESULT)
    return qs


@dataclass(frozen=True)
class FeeInfo:
    amount: int | None
    timing: str
    timing_label: str
    owed: bool  # the dossier waits for this fee now (status 6, unpaid)
    paid: bool
    paid_at: dt.datetime | None
    online: bool
    payment: Any | None  # the paid payment, else the newest one
    receipt_url: str | None
    # a fee charged per copy: the amount of one copy and the copies asked for (the amount is
    # their product); None and 1 otherwise
    per_copy: int | None = None
    copies: int = 1


def dossier_fee_info(*, dossier: Dossier) -> FeeInfo:
    from django.urls import reverse

    from tinhso.payments.models import Payment
    from tinhso.payments.selectors import payments_for_object

    payments = list(payments_for_object(purpose="dossier_fee", object_ref=str(dossier.pk))[:10])
    per_copy, copies = _fee_per_copy(dossier)
    paid_payment = next((p for p in payments if p.status == Payment.Status.PAID), None)
    payment = paid_payment or (payments[0] if payments else None)
    return FeeInfo(
        amount=dossier.fee_amount,
        timing=dossier.procedure.fee_timing,
        timing_label=str(dossier.procedure.get_fee_timing_display()),
        owed=bool(
            dossier.fee_amount
            and dossier.fee_paid_at is None
            and dossier.status == Status.FINANCIAL
        ),
        paid=dossier.fee_paid_at is not None,
        paid_at=dossier.fee_paid_at,
        online=dossier.fee_paid_online,
        payment=payment,
        receipt_url=reverse("payments:receipt", args=[paid_payment.txn_ref])
        if paid_payment
        else None,
        per_copy=per_copy,
        copies=copies,
    )


def _fee_per_copy(dossier: Dossier) -> tuple[int | None, int]:
    """(amount of one copy, copies) when the dossier's fee is charged per copy (the
    channel's ``fee_per_copy``), else (None, 1)."""
    from tinhso.services.applying import dossier_copies
    from tinhso.services.selectors.catalogue import procedure_channel

    if not dossier.fee_amount:
        return None, 1
    channel = procedure_channel(procedure=dossier.procedure, channel=dossier.channel)
    if channel is None or not channel.fee_per_copy:
        return None, 1
    copies = dossier_copies(dossier=dossier)
    if dossier.fee_amount % copies:
        return None, 1  # set by hand, not the product: no breakdown to show
    return dossier.fee_amount // copies, copies


@dataclass(frozen=True)
class ResultInfo:
    draft: Any | None  # DossierFile (unsigned), officials only
    signed: Any | None  # signing.SignedDocument
    downloadable: bool
    can_rate: bool


def dossier_result_info(*, user: AnyUser, dossier: Dossier) -> ResultInfo:
    from tinhso.services.models import DossierFile
    from tinhso.signing.selectors import signed_document_get

    official = dossier_is_official_view(user=user, dossier=dossier)
    draft = (
        dossier.files.filter(kind=DossierFile.Kind.RESULT).order_by("-pk").first()
        if official and not dossier.result_ref
        else None
    )
    signed = (
        signed_document_get(sha256=dossier.result_ref)
        if dossier.result_digital and dossier.result_ref
        else None
    )
    is_applicant = user_can(user=user, action="services.act.applicant", obj=dossier)
    return ResultInfo(
        draft=draft,
        signed=signed,
        downloadable=signed is not None
        and dossier.status in (Status.PROCESSED, Status.RETURNED)
        and (is_applicant or official),
        can_rate=is_applicant and dossier.status == Status.RETURNED and dossier.rated_at is None,
    )


@dataclass(frozen=True)
class ApplicantTodo:
    pay: bool
    download: bool
    rate: bool


def dossier_applicant_todo(*, dossier: Dossier) -> ApplicantTodo:
    """What the applicant can do now from "my dossiers" (pay, download, rate)."""
    return ApplicantTodo(
        pay=bool(
            dossier.status == Status.FINANCIAL and dossier.fee_amount and not dossier.fee_paid_at
        ),
        download=bool(
            dossier.result_digital
            and dossier.result_ref
            and dossier.status in (Status.PROCESSED, Status.RETURNED)
        ),
        rate=dossier.status == Status.RETURNED and dossier.rated_at is None,
    )


def dossier_can_prepare_result(*, user: AnyUser, dossier: Dossier) -> bool:
    """May ``user`` attach or generate the draft result now (officer of the unit, dossier
    being processed, not yet signed)?"""
    return (
        dossier.status in (Status.PROCESSING, Status.FINANCIAL)
        and not dossier.result_ref
        and user_can(user=user, action="services.act.officer", org_unit=dossier.org_unit)
    )
