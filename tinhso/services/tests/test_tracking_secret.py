"""Issue 14 finding 3: public tracking is throttled per client and per dossier, and shows
personal details only with the random tracking code printed on the receipt."""

from __future__ import annotations

import pytest

from tinhso.services.selectors import dossier_track

pytestmark = pytest.mark.django_db

ID_NUMBER = "074190001234"


def test_each_submitted_dossier_gets_its_own_random_code(submit_birth):
    a, b = submit_birth(), submit_birth()
    a.refresh_from_db()
    b.refresh_from_db()
    assert len(a.tracking_code) == 10 and a.tracking_code != b.tracking_code
    assert dossier_track(number=a.number, code=ID_NUMBER).applicant_name is None
    assert dossier_track(number=a.number, code=b.tracking_code).applicant_name is None
    assert dossier_track(number=a.number, code=a.tracking_code).applicant_name


def test_tracking_is_throttled_per_client(client, submit_birth, settings):
    settings.TRACK_PER_CLIENT_PER_MINUTE = 5
    d = submit_birth()
    url = f"/api/v1/dossiers/track/{d.number}"
    for _ in range(5):
        assert client.get(url, REMOTE_ADDR="198.51.100.1").status_code == 200
    r = client.get(url, REMOTE_ADDR="198.51.100.1")
    assert r.status_code == 429 and r.json()["code"] == "too_many_requests"
    # another client is not affected
    assert client.get(url, REMOTE_ADDR="198.51.100.2").status_code == 200
    # the page is throttled too
    page = client.get("/dich-vu-cong/tra-cuu/", {"so": d.number}, REMOTE_ADDR="198.51.100.1")
    assert page.status_code == 429


def test_codes_tried_against_one_dossier_from_many_clients_are_throttled(
    client, submit_birth, settings
):
    settings.TRACK_CODE_TRIES_PER_HOUR = 3
    d = submit_birth()
    d.refresh_from_db()
    url = f"/api/v1/dossiers/track/{d.number}"
    for i in range(3):
        r = client.get(url, {"code": f"SAI{i:07d}"}, REMOTE_ADDR=f"203.0.113.{i}")
        assert r.status_code == 200 and r.json()["applicant_name"] is None
    # even the right code from a fresh address is refused for now
    r = client.get(url, {"code": d.tracking_code}, REMOTE_ADDR="203.0.113.99")
    assert r.status_code == 429
    # the public status (without a code) still answers
    assert client.get(url, REMOTE_ADDR="203.0.113.98").status_code == 200


def test_code_on_the_receipt_and_in_the_api(client, submit_birth, user_named, tmp_path):
    import shutil
    import subprocess

    from tinhso.testing import cannot_run

    d = submit_birth()
    d.refresh_from_db()
    client.force_login(user_named("congdan"))
    pdf = client.get(f"/dich-vu-cong/ho-so/{d.pk}/giay-hen.pdf").content
    if not shutil.which("pdftotext"):
        cannot_run("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "giay-hen.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert d.tracking_code in text
    own = client.get(f"/api/v1/dossiers/{d.pk}").json()
    assert own["tracking_code"] == d.tracking_code
    client.force_login(user_named("canbo.dian"))
    assert client.get(f"/api/v1/dossiers/{d.pk}").json()["tracking_code"] is None
