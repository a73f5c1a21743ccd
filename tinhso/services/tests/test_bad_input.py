"""Issue 14 finding 5: ordinary bad input never answers 500; API errors are JSON."""

import pytest

from tinhso.services.models import Dossier

from .conftest import BIRTH_FORM, upload

pytestmark = pytest.mark.django_db

HUGE = str(10**30)


def test_huge_offset_and_limit_on_procedures_answer_422_json(client, services_demo):
    for params in ({"offset": HUGE}, {"limit": HUGE}, {"offset": "-1"}, {"limit": "0"}):
        r = client.get("/api/v1/procedures", params)
        assert r.status_code == 422, params
        assert r["Content-Type"].startswith("application/json")
        assert r.json()["code"] == "invalid_request"
    assert client.get("/api/v1/procedures", {"offset": "5", "limit": "3"}).status_code == 200


def test_huge_ids_in_api_paths_answer_json(client, services_demo, user_named):
    client.force_login(user_named("congdan"))
    r = client.get(f"/api/v1/dossiers/{HUGE}")
    assert r.status_code in (404, 422)
    assert r["Content-Type"].startswith("application/json")


def test_unexpected_api_errors_are_json(client, services_demo, monkeypatch):
    from tinhso.services.api import catalogue as services_api  # where the search is looked up

    def boom(**kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(services_api, "procedure_search", boom, raising=False)
    monkeypatch.setattr(services_api, "procedure_list", boom, raising=False)
    client.raise_request_exception = False
    r = client.get("/api/v1/procedures")
    assert r.status_code == 500
    assert r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == "server_error"


def test_extra_part_field_on_the_submission_form(client, birth, ward_dian, user_named):
    client.force_login(user_named("congdan"))
    part = birth.parts.filter(required=True).first()
    data = {
        "org_unit": ward_dian.pk,
        **{f"f_{k}": v for k, v in BIRTH_FORM.items()},
        f"part_{part.pk}": upload(),
        "part_abc": upload(name="la.pdf"),
        "part_99999999": upload(name="khac.pdf"),
    }
    r = client.post("/dich-vu-cong/thu-tuc/1.001193/nop/", data)
    assert r.status_code in (200, 302)
    if r.status_code == 302:
        d = Dossier.objects.get()
        assert d.files.count() == 1


def test_extra_part_field_on_the_in_person_form(client, birth, ward_dian, user_named):
    client.force_login(user_named("canbo.dian"))
    r = client.post(
        "/dich-vu-cong/xu-ly/tiep-nhan/?thu_tuc=1.001193",
        {
            "thu_tuc": "1.001193",
            "org_unit": ward_dian.pk,
            "applicant_kind": "citizen",
            "applicant_name": "Lê Thị Mai",
            "channel": 1,
            "part_abc": upload(name="la.pdf"),
            **{f"f_{k}": v for k, v in BIRTH_FORM.items()},
        },
    )
    assert r.status_code in (200, 302)


def test_the_web_form_resent_with_its_token_returns_the_first_draft(
    client, birth, ward_dian, user_named
):
    """Issue 14 finding 9 (web): the submission form carries a one-time token."""
    import re

    client.force_login(user_named("congdan"))
    url = "/dich-vu-cong/thu-tuc/1.001193/nop/"
    page = client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    part = birth.parts.filter(required=True).first()

    def send():
        return client.post(
            url,
            {
                "org_unit": ward_dian.pk,
                "form_token": token,
                **{f"f_{k}": v for k, v in BIRTH_FORM.items()},
                f"part_{part.pk}": upload(),
            },
        )

    first, again = send(), send()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Dossier.objects.count() == 1
    # a fresh form (new token) is a new draft
    other = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())
    assert other.group(1) != token
