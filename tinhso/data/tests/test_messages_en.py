"""Issue 15 item 10: the CKAN Action API's and the search's error messages are marked for
translation (CKAN's error types and field keys stay as CKAN spells them)."""

import pytest
from django.conf import settings
from django.utils import translation

from tinhso.data.tabular import TYPE_LABELS

pytestmark = pytest.mark.django_db


def _error(client, action, **params):
    body = client.get(f"/api/3/action/{action}", params).json()
    assert body["success"] is False
    return body["error"]


def test_ckan_errors_in_vietnamese_by_default(client):
    assert _error(client, "package_show", id="khong-co")["message"] == (
        "Not Found Error: Không tìm thấy bộ dữ liệu."
    )


def test_ckan_errors_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _error(client, "package_show", id="khong-co")["message"] == (
        "Not Found Error: Dataset not found."
    )
    rows = _error(client, "package_search", rows="abc")
    assert rows["message"] == "Validation Error: rows: must be an integer"
    assert rows["rows"] == ["Invalid integer"]  # CKAN's field errors are unchanged
    assert _error(client, "package_search", sort="title sideways")["message"] == (
        "Search Query Error: Invalid sort order: title sideways"
    )
    assert _error(client, "package_search", fq="tags:")["message"].startswith(
        "Search Query Error: Could not understand the filter"
    )
    assert _error(client, "resource_show")["message"] == ("Validation Error: Missing parameter id")
    assert _error(client, "package_create")["message"] == (
        "Authorization Error: This API is read-only: data is updated through the agency’s "
        "administration portal."
    )


def test_column_types_in_bad_row_reasons_follow_the_language():
    with translation.override("vi"):
        assert str(TYPE_LABELS["date"]) == "ngày"
    with translation.override("en"):
        assert [str(TYPE_LABELS[t]) for t in ("int", "numeric", "date", "bool", "text")] == [
            "integer",
            "number",
            "date",
            "true/false",
            "text",
        ]
