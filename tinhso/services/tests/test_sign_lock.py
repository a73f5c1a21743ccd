"""PAdES signing calls the timestamping authority with no dossier row locked: while the
TSA is answering, another official acts on the same dossier (and wins); the approval then
stops with a conflict and registers nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tinhso.services.models import Dossier, Status
from tinhso.services.services import (
    DossierConflict,
    dossier_act,
    dossier_approve_sign,
    dossier_result_prepare,
)
from tinhso.signing.models import SignedDocument


def act(user, d, code, **kw):
    return dossier_act(user=user, dossier_id=d.pk, action_code=code, version=d.version, **kw)


@pytest.mark.django_db(transaction=True)
def test_timestamp_call_does_not_hold_the_dossier_lock(pki, submit_birth, user_named, monkeypatch):
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    from tinhso.signing import pki as pki_mod
    from tinhso.signing import services as signing_services

    officer, head = user_named("canbo.dian"), user_named("lanhdao.dian")
    d = act(officer, act(officer, submit_birth(), "receive"), "assign")
    dossier_result_prepare(user=officer, dossier_id=d.pk, generate=True)
    d = act(officer, Dossier.objects.get(pk=d.pk), "forward")
    outcome: dict[str, object] = {}

    def concurrent_action() -> None:
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as c:  # a held lock fails fast, not hangs
                        c.execute("SET LOCAL lock_timeout = '5s'")
                current = Dossier.objects.get(pk=d.pk)
                act(head, current, "return_for_rework", comment="Sửa lại trích yếu")
            outcome["done"] = True
        except Exception as e:  # reported to the main thread
            outcome["error"] = repr(e)
        finally:
            connection.close()

    real = pki_mod.timestamper()
    calls = []

    class ConcurrentTSA(DummyTimeStamper):
        async def async_timestamp(self, message_digest, md_algorithm):
            calls.append(1)
            if len(calls) == 1:  # pyHanko may ask twice (size estimate, then the real one)
                other = threading.Thread(target=concurrent_action)
                other.start()
                other.join(30)
            return await super().async_timestamp(message_digest, md_algorithm)

    monkeypatch.setattr(
        signing_services,
        "timestamper",
        lambda: ConcurrentTSA(
            tsa_cert=real.tsa_cert, tsa_key=real.tsa_key, certs_to_embed=real.certs_to_embed
        ),
    )
    with pytest.raises(DossierConflict):
        dossier_approve_sign(user=head, dossier_id=d.pk, version=d.version)
    assert calls, "the timestamping authority was called"
    assert outcome == {"done": True}  # the other official was not blocked by the signing
    d.refresh_from_db()
    assert d.status == Status.PROCESSING  # returned for rework, not approved
    assert not SignedDocument.objects.exists() and not d.result_digital
