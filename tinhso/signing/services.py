"""Writes of the signing app: sign a PDF with a unit's certificate and register it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.stamp import TextStampStyle

from tinhso.accounts.models import User
from tinhso.accounts.permissions import user_can
from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit
from tinhso.signing import permissions  # noqa: F401  (registers the actions)
from tinhso.signing.asyncio_compat import run_sync
from tinhso.signing.fonts import stamp_font_path
from tinhso.signing.models import SignedDocument, UnitCertificate
from tinhso.signing.pki import timestamper, unit_signer_load

# Where the visible stamp goes on the last page (x1, y1, x2, y2 in points from the lower-left
# corner of an A4 page). ``pdf_certificate_render`` keeps this area free.
STAMP_BOX = (315, 40, 565, 130)
PDF_MAGIC = b"%PDF-"


def _stamp_style() -> TextStampStyle:
    return TextStampStyle(
        stamp_text=(
            "VĂN BẢN ĐÃ ĐƯỢC KÝ SỐ\nNgười ký: %(signer)s\nĐơn vị: %(unit)s\n"
            "Thời gian ký: %(when)s\n%(extra)s"
        ),
        text_box_style=TextBoxStyle(
            # the engine's and the box's font sizes must match (pyHanko issue #733)
            font=GlyphAccumulatorFactory(str(stamp_font_path()), font_size=9),
            font_size=9,
            leading=12,
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=6, right=6, top=4, bottom=4),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
        border_width=1,
        border_color=(0.7, 0.1, 0.1),
        background=None,
    )


def pdf_check(*, pdf_bytes: bytes) -> PdfFileReader:
    """Parse ``pdf_bytes`` as a PDF or raise a Vietnamese ``ValidationError``."""
    if not pdf_bytes or not pdf_bytes[:1024].lstrip().startswith(PDF_MAGIC):
        raise ValidationError(_("Tệp không phải là tài liệu PDF."))
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        reader.root["/Pages"]
    except Exception as exc:
        raise ValidationError(_("Tệp PDF bị hỏng, không đọc được.")) from exc
    if reader.encrypted:
        raise ValidationError(_("Không ký được tệp PDF có mật khẩu."))
    return reader


def _signer_label(user: User) -> str:
    return user.display_name


@dataclass(frozen=True)
class PreparedSignature:
    """A signed PDF not registered yet (``document_register`` stores it)."""

    signed: bytes
    org_unit: OrgUnit
    signer_user: User
    certificate: UnitCertificate
    signed_at: dt.datetime
    reason: str
    location: str
    filename: str


def signature_prepare(
    *,
    pdf_bytes: bytes,
    org_unit: OrgUnit,
    signer_user: User,
    reason: str,
    location: str,
    filename: str = "",
) -> PreparedSignature:
    """Sign ``pdf_bytes`` (PAdES, visible stamp, the TSA's timestamp when there is one)
    without writing anything: callers run it outside their transactions, so that the
    timestamping authority's answer is never awaited while rows are locked."""
    if not user_can(user=signer_user, action="signing.sign", org_unit=org_unit):
        raise PermissionDenied(_("Bạn không có quyền ký số nhân danh đơn vị này."))
    reader = pdf_check(pdf_bytes=pdf_bytes)
    existing = len(reader.embedded_signatures)
    unit_signer = unit_signer_load(unit=org_unit)
    now = timezone.now()
    local = timezone.localtime(now)
    meta = signers.PdfSignatureMetadata(
        field_name=f"TinhSo_ChuKy_{existing + 1}",
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason[:255] or None,
        location=location[:255] or None,
        name=_signer_label(signer_user),
        use_pades_lta=False,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    pdf_signer = signers.PdfSigner(
        meta,
        signer=unit_signer.signer,
        timestamper=timestamper() if unit_signer.certificate.source == "demo" else None,
        stamp_style=_stamp_style(),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=cast(str, meta.field_name), on_page=-1, box=STAMP_BOX
        ),
    )
    out = run_sync(
        pdf_signer.sign_pdf,
        writer,
        appearance_text_params={
            "signer": _signer_label(signer_user),
            "unit": org_unit.agency_name,
            "when": local.strftime("%d/%m/%Y %H:%M:%S (GMT+7)"),
            "extra": f"Lý do: {reason[:60]}" if reason else "Ký trên nền tảng Tỉnh Số",
        },
    )
    return PreparedSignature(
        signed=out.getvalue(),
        org_unit=org_unit,
        signer_user=signer_user,
        certificate=unit_signer.certificate,
        signed_at=now,
        reason=reason,
        location=location,
        filename=filename,
    )


def document_register(
    *, prepared: PreparedSignature, purpose: str = "", object_ref: str = ""
) -> SignedDocument:
    """Store a prepared signature as a ``SignedDocument`` (with its audit entry)."""
    p = prepared
    digest = hashlib.sha256(p.signed).hexdigest()
    name = Path(p.filename).name if p.filename else f"{digest[:16]}.pdf"
    with transaction.atomic():
        doc = SignedDocument(
            sha256=digest,
            org_unit=p.org_unit,
            signer=p.signer_user,
            certificate=p.certificate,
            signed_at=p.signed_at,
            purpose=purpose,
            object_ref=object_ref,
            reason=p.reason[:255],
            location=p.location[:255],
            filename=name[:255],
            size=len(p.signed),
        )
        doc.file.save(f"{digest}.pdf", ContentFile(p.signed), save=False)
        doc.save()
        audit_record(
            actor=p.signer_user,
            action="signing.sign",
            obj=doc,
            org_unit=p.org_unit,
            after={
                "sha256": digest,
                "purpose": purpose,
                "object_ref": object_ref,
                "certificate_serial": p.certificate.serial,
            },
        )
    return doc


def document_sign(
    *,
    pdf_bytes: bytes,
    org_unit: OrgUnit,
    signer_user: User,
    reason: str,
    location: str,
    purpose: str = "",
    object_ref: str = "",
    filename: str = "",
) -> SignedDocument:
    """Sign ``pdf_bytes`` with ``org_unit``'s certificate (PAdES B-T with the local TSA when
    the demo PKI is in use, otherwise B-B), with a visible stamp naming the signer and the
    unit on the last page, and register the result as a ``SignedDocument``.

    ``signer_user`` must hold the "signing.sign" permission (unit head) over ``org_unit``.
    """
    prepared = signature_prepare(
        pdf_bytes=pdf_bytes,
        org_unit=org_unit,
        signer_user=signer_user,
        reason=reason,
        location=location,
        filename=filename,
    )
    return document_register(prepared=prepared, purpose=purpose, object_ref=object_ref)


def pdf_sign(
    *,
    pdf_bytes: bytes,
    org_unit: OrgUnit,
    signer_user: User,
    reason: str,
    location: str,
    purpose: str = "",
    object_ref: str = "",
    filename: str = "",
) -> bytes:
    """Like ``document_sign`` but returns the signed bytes."""
    doc = document_sign(
        pdf_bytes=pdf_bytes,
        org_unit=org_unit,
        signer_user=signer_user,
        reason=reason,
        location=location,
        purpose=purpose,
        object_ref=object_ref,
        filename=filename,
    )
    return doc.read_bytes()
