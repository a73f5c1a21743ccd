"""Key material: the demo province PKI (created with ``cryptography``) and the production
sources (PKCS#12 files, PKCS#11 tokens) configured in ``tinhso.signing.conf``.

Demo layout under ``settings.SIGNING_DIR`` (directory 0700, private files 0600)::

    province-ca.pem          root certificate (public)
    province-ca.key.pem      root key, PKCS#8 encrypted with the demo passphrase
    tsa.p12                  local time-stamping authority (key + certificate)
    units/<code>.p12         one signing key + certificate per org unit
    units/<code>.pem         its certificate (public)

The demo passphrase is derived from ``SECRET_KEY``; nothing here is ever logged, served or
written to the repository. Private keys are only read into memory to sign.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.sign import signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit
from tinhso.signing import conf
from tinhso.signing.models import UnitCertificate

CA_CERT = "province-ca.pem"
CA_KEY = "province-ca.key.pem"
TSA_P12 = "tsa.p12"
UNITS = "units"
# Units that sign results in the demo (the others get a certificate on first use).
DEMO_UNIT_CODES = ("74", "74.STTTT", "724", "725")
ADOBE_AUTHENTIC_DOCUMENTS = x509.ObjectIdentifier("1.2.840.113583.1.1.5")


def _demo_passphrase() -> bytes:
    return (
        hmac.new(settings.SECRET_KEY.encode(), b"tinhso-signing-demo-pki", hashlib.sha256)
        .hexdigest()
        .encode()
    )


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)


def _safe_code(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", code)


def _clip(value: str, limit: int = 64) -> str:
    """X.509 limits these attributes to 64 bytes of UTF-8."""
    return value.encode()[:limit].decode(errors="ignore").strip()


def _name(*, common_name: str, organisation: str, unit: str = "") -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _clip(organisation)),
    ]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _clip(unit)))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, _clip(common_name)))
    return x509.Name(attrs)


@dataclass
class _CA:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca_load_or_create() -> _CA:
    base = conf.signing_dir()
    cert_path, key_path = base / CA_CERT, base / CA_KEY
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=_demo_passphrase())
        assert isinstance(key, rsa.RSAPrivateKey)
        return _CA(cert=cert, key=key)
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(base, 0o700)
    key = _new_key()
    name = _name(
        common_name="Tỉnh Số - CA gốc của tỉnh (trình diễn)",
        organisation="Tỉnh Số (bản trình diễn)",
    )
    now = timezone.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(_demo_passphrase()),
        ),
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return _CA(cert=cert, key=key)


def _issue(
    ca: _CA, *, subject: x509.Name, time_stamping: bool = False, years: int = 3
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = _new_key()
    now = timezone.now()
    eku = (
        [ExtendedKeyUsageOID.TIME_STAMPING]
        if time_stamping
        else [ExtendedKeyUsageOID.EMAIL_PROTECTION, ADOBE_AUTHENTIC_DOCUMENTS]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not time_stamping,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(eku), critical=time_stamping)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                cast(CertificateIssuerPublicKeyTypes, ca.cert.public_key())
            ),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return cert, key


def _p12(name: str, cert: x509.Certificate, key: rsa.RSAPrivateKey, ca: _CA) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name.encode(),
        key,
        cert,
        [ca.cert],
        serialization.BestAvailableEncryption(_demo_passphrase()),
    )


def _unit_p12_path(unit: OrgUnit) -> Path:
    return conf.signing_dir() / UNITS / f"{_safe_code(unit.code)}.p12"


def _province_name(unit: OrgUnit) -> str:
    root_id = unit.path.strip("/").split("/")[0] if unit.path else ""
    root = OrgUnit.objects.filter(pk=root_id).first() if root_id.isdigit() else None
    return root.name if root is not None else ""


def _certificate_register(*, unit: OrgUnit, cert: x509.Certificate, source: str) -> UnitCertificate:
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    existing = UnitCertificate.objects.filter(fingerprint_sha256=fingerprint).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        record = UnitCertificate.objects.create(
            org_unit=unit,
            source=source,
            subject=cert.subject.rfc4514_string()[:500],
            issuer=cert.issuer.rfc4514_string()[:500],
            serial=format(cert.serial_number, "x"),
            fingerprint_sha256=fingerprint,
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        )
        audit_record(
            actor=None,
            action="signing.certificate_register",
            obj=record,
            org_unit=unit,
            after={"subject": record.subject, "serial": record.serial, "source": source},
        )
    return record


def pki_demo_issue(*, unit: OrgUnit, force: bool = False) -> UnitCertificate:
    """Create (if missing) the demo certificate of ``unit`` and register it."""
    path = _unit_p12_path(unit)
    public = path.with_suffix(".pem")
    if path.exists() and public.exists() and not force:
        cert = x509.load_pem_x509_certificate(public.read_bytes())
        return _certificate_register(unit=unit, cert=cert, source=UnitCertificate.Source.DEMO)
    ca = _ca_load_or_create()
    province = _province_name(unit)
    cert, key = _issue(
        ca,
        subject=_name(
            common_name=unit.agency_name,
            organisation=unit.agency_name,
            unit=f"{province} - mã {unit.code} (trình diễn)" if province else unit.code,
        ),
    )
    _write_private(path, _p12(unit.code, cert, key, ca))
    public.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return _certificate_register(unit=unit, cert=cert, source=UnitCertificate.Source.DEMO)


def pki_demo_ensure(*, units: list[OrgUnit] | None = None) -> list[UnitCertificate]:
    """The demo PKI: root CA, local TSA and a certificate for each unit that signs
    (by default the demo units and every unit with a head). Idempotent."""
    from tinhso.accounts.models import Membership, Role

    tsa_path = conf.signing_dir() / TSA_P12
    if not tsa_path.exists() or not (conf.signing_dir() / CA_CERT).exists():
        ca = _ca_load_or_create()
        cert, key = _issue(
            ca,
            subject=_name(
                common_name="Tỉnh Số - Cấp dấu thời gian (trình diễn)",
                organisation="Tỉnh Số (bản trình diễn)",
            ),
            time_stamping=True,
            years=5,
        )
        _write_private(tsa_path, _p12("tsa", cert, key, ca))
    if units is None:
        today = timezone.localdate()
        units = [
            u for u in OrgUnit.objects.filter(code__in=DEMO_UNIT_CODES) if u.is_valid_on(today)
        ]
        head_units = OrgUnit.objects.filter(
            pk__in=Membership.objects.filter(role=Role.HEAD).values("org_unit")
        )
        units += [u for u in head_units if u not in units]
    return [pki_demo_issue(unit=u) for u in units]


def trust_roots() -> list[asn1_x509.Certificate]:
    """Roots the verifier trusts: the province CA (if it exists) and configured ones."""
    from pyhanko.keys import load_cert_from_pemder

    roots: list[asn1_x509.Certificate] = []
    ca_path = conf.signing_dir() / CA_CERT
    if ca_path.exists():
        roots.append(load_cert_from_pemder(str(ca_path)))
    roots.extend(load_cert_from_pemder(str(p)) for p in conf.extra_trust_roots())
    return roots


def timestamper() -> DummyTimeStamper | None:
    """The platform's local time-stamping authority (demo PKI only), for PAdES B-T."""
    path = conf.signing_dir() / TSA_P12
    if not path.exists():
        return None
    tsa = signers.SimpleSigner.load_pkcs12_data(
        path.read_bytes(), other_certs=[], passphrase=_demo_passphrase()
    )
    return DummyTimeStamper(
        tsa_cert=tsa.signing_cert, tsa_key=tsa.signing_key, certs_to_embed=tsa.cert_registry
    )


@dataclass
class UnitSigner:
    signer: Any  # pyhanko Signer
    certificate: UnitCertificate


def _cert_of(signer: Any) -> x509.Certificate:
    return x509.load_der_x509_certificate(signer.signing_cert.dump())


def unit_signer_load(*, unit: OrgUnit) -> UnitSigner:
    """The signer of ``unit``: its configured PKCS#12/PKCS#11 key, else (demo) the
    demo PKI. Raises ``ValidationError`` when the unit has no certificate."""
    source = conf.key_sources().get(unit.code)
    if source and "pkcs12" in source:
        passphrase = os.environ.get(source.get("passphrase_env", ""), "")
        signer = signers.SimpleSigner.load_pkcs12(
            pfx_file=source["pkcs12"],
            ca_chain_files=source.get("ca_chain") or None,
            passphrase=passphrase.encode() or None,
        )
        if signer is None:
            raise ValidationError(_("Không đọc được tệp PKCS#12 của đơn vị."))
        record = _certificate_register(
            unit=unit, cert=_cert_of(signer), source=UnitCertificate.Source.PKCS12
        )
        return UnitSigner(signer=signer, certificate=record)
    if source and "pkcs11" in source:  # pragma: no cover - needs a hardware/soft token
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as p11

        cfg = source["pkcs11"]
        session = p11.open_pkcs11_session(
            cfg["module"],
            token_criteria=TokenCriteria(label=cfg.get("token_label")),
            user_pin=os.environ.get(cfg.get("pin_env", ""), None),
        )
        signer = p11.PKCS11Signer(
            session,
            cert_label=cfg.get("cert_label"),
            key_label=cfg.get("key_label"),
            other_certs_to_pull=None,
        )
        record = _certificate_register(
            unit=unit, cert=_cert_of(signer), source=UnitCertificate.Source.PKCS11
        )
        return UnitSigner(signer=signer, certificate=record)
    path = _unit_p12_path(unit)
    if not path.exists():
        if not conf.demo_pki_enabled():
            raise ValidationError(
                _("Đơn vị %(unit)s chưa được cấu hình chứng thư số.") % {"unit": unit.name}
            )
        pki_demo_issue(unit=unit)
    signer = signers.SimpleSigner.load_pkcs12_data(
        path.read_bytes(), other_certs=[], passphrase=_demo_passphrase()
    )
    record = _certificate_register(
        unit=unit, cert=_cert_of(signer), source=UnitCertificate.Source.DEMO
    )
    return UnitSigner(signer=signer, certificate=record)
