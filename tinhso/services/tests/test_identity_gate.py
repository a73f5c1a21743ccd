"""The verified-identity setting: dossiers need an identity of the minimum level; the
e-form shows the verified data read-only; the dossier records the identity's source/level."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tinhso.services.models import Dossier
from tinhso.services.services import dossier_draft_create

from .conftest import BIRTH_FORM, upload

pytestmark = pytest.mark.django_db


def draft(user, birth, unit):
    part = birth.parts.filter(required=True).first()
    return dossier_draft_create(
        user=user, procedure=birth, org_unit=unit, form_data=BIRTH_FORM, files={part.pk: [upload()]}
    )


def verify(user, level):
    user.identity_source, user.identity_level = "vneid", level
    user.identity_verified_at = timezone.now()
    user.save()


def test_setting_requires_a_verified_identity_of_the_level(birth, ward_dian, user_named, settings):
    congdan = user_named("congdan")
    settings.IDENTITY_REQUIRED_LEVEL = 0
    assert draft(congdan, birth, ward_dian).identity_source == ""  # off: local accounts submit
    settings.IDENTITY_REQUIRED_LEVEL = 2
    with pytest.raises(PermissionDenied, match="định danh điện tử mức 2"):
        draft(congdan, birth, ward_dian)
    verify(congdan, 1)
    with pytest.raises(PermissionDenied, match="định danh điện tử mức 2"):
        draft(congdan, birth, ward_dian)
    assert Dossier.objects.filter(applicant=congdan).count() == 1
    verify(congdan, 2)
    dossier = draft(congdan, birth, ward_dian)
    assert (dossier.identity_source, dossier.identity_level) == ("vneid", 2)


def test_submission_page_shows_verified_data_read_only(
    client, birth, ward_dian, user_named, settings
):
    congdan = user_named("congdan")
    client.force_login(congdan)
    settings.IDENTITY_REQUIRED_LEVEL = 2
    r = client.get("/dich-vu-cong/thu-tuc/1.001193/nop/", follow=True)
    assert "Cần định danh điện tử mức 2" in r.content.decode()
    assert "id_f_ho_ten_tre" not in r.content.decode()
    verify(congdan, 2)
    r = client.get("/dich-vu-cong/thu-tuc/1.001193/nop/")
    form = r.context["form"]
    assert form.fields["verified_name"].disabled
    assert form.fields["verified_citizen_id"].initial == congdan.citizen_id
    # a posted name is ignored: the dossier takes the verified one
    part = birth.parts.filter(required=True).first()
    data = {f"f_{k}": v for k, v in BIRTH_FORM.items()}
    data.update(org_unit=ward_dian.pk, verified_name="Kẻ Mạo Danh", **{f"part_{part.pk}": upload()})
    r = client.post("/dich-vu-cong/thu-tuc/1.001193/nop/", data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    dossier = Dossier.objects.get(applicant=congdan)
    assert dossier.applicant_name == congdan.full_name != "Kẻ Mạo Danh"
    assert dossier.identity_level == 2
