"""One size rule for every way a file comes into the data app (``tabular.size_error``)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.data.forms import ResourceUploadForm
from tinhso.data.services import (
    DatastoreLoadError,
    datastore_load,
    datastore_load_upload,
    resource_add_upload,
)
from tinhso.data.tests.conftest import make_dataset, make_resource

pytestmark = pytest.mark.django_db
BIG = b"ma,ten\n" + b"1,mot\n" * 400  # 2.407 bytes
REFUSAL = "Tệp quá lớn: 2.407 byte, giới hạn 1.000 byte."


def test_every_path_refuses_a_big_file_with_the_same_words(demo_orgs, tmp_path, settings):
    dataset = make_dataset("kich-thuoc")
    small = make_resource(dataset, tmp_path, b"ma,ten\n1,mot\n")
    settings.DATA_MAX_FILE_BYTES = 1000

    form = ResourceUploadForm(
        data={"name": "Tệp"}, files={"file": SimpleUploadedFile("lon.csv", BIG)}
    )
    assert not form.is_valid() and form.errors["file"] == [REFUSAL]
    with pytest.raises(ValidationError) as added:
        resource_add_upload(
            actor=None, dataset=dataset, name="Tệp", upload=SimpleUploadedFile("lon.csv", BIG)
        )
    assert added.value.message_dict["file"] == [REFUSAL]
    with pytest.raises(DatastoreLoadError) as uploaded:
        datastore_load_upload(actor=None, resource=small, upload=SimpleUploadedFile("lon.csv", BIG))
    assert uploaded.value.messages == [REFUSAL]
    big_file = tmp_path / "lon.csv"
    big_file.write_bytes(BIG)
    with pytest.raises(DatastoreLoadError) as loaded:
        datastore_load(actor=None, resource=small, path=big_file)
    assert uploaded.value.messages == loaded.value.messages
    assert dataset.resources.count() == 1
