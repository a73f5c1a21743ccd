"""What the procedure page shows, read from the catalogue: the legal bases as a list of
documents, the receiving agencies grouped by district (then commune), and the choice of
agency by place for the submission form."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tinhso.orgs.models import OrgUnit
from tinhso.services.text import search_normalize

# a document's number at the end of its entry: "54/2025/TT-BCA", "68/2020/QH14",
# "66.7/2025/NQ-CP", "9354/QĐ-BCA" — glued to the next entry, which starts with the kind
# of document ("Thông tư…", "Nghị định…", "Luật…") or ends the text
_KINDS = (
    "Luật|LUẬT|Bộ luật|BỘ LUẬT|Nghị|NGHỊ|Thông tư|THÔNG TƯ|Quyết định|QUYẾT ĐỊNH|Pháp lệnh|"
    "PHÁP LỆNH|Chỉ thị|CHỈ THỊ|Văn bản|Hiến pháp|Quy định|QUY ĐỊNH|Quy chuẩn|Công văn|"
    "Sửa đổi|sửa đổi|Hướng dẫn|hướng dẫn|Ban hành|quy định|Về |Nghị quyết|Thông tư liên tịch"
)
_CODE = re.compile(
    r"(?<!\d)(?P<num>\d+(?:\.\d+)?)/(?:(?P<year>\d{4})/)?"
    r"(?P<suffix>[A-ZĐ][A-Za-zĐđ0-9]*?(?:-[A-ZĐ][A-Za-zĐđ0-9]*?)*)"
    rf"(?=(?:{_KINDS})|\s*$)"
)


@dataclass(frozen=True)
class LegalDocument:
    name: str
    code: str


def legal_basis_documents(text: str) -> list[LegalDocument]:
    """The catalogue's "căn cứ pháp lý" (names and numbers run together, one after the
    other) as documents. A text that holds no recognisable number is one document."""
    text = (text or "").strip()
    if not text:
        return []
    docs: list[LegalDocument] = []
    start = 0
    for m in _CODE.finditer(text):
        name = text[start : m.start()].strip(" ;,.\n")
        num = m.group("num")
        # "Luật Cư trú 2020" + "68/2020/QH14" arrive as "202068/2020/QH14": the year
        # belongs to the name
        if len(num) > 4 and re.match(r"(19|20)\d\d", num):
            name, num = f"{name} {num[:4]}".strip(), num[4:]
        code = (
            f"{num}/{m.group('year')}/{m.group('suffix')}"
            if m.group("year")
            else (f"{num}/{m.group('suffix')}")
        )
        if name:
            docs.append(LegalDocument(name=name, code=code))
        elif docs and not docs[-1].code:
            docs[-1] = LegalDocument(name=docs[-1].name, code=code)
        else:
            docs.append(LegalDocument(name=code, code=code))
        start = m.end()
    rest = text[start:].strip(" ;,.\n")
    if rest:
        docs.append(LegalDocument(name=rest, code=""))
    return docs


# ---------------------------------------------------------------------------------------
# Agencies by place
# ---------------------------------------------------------------------------------------


@dataclass
class AgencyGroup:
    """The receiving agencies in one district (or at the province's level)."""

    name: str
    units: list[OrgUnit] = field(default_factory=list)
    is_home: bool = False


def _district_of(unit: OrgUnit, by_id: dict[int, OrgUnit]) -> OrgUnit | None:
    if unit.level == OrgUnit.Level.DISTRICT:
        return unit
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    for pk in reversed(ids):
        u = by_id.get(pk)
        if u is not None and u.level == OrgUnit.Level.DISTRICT:
            return u
    return None


def agencies_by_district(
    *, units: Iterable[OrgUnit], home_ids: Iterable[int] = ()
) -> list[AgencyGroup]:
    """Receiving units grouped by their district (the district's own agencies first, then
    its communes by name); province-level agencies in a group of their own first. The group
    holding one of ``home_ids`` (the applicant's own commune) comes before the others and
    that commune first inside it."""
    units = list(units)
    home = set(home_ids)
    ancestor_ids = {int(p) for u in units for p in u.path.strip("/").split("/") if p}
    by_id = OrgUnit.objects.in_bulk(ancestor_ids)
    groups: dict[int, AgencyGroup] = {}
    province = AgencyGroup(name="")
    for u in units:
        district = _district_of(u, by_id)
        if district is None:
            province.units.append(u)
            continue
        group = groups.setdefault(district.pk, AgencyGroup(name=district.name))
        group.units.append(u)
        if u.pk in home:
            group.is_home = True

    def unit_key(u: OrgUnit) -> tuple[int, int, str]:
        return (0 if u.pk in home else 1, u.level, search_normalize(u.name))

    ordered = sorted(groups.values(), key=lambda g: (not g.is_home, search_normalize(g.name)))
    for g in ordered:
        g.units.sort(key=unit_key)
    province.units.sort(key=unit_key)
    return ([province] if province.units else []) + ordered


def home_unit_ids(*, applicant: Any, units: Iterable[OrgUnit]) -> list[int]:
    """The applicant's own commune among ``units``: one named in their address, else the
    one they filed with most recently."""
    units = list(units)
    address = search_normalize(getattr(applicant, "address", "") or "")
    if address:
        named = [u.pk for u in units if u.level == OrgUnit.Level.COMMUNE and _named_in(u, address)]
        if named:
            return named[:1]
    if getattr(applicant, "pk", None) is None:
        return []
    from tinhso.services.models import Dossier

    last = (
        Dossier.objects.filter(applicant_id=applicant.pk, org_unit__in=units)
        .order_by("-created_at")
        .values_list("org_unit_id", flat=True)
        .first()
    )
    return [last] if last else []


def _named_in(unit: OrgUnit, address: str) -> bool:
    name = search_normalize(unit.name)
    return (
        bool(name)
        and re.search(rf"(^|[^a-z0-9]){re.escape(name)}([^a-z0-9]|$)", address) is not None
    )


_LEVELS = {
    "province": OrgUnit.Level.PROVINCE,
    "district": OrgUnit.Level.DISTRICT,
    "commune": OrgUnit.Level.COMMUNE,
}


def units_at_procedure_level(*, procedure: Any, units: Iterable[OrgUnit]) -> list[OrgUnit]:
    """Only the receiving units at the procedure's level(s) ("Cấp xã": communes and wards).
    A procedure whose level is not an administrative one (ministries, other agencies), or
    with no unit at its level, keeps every receiving unit: nothing is hidden on a guess."""
    units = list(units)
    levels = {_LEVELS[lv] for lv in procedure.level_list if lv in _LEVELS}
    if not levels or len(levels) < len(procedure.level_list):
        return units
    kept = [u for u in units if u.level in levels]
    return kept or units
