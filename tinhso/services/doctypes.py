"""Kinds of documents (loại giấy tờ) that an applicant's document store keeps and a new
dossier can reuse: identity papers, civil-status records, permits, land certificates.

A catalogue document part or a procedure's result is typed by the first kind its name
mentions ("Giấy chứng sinh; trường hợp không có Giấy chứng sinh…" → ``giay-chung-sinh``).
Forms filled in for one dossier (tờ khai, đơn, văn bản ủy quyền) are never typed: they are
not reusable. The type is stored on ``DocumentPart.doc_type`` and
``Procedure.result_doc_type`` (set at import, editable in the admin).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tinhso.text import fold

StrOrPromise = str | Promise

# code → (label, folded phrases that name it); the order breaks ties at the same position
DOC_TYPES: dict[str, tuple[StrOrPromise, tuple[str, ...]]] = {
    "can-cuoc": (
        _("Căn cước, căn cước công dân"),
        ("the can cuoc", "can cuoc cong dan", "can cuoc", "chung minh nhan dan", "cccd"),
    ),
    "ho-chieu": (_("Hộ chiếu"), ("ho chieu",)),
    "giay-khai-sinh": (_("Giấy khai sinh"), ("giay khai sinh",)),
    "giay-chung-sinh": (_("Giấy chứng sinh"), ("giay chung sinh",)),
    "giay-chung-nhan-ket-hon": (
        _("Giấy chứng nhận kết hôn"),
        ("giay chung nhan ket hon", "giay dang ky ket hon"),
    ),
    "xac-nhan-tinh-trang-hon-nhan": (
        _("Giấy xác nhận tình trạng hôn nhân"),
        ("xac nhan tinh trang hon nhan",),
    ),
    "giay-bao-tu": (_("Giấy báo tử"), ("giay bao tu",)),
    "trich-luc-khai-tu": (_("Trích lục khai tử"), ("trich luc khai tu",)),
    "trich-luc-ho-tich": (_("Trích lục hộ tịch"), ("trich luc",)),
    "xac-nhan-cu-tru": (_("Xác nhận thông tin về cư trú"), ("xac nhan thong tin ve cu tru",)),
    "giay-phep-xay-dung": (_("Giấy phép xây dựng"), ("giay phep xay dung",)),
    "giay-chung-nhan-quyen-su-dung-dat": (
        _("Giấy chứng nhận quyền sử dụng đất"),
        ("giay chung nhan quyen su dung dat", "quyen su dung dat"),
    ),
}
# names that start like this are filled in for one dossier: never reused
_NOT_REUSABLE = (
    "to khai",
    "don ",
    "don de nghi",
    "van ban uy quyen",
    "giay uy quyen",
    "ban ke khai",
)


def doctype_of(name: str) -> str:
    """The kind of document ``name`` (a part's or a result's name) is, or ``""``."""
    text = fold(name)
    if not text or text.startswith(_NOT_REUSABLE):
        return ""
    best, best_pos = "", len(text) + 1
    for code, (_label, phrases) in DOC_TYPES.items():
        for phrase in phrases:
            pos = text.find(phrase)
            if 0 <= pos < best_pos:
                best, best_pos = code, pos
    return best


def doctype_label(code: str) -> str:
    entry = DOC_TYPES.get(code)
    return str(entry[0]) if entry else code


def doctype_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((code, str(label)) for code, (label, _p) in DOC_TYPES.items())]
