"""Digital signatures on result documents (PAdES with pyHanko), the unit certificates, and
public verification. Knows nothing of dossiers.

Interface for callers (e.g. the ``services`` app)
-------------------------------------------------
Generate a result from a template (optional)::

    from tinhso.signing.documents import pdf_certificate_render

    pdf = pdf_certificate_render(
        title="Giấy xác nhận ...", fields=[("Họ và tên", "Nguyễn Thị Hoa"), ...],
        org_unit=unit, number="123/GXN-UBND",
    )                      # A4, Vietnamese font, bottom-right corner kept free for the stamp

Sign it (the unit head approves; permission "signing.sign" = head of the unit's subtree)::

    from tinhso.signing.services import document_sign, pdf_sign

    doc = document_sign(                      # -> SignedDocument (registered, file stored)
        pdf_bytes=pdf, org_unit=unit, signer_user=head,
        reason="Phê duyệt kết quả giải quyết TTHC", location="Dĩ An, Bình Dương",
        purpose="dossier_result", object_ref=str(dossier.pk), filename="ket-qua.pdf",
    )
    signed_bytes = doc.read_bytes()           # or pdf_sign(...) -> bytes, same arguments

Raises ``PermissionDenied`` (not the unit's head) or ``ValidationError`` (not a PDF,
encrypted, unit without a certificate). The signature is PAdES baseline B-B (B-T with the
demo PKI's local time-stamping authority), with a visible stamp on the last page: signer's
name, unit, signing time (GMT+7) and reason. ``SignedDocument`` keeps the sha256 of the
signed bytes, unit, signer, time, purpose/object_ref and the stored file (default storage,
``var/media``, never served directly: serve it from your own permission-checked view).

Read: ``selectors.pdf_verify(pdf_bytes=) -> VerificationResult`` (``ok``, ``reason`` in
Vietnamese, signer, unit, signing time, chained to the province CA, ``issued_document``),
``signed_document_for_object(purpose=, object_ref=)``, ``signed_document_get(sha256=)``.
Public page: ``/ky-so/xac-minh/``; API: ``POST /api/v1/signing/verify``.

Keys
----
Demo: ``manage.py signing_demo_pki`` (also run by ``load_demo``) creates the province root
CA, a local TSA and one certificate per signing unit under ``settings.SIGNING_DIR``
(``var/pki``, 0700/0600, passphrase derived from SECRET_KEY); other units get one on first
use in the demo. Production: ``SIGNING_KEYS`` maps unit codes to PKCS#12 files or PKCS#11
tokens (see ``tinhso.signing.conf``); ``SIGNING_TRUST_ROOTS`` adds trusted roots.
"""
