from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def catalogue(demo_users: None) -> None:
    """The demo catalogue: 13 datasets (10 public, 2 shared, 1 internal), a demo client."""
    from tinhso.data.demo import demo_load

    demo_load()


@pytest.fixture
def ds() -> Any:
    from tinhso.data.models import Dataset

    def get(name: str) -> Dataset:
        return Dataset.objects.select_related("org_unit").get(name=name)

    return get


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese the way Windows-1258 does: precomposed base letters (â ê ô ơ ư ă)
    plus combining tone marks."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        for i, mark in enumerate(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base, marks = composed, marks[:i] + marks[i + 1 :]
                break
        out.append((base + marks).encode("cp1258"))
    return b"".join(out)


def make_dataset(
    name: str = "thu-nghiem", *, access: str = "public", owner: str = "74.STTTT", **extra: Any
) -> Any:
    from tinhso.data.services import dataset_create
    from tinhso.orgs.selectors import orgunit_get

    return dataset_create(
        actor=None,
        name=name,
        title=extra.pop("title", "Bộ dữ liệu thử nghiệm"),
        description=extra.pop("description", "Mô tả thử nghiệm."),
        theme=extra.pop("theme", "government"),
        org_unit=orgunit_get(code=owner),
        contact_name="Đầu mối",
        contact_email="dau.moi@example.vn",
        frequency="monthly",
        licence=extra.pop("licence", "cc-by-4.0" if access == "public" else "other-closed"),
        access_level=access,
        **extra,
    )


def make_resource(
    dataset: Any, tmp_path: Any, content: bytes, *, fmt: str = "CSV", filename: str = "du-lieu.csv"
) -> Any:
    from tinhso.data.services import resource_add

    path = tmp_path / filename
    path.write_bytes(content)
    return resource_add(actor=None, dataset=dataset, name="Tệp dữ liệu", format=fmt, path=path)
