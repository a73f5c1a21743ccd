"""Issue 14 finding 8: the counter-fee endpoint checks permission before anything else and
answers the same for a dossier one may not see as for one that does not exist."""

import pytest

pytestmark = pytest.mark.django_db


def test_counter_fee_checks_permission_first(client, submit_birth, user_named):
    d = submit_birth()  # congdan's, not awaiting a fee
    client.force_login(user_named("canbo.thuanan"))  # an officer of another unit
    other = client.post(f"/dich-vu-cong/ho-so/{d.pk}/thu-phi-tai-quay/")
    missing = client.post("/dich-vu-cong/ho-so/99999999/thu-phi-tai-quay/")
    assert other.status_code == missing.status_code == 404
    client.force_login(user_named("doanhnghiep"))
    assert client.post(f"/dich-vu-cong/ho-so/{d.pk}/thu-phi-tai-quay/").status_code == 404


def test_counter_fee_refused_to_the_applicant_with_the_permission_message(
    client, submit_birth, user_named
):
    from tinhso.services.services import dossier_fee_collect_at_counter

    d = submit_birth()
    with pytest.raises(Exception) as info:
        dossier_fee_collect_at_counter(officer=user_named("congdan"), dossier_id=d.pk)
    assert type(info.value).__name__ == "PermissionDenied"


def test_registration_is_throttled_per_client(client, demo_orgs, settings):
    settings.REGISTER_PER_CLIENT_PER_HOUR = 3
    data = {"username": "x", "password1": "a", "password2": "b", "citizen_id": "074190001234"}
    for _ in range(3):
        assert (
            client.post("/tai-khoan/dang-ky/", data, REMOTE_ADDR="198.51.100.5").status_code == 200
        )
    r = client.post("/tai-khoan/dang-ky/", data, REMOTE_ADDR="198.51.100.5")
    assert r.status_code == 429
    assert client.post("/tai-khoan/dang-ky/", data, REMOTE_ADDR="198.51.100.6").status_code == 200
