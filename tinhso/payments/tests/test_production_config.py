"""Issue 14 finding 6: production refuses the demo secrets, payments need a configured
gateway, and ``manage.py serve`` runs the deployment checks and stops on errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from tinhso.payments.models import Payment
from tinhso.payments.services import payment_create, vnpay_ipn_process

from .conftest import PURPOSE, ipn_params

ROOT = Path(__file__).resolve().parents[3]
DEMO_KEY = "demo-only-insecure-key-do-not-use-in-production"
SANDBOX_SECRET = "demo-only-sandbox-secret"
PROD = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_SETTINGS_MODULE": "tinhso.settings",
    "SECRET_KEY": "p" * 50,
    "ALLOWED_HOSTS": "dichvucong.example.gov.vn",
}


def _settings_load(**env: str) -> subprocess.CompletedProcess[str]:
    code = "import django; django.setup(); print('started')"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**PROD, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_production_refuses_the_demo_secret_key() -> None:
    assert _settings_load().stdout.strip() == "started"
    failed = _settings_load(SECRET_KEY=DEMO_KEY)
    assert failed.returncode != 0 and "SECRET_KEY" in failed.stderr


def test_production_refuses_the_sandbox_vnpay_secret() -> None:
    failed = _settings_load(VNPAY_HASH_SECRET=SANDBOX_SECRET)
    assert failed.returncode != 0 and "VNPAY_HASH_SECRET" in failed.stderr


def test_serve_runs_the_deployment_checks_and_stops_on_errors() -> None:
    # the sandbox gateway configured in production is an error of the deploy checks
    out = subprocess.run(
        [sys.executable, "manage.py", "serve", "--no-collectstatic", "--bind", "127.0.0.1:9"],
        env={
            **PROD,
            "VNPAY_TMN_CODE": "TINHSO",
            "VNPAY_HASH_SECRET": "s" * 32,
            "VNPAY_URL": "/payments/sandbox/pay",
        },
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert out.returncode != 0
    assert "tinhso.E003" in out.stderr
    assert "gunicorn" not in out.stderr.lower()


@pytest.mark.django_db
def test_no_online_payment_without_a_configured_gateway(settings, unit, payer) -> None:
    settings.VNPAY_TMN_CODE = ""
    settings.VNPAY_HASH_SECRET = ""
    settings.VNPAY_URL = ""
    with pytest.raises(ValidationError, match="cổng thanh toán"):
        payment_create(
            payer=payer,
            org_unit=unit,
            amount=10_000,
            purpose=PURPOSE,
            object_ref="x1",
            description="Phí",
        )
    assert not Payment.objects.exists()
    # a payment at the counter needs no gateway
    counter = payment_create(
        payer=payer,
        org_unit=unit,
        amount=10_000,
        purpose=PURPOSE,
        object_ref="x2",
        description="Phí",
        gateway="counter",
    )
    assert counter.gateway == Payment.Gateway.COUNTER


@pytest.mark.django_db
def test_sandbox_gateway_is_refused_when_the_sandbox_is_off(settings, unit, payer) -> None:
    settings.PAYMENTS_SANDBOX = False  # production: VNPAY_URL still pointing at the sandbox
    with pytest.raises(ValidationError, match="cổng thanh toán"):
        payment_create(
            payer=payer,
            org_unit=unit,
            amount=10_000,
            purpose=PURPOSE,
            object_ref="x1",
            description="Phí",
        )


@pytest.mark.django_db
def test_ipn_refused_without_a_configured_gateway(settings, unit, payer) -> None:
    payment = payment_create(
        payer=payer,
        org_unit=unit,
        amount=10_000,
        purpose=PURPOSE,
        object_ref="x1",
        description="Phí",
    )
    settings.PAYMENTS_SANDBOX = False
    answer = vnpay_ipn_process(params=ipn_params(payment))
    assert answer.code != "00"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
