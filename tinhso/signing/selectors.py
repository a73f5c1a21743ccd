"""Reads of the signing app: verify an uploaded PDF, look up issued documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from tinhso.orgs.models import OrgUnit
from tinhso.signing.asyncio_compat import run_sync
from tinhso.signing.models import SignedDocument, UnitCertificate
from tinhso.signing.pki import trust_roots

logger = logging.getLogger(__name__)


@dataclass
class SignatureInfo:
    field_name: str
    intact: bool
    valid: bool
    trusted: bool
    covers_document: bool
    modified_after: bool
    signer_name: str
    organisation: str
    org_unit: OrgUnit | None
    signing_time: dt.datetime | None
    timestamp_time: dt.datetime | None
    reason: str
    problem: str = ""


@dataclass
class VerificationResult:
    """What ``pdf_verify`` found. ``ok`` means: a PDF with at least one signature, every
    signature intact and cryptographically valid, chained to a trusted (province) root,
    and nothing changed after the last signature. ``reason`` says why not, in Vietnamese."""

    ok: bool
    reason: str
    is_pdf: bool = True
    signed: bool = False
    intact: bool = False
    trusted: bool = False
    signer_name: str = ""
    unit_name: str = ""
    org_unit: OrgUnit | None = None
    signing_time: dt.datetime | None = None
    timestamp_time: dt.datetime | None = None
    sha256: str = ""
    issued_document: SignedDocument | None = None
    signatures: list[SignatureInfo] = field(default_factory=list)

    @property
    def matches_issued(self) -> bool:
        return self.issued_document is not None


def _cn(cert: asn1_x509.Certificate, key: str) -> str:
    value = cert.subject.native.get(key, "")
    return value if isinstance(value, str) else ", ".join(value)


def _check_one(sig: object, vc_roots: list) -> SignatureInfo:
    name = getattr(sig, "field_name", "") or ""
    reason = person = ""
    try:
        reason = str(sig.sig_object.get("/Reason", "") or "")  # type: ignore[attr-defined]
        person = str(sig.sig_object.get("/Name", "") or "")  # type: ignore[attr-defined]
    except Exception:  # noqa: S110 - informative fields only
        pass
    context = ValidationContext(
        trust_roots=vc_roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = run_sync(validate_pdf_signature, sig, signer_validation_context=context)
    except Exception as exc:
        logger.info("PDF signature could not be validated: %s", type(exc).__name__)
        return SignatureInfo(
            field_name=name,
            intact=False,
            valid=False,
            trusted=False,
            covers_document=False,
            modified_after=True,
            signer_name=person,
            organisation="",
            org_unit=None,
            signing_time=None,
            timestamp_time=None,
            reason=reason,
            problem=_("Chữ ký bị hỏng hoặc không đúng định dạng."),
        )
    cert = status.signing_cert
    fingerprint = hashlib.sha256(cert.dump()).hexdigest()
    record = (
        UnitCertificate.objects.select_related("org_unit")
        .filter(fingerprint_sha256=fingerprint)
        .first()
    )
    covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    modified = not covers and (
        status.modification_level is None
        or status.modification_level > ModificationLevel.FORM_FILLING
    )
    ts = status.timestamp_validity
    problem = ""
    if not status.intact:
        problem = _("Nội dung tài liệu đã bị thay đổi sau khi ký (mã băm không khớp).")
    elif not status.valid:
        problem = _("Chữ ký số không hợp lệ về mặt mật mã.")
    elif modified:
        problem = _("Tài liệu đã bị sửa đổi sau khi ký (có phần được thêm vào sau chữ ký).")
    elif not status.trusted:
        problem = _(
            "Chứng thư số của người ký không được cấp bởi CA của tỉnh hoặc tổ chức được tin cậy."
        )
    return SignatureInfo(
        field_name=name,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_document=covers,
        modified_after=modified,
        signer_name=person or _cn(cert, "common_name"),
        organisation=_cn(cert, "organization_name") or _cn(cert, "common_name"),
        org_unit=record.org_unit if record else None,
        signing_time=status.signer_reported_dt,
        timestamp_time=ts.timestamp if ts is not None and ts.valid else None,
        reason=reason,
        problem=problem,
    )


def pdf_verify(*, pdf_bytes: bytes) -> VerificationResult:
    """Check every signature of an uploaded PDF (never raises on bad input)."""
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    issued = (
        SignedDocument.objects.select_related("org_unit", "signer").filter(sha256=digest).first()
    )
    if not pdf_bytes[:1024].lstrip().startswith(b"%PDF-"):
        return VerificationResult(
            ok=False, is_pdf=False, reason=_("Tệp không phải là tài liệu PDF."), sha256=digest
        )
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        sigs = list(reader.embedded_signatures)
    except Exception:
        return VerificationResult(
            ok=False, is_pdf=False, reason=_("Tệp PDF bị hỏng, không đọc được."), sha256=digest
        )
    if not sigs:
        return VerificationResult(
            ok=False,
            reason=_("Tài liệu không có chữ ký số."),
            sha256=digest,
            issued_document=issued,
        )
    roots = trust_roots()
    infos = [_check_one(s, roots) for s in sigs]
    last = infos[-1]
    problems = [i.problem for i in infos if i.problem]
    ok = not problems
    reason = (
        problems[0] if problems else _("Chữ ký số hợp lệ, tài liệu còn nguyên vẹn kể từ khi ký.")
    )
    unit = last.org_unit
    return VerificationResult(
        ok=ok,
        reason=reason,
        signed=True,
        intact=all(i.intact and not i.modified_after for i in infos),
        trusted=all(i.trusted for i in infos),
        signer_name=(issued.signer.display_name if issued else last.signer_name),
        unit_name=(unit.agency_name if unit else last.organisation),
        org_unit=unit,
        signing_time=last.signing_time,
        timestamp_time=last.timestamp_time,
        sha256=digest,
        issued_document=issued,
        signatures=infos,
    )


def signed_document_get(*, sha256: str) -> SignedDocument | None:
    return SignedDocument.objects.filter(sha256=sha256.lower()).first()


def signed_document_for_object(*, purpose: str, object_ref: str) -> QuerySet[SignedDocument]:
    """Documents signed for the caller's object, newest first."""
    return SignedDocument.objects.filter(purpose=purpose, object_ref=object_ref).order_by(
        "-signed_at"
    )


def unit_certificate_current(*, unit: OrgUnit) -> UnitCertificate | None:
    return UnitCertificate.objects.filter(org_unit=unit).order_by("-not_after").first()
