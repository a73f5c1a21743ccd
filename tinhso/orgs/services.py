"""Writes to the org-unit hierarchy: create, close, reorganise, import; population figures."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit, Population, Succession


def _snapshot(unit: OrgUnit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
    }


def _set_path(unit: OrgUnit) -> None:
    parent_path = unit.parent.path if unit.parent is not None else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = parent_path.count("/") - 1
    unit.save(update_fields=["path", "depth"])


@transaction.atomic
def orgunit_create(
    *,
    actor: Any | None,
    code: str,
    name: str,
    category: str,
    kind: str,
    level: int,
    valid_from: dt.date,
    parent: OrgUnit | None = None,
    valid_to: dt.date | None = None,
    name_en: str = "",
    short_name: str = "",
    is_demo: bool = False,
    source: str = "",
    audit: bool = True,
) -> OrgUnit:
    if parent is not None and not parent.is_valid_on(valid_from):
        raise ValidationError(
            _("Đơn vị cha %(parent)s không còn hiệu lực vào ngày %(date)s.")
            % {"parent": parent, "date": f"{valid_from:%d/%m/%Y}"}
        )
    unit = OrgUnit(
        code=code,
        name=name,
        name_en=name_en,
        short_name=short_name,
        category=category,
        kind=kind,
        level=level,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        is_demo=is_demo,
        source=source,
    )
    unit.full_clean(exclude=["path", "depth", "successors"])
    unit.save()
    _set_path(unit)
    if audit:
        audit_record(
            actor=actor, action="orgunit.create", obj=unit, org_unit=unit, after=_snapshot(unit)
        )
    return unit


@transaction.atomic
def orgunit_close(
    *,
    actor: Any | None,
    unit: OrgUnit,
    on: dt.date,
    successors: Iterable[OrgUnit] = (),
    note: str = "",
    source: str = "",
) -> OrgUnit:
    """Close ``unit`` (and its still-open descendants) from ``on``; link its successors."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if on <= unit.valid_from:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu hiệu lực."))
    if unit.valid_to is not None and unit.valid_to <= on:
        raise ValidationError(
            _("Đơn vị %(unit)s đã hết hiệu lực từ %(date)s.")
            % {"unit": unit, "date": f"{unit.valid_to:%d/%m/%Y}"}
        )
    before = _snapshot(unit)
    OrgUnit.objects.filter(path__startswith=unit.path, valid_to__isnull=True).update(valid_to=on)
    OrgUnit.objects.filter(path__startswith=unit.path, valid_to__gt=on).update(valid_to=on)
    unit.refresh_from_db()
    for succ in successors:
        Succession.objects.get_or_create(
            predecessor=unit,
            successor=succ,
            defaults={"effective": on, "note": note, "source": source},
        )
    audit_record(
        actor=actor,
        action="orgunit.close",
        obj=unit,
        org_unit=unit,
        before=before,
        after=_snapshot(unit),
        extra={"successors": [s.code for s in successors], "note": note},
    )
    return unit


# --- import of the dvhcvn format ------------------------------------------------------------

LEVEL1_KINDS = {"Tỉnh": OrgUnit.Kind.PROVINCE, "Thành phố Trung ương": OrgUnit.Kind.CENTRAL_CITY}
LEVEL2_KINDS = {
    "Huyện": OrgUnit.Kind.RURAL_DISTRICT,
    "Quận": OrgUnit.Kind.URBAN_DISTRICT,
    "Thị xã": OrgUnit.Kind.TOWN,
    "Thành phố": OrgUnit.Kind.PROVINCIAL_CITY,
}
LEVEL3_KINDS = {
    "Xã": OrgUnit.Kind.COMMUNE,
    "Phường": OrgUnit.Kind.WARD,
    "Thị trấn": OrgUnit.Kind.TOWNSHIP,
    "Đặc khu": OrgUnit.Kind.SPECIAL_ZONE,
}


class ImportFormatError(ValueError):
    """The file is not in the dvhcvn format; nothing was imported."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    provinces: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class _Row:
    code: str
    name: str
    kind: str
    level: int
    parent_code: str | None
    children: list[_Row] = field(default_factory=list)


def _need(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise ImportFormatError(
            _("Thiếu trường '%(key)s' tại %(where)s.") % {"key": key, "where": where}
        )
    value = obj[key]
    if (key.endswith("_id") or key == "name") and (not isinstance(value, str) or not value.strip()):
        raise ImportFormatError(
            _("Trường '%(key)s' không hợp lệ tại %(where)s: %(value)s.")
            % {"key": key, "where": where, "value": repr(value)}
        )
    return value


def _kind(mapping: Mapping[str, str], value: Any, where: str) -> str:
    if value not in mapping:
        raise ImportFormatError(
            _("Loại đơn vị không biết '%(value)s' tại %(where)s.")
            % {"value": value, "where": where}
        )
    return mapping[value]


def dvhcvn_parse(*, data: Any, province: str | None = None) -> list[_Row]:
    """Validate the whole document first, so a malformed file imports nothing."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise ImportFormatError(_("Tệp không đúng định dạng dvhcvn: thiếu danh sách 'data'."))
    rows: list[_Row] = []
    seen: set[str] = set()
    for i, p in enumerate(data["data"]):
        where = f"data[{i}]"
        code = _need(p, "level1_id", where)
        if province and code != province:
            continue
        prow = _Row(
            code, _need(p, "name", where), _kind(LEVEL1_KINDS, p.get("type"), where), 1, None
        )
        l2s = _need(p, "level2s", where)
        if not isinstance(l2s, list):
            raise ImportFormatError(
                _("'%(key)s' phải là danh sách tại %(where)s.") % {"key": "level2s", "where": where}
            )
        for j, d in enumerate(l2s):
            w2 = f"{where}.level2s[{j}]"
            drow = _Row(
                _need(d, "level2_id", w2),
                _need(d, "name", w2),
                _kind(LEVEL2_KINDS, d.get("type"), w2),
                2,
                code,
            )
            l3s = _need(d, "level3s", w2)
            if not isinstance(l3s, list):
                raise ImportFormatError(
                    _("'%(key)s' phải là danh sách tại %(where)s.")
                    % {"key": "level3s", "where": w2}
                )
            for k, c in enumerate(l3s):
                w3 = f"{w2}.level3s[{k}]"
                drow.children.append(
                    _Row(
                        _need(c, "level3_id", w3),
                        _need(c, "name", w3),
                        _kind(LEVEL3_KINDS, c.get("type"), w3),
                        3,
                        drow.code,
                    )
                )
            prow.children.append(drow)
        for r in [prow, *prow.children, *(c for d in prow.children for c in d.children)]:
            if r.code in seen:
                raise ImportFormatError(_("Mã đơn vị trùng lặp: %(code)s.") % {"code": r.code})
            seen.add(r.code)
        rows.append(prow)
    if province and not rows:
        raise ImportFormatError(_("Không có tỉnh mã %(code)s trong tệp.") % {"code": province})
    return rows


def _read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(
            _("Không đọc được tệp %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            _("Tệp không phải JSON hợp lệ (dòng %(line)s): %(error)s")
            % {"line": exc.lineno, "error": exc.msg}
        ) from exc


def dvhcvn_import(
    *,
    path: Path,
    valid_from: dt.date,
    actor: Any | None = None,
    province: str | None = None,
    progress: Callable[[int], None] | None = None,
    source: str = "",
) -> ImportResult:
    """Import (or update) administrative units from a dvhcvn JSON file.

    Idempotent: a unit is matched by (code, valid_from); a second run changes nothing.
    The file is parsed and validated completely before anything is written, and all
    writes happen in one transaction.
    """
    data = _read_json(path)
    provinces = dvhcvn_parse(data=data, province=province)
    source = source or f"dvhcvn {data.get('data_date', '')}".strip()
    result = ImportResult()
    with transaction.atomic():
        existing = {
            u.code: u for u in OrgUnit.objects.filter(valid_from=valid_from, category="admin")
        }

        def upsert(row: _Row, parent: OrgUnit | None) -> OrgUnit:
            unit = existing.get(row.code)
            if unit is None:
                unit = OrgUnit(
                    code=row.code,
                    name=row.name,
                    category=OrgUnit.Category.ADMINISTRATIVE,
                    kind=row.kind,
                    level=row.level,
                    parent=parent,
                    valid_from=valid_from,
                    source=source,
                )
                unit.save()
                _set_path(unit)
                result.created += 1
            elif (unit.name, unit.kind, unit.level, unit.parent_id) != (
                row.name,
                row.kind,
                row.level,
                parent.pk if parent else None,
            ):
                unit.name, unit.kind, unit.level, unit.parent = (
                    row.name,
                    row.kind,
                    row.level,
                    parent,
                )
                unit.save(update_fields=["name", "kind", "level", "parent"])
                _set_path(unit)
                result.updated += 1
            else:
                result.unchanged += 1
            if progress:
                progress(1)
            return unit

        for prow in provinces:
            p = upsert(prow, None)
            for drow in prow.children:
                d = upsert(drow, p)
                for crow in drow.children:
                    upsert(crow, d)
            result.provinces.append(prow.code)
        audit_record(
            actor=actor,
            action="orgunit.import",
            object_type="orgs.orgunit",
            extra={
                "source": source,
                "file": str(path),
                "province": province,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def dvhcvn_count(*, path: Path, province: str | None = None) -> int:
    data = _read_json(path)
    rows = dvhcvn_parse(data=data, province=province)
    return sum(1 + len(p.children) + sum(len(d.children) for d in p.children) for p in rows)


# --- reorganisation (e.g. the 1 July 2025 merger) -------------------------------------------


@dataclass
class ReorganisationResult:
    closed: int = 0
    opened: int = 0
    links: int = 0
    unmatched: list[str] = field(default_factory=list)


def _kind_from_name(name: str) -> str:
    for prefix, kind in LEVEL3_KINDS.items():
        if name.startswith(prefix + " "):
            return kind
    raise ImportFormatError(
        _("Không xác định được loại đơn vị từ tên '%(name)s'.") % {"name": name}
    )


def reorganisation_apply(
    *,
    path: Path,
    on: dt.date,
    actor: Any | None = None,
    source: str = "",
) -> ReorganisationResult:
    """Apply an old → new mapping in the dvhcvn "splits" format, effective ``on``.

    Old units valid the day before are closed from ``on`` (with their whole subtree, so
    the abolished district level closes too); new units are opened from ``on`` directly
    under the new level-1 unit (two-tier government) and linked as successors. Idempotent.
    """
    doc = _read_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ImportFormatError(_("Tệp không đúng định dạng: thiếu danh sách 'data'."))
    source = source or str(doc.get("source", ""))[:255]
    eve = on - dt.timedelta(days=1)
    result = ReorganisationResult()
    with transaction.atomic():

        def old_unit(code: str) -> OrgUnit | None:
            return (
                OrgUnit.objects.filter(code=code, valid_from__lte=eve)
                .filter(models_valid_to_after(eve))
                .first()
            )

        def new_unit(code: str, name: str, level: int, parent: OrgUnit | None) -> OrgUnit:
            unit = OrgUnit.objects.filter(code=code, valid_from=on).first()
            if unit is not None:
                return unit
            result.opened += 1
            kind = (
                OrgUnit.Kind.CENTRAL_CITY
                if level == 1 and name.startswith("Thành phố")
                else OrgUnit.Kind.PROVINCE
                if level == 1
                else _kind_from_name(name)
            )
            return orgunit_create(
                actor=actor,
                code=code,
                name=name,
                category=OrgUnit.Category.ADMINISTRATIVE,
                kind=kind,
                level=level,
                parent=parent,
                valid_from=on,
                source=source,
                audit=False,
            )

        def link(old: OrgUnit, new: OrgUnit) -> None:
            _link, made = Succession.objects.get_or_create(
                predecessor=old, successor=new, defaults={"effective": on, "source": source}
            )
            result.links += int(made)

        for i, p in enumerate(doc["data"]):
            where = f"data[{i}]"
            p_code = _need(p, "level1_id", where)
            p_splits = _need(p, "splits", where)
            if not p_splits:
                raise ImportFormatError(_("Thiếu đơn vị mới cho %(code)s.") % {"code": p_code})
            new_parents = [
                new_unit(_need(s, "new_id", where), _need(s, "name", where), 1, None)
                for s in p_splits
            ]
            target = new_parents[0]
            old_province = old_unit(p_code)
            level3 = _need(p, "level3s", where)
            # Read the old units before anything closes.
            pending: list[tuple[OrgUnit | None, str, list[tuple[str, str]]]] = []
            for j, c in enumerate(level3):
                w3 = f"{where}.level3s[{j}]"
                code = _need(c, "level3_id", w3)
                splits = [
                    (_need(s, "new_id", w3), _need(s, "name", w3)) for s in _need(c, "splits", w3)
                ]
                pending.append((old_unit(code), code, splits))
            for parent_new in new_parents:
                # the old level-1 unit with the new code (e.g. Hồ Chí Minh City before the
                # merger) continues as the new one
                prior = old_unit(parent_new.code)
                if prior is not None and prior.pk != parent_new.pk and prior.valid_to != on:
                    orgunit_close(actor=actor, unit=prior, on=on, successors=[parent_new])
                    result.closed += 1
            if old_province is not None and old_province.valid_to != on:
                orgunit_close(
                    actor=actor, unit=old_province, on=on, successors=new_parents, source=source
                )
                result.closed += 1
            for old, code, splits in pending:
                if old is None:
                    result.unmatched.append(code)
                    continue
                old.refresh_from_db()
                for new_code, new_name in splits:
                    link(old, new_unit(new_code, new_name, 3, target))
        audit_record(
            actor=actor,
            action="orgunit.reorganise",
            object_type="orgs.orgunit",
            extra={
                "file": str(path),
                "on": on,
                "closed": result.closed,
                "opened": result.opened,
                "links": result.links,
                "unmatched": result.unmatched,
            },
        )
    return result


def models_valid_to_after(day: dt.date) -> Any:
    from django.db.models import Q

    return Q(valid_to__isnull=True) | Q(valid_to__gt=day)


# --- population per unit and year (used by monitoring's "adults using online services") -----


def _count(value: Any, label: str) -> int | None:
    """A whole number from a form or a file: 2763100, "2.763.100", "2 763 100"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError(
            {label: [_("'%(value)s' không phải là số nguyên.") % {"value": value}]}
        )
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(" ", "").replace("\u00a0", "").replace(".", "")
    if not text.lstrip("-").isdigit():
        raise ValidationError(
            {label: [_("'%(value)s' không phải là số nguyên.") % {"value": value}]}
        )
    return int(text)


@transaction.atomic
def population_set(
    *,
    actor: Any | None,
    org_unit: OrgUnit,
    year: int,
    total: Any,
    adults: Any,
    source: str = "",
    is_demo: bool = False,
) -> Population:
    """Create or replace a unit's population for a year (audited). Permission is checked by
    the caller (orgs sits below the permission layer)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not 1900 <= year <= 2100:
        errors.setdefault("year", []).append(_("Năm không hợp lệ."))
    tot = ad = None
    try:
        tot = _count(total, "total")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        ad = _count(adults, "adults")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if tot is None and "total" not in errors:
        errors.setdefault("total", []).append(_("Chưa nhập tổng dân số."))
    elif tot is not None and tot <= 0:
        errors.setdefault("total", []).append(_("Tổng dân số phải lớn hơn 0."))
    if ad is None and "adults" not in errors:
        errors.setdefault("adults", []).append(_("Chưa nhập dân số từ 18 tuổi trở lên."))
    elif ad is not None and ad < 0:
        errors.setdefault("adults", []).append(_("Dân số từ 18 tuổi trở lên không được âm."))
    elif ad is not None and tot is not None and tot > 0 and ad > tot:
        errors.setdefault("adults", []).append(
            _("Dân số từ 18 tuổi trở lên không được lớn hơn tổng dân số.")
        )
    if len(source) > 255:
        errors.setdefault("source", []).append(_("Nguồn số liệu dài quá 255 ký tự."))
    if errors:
        raise ValidationError(errors)
    assert tot is not None and ad is not None
    existing = Population.objects.select_for_update().filter(org_unit=org_unit, year=year).first()
    before = (
        {"total": existing.total, "adults": existing.adults, "source": existing.source}
        if existing
        else None
    )
    pop, _created = Population.objects.update_or_create(
        org_unit=org_unit,
        year=year,
        defaults={"total": tot, "adults": ad, "source": source.strip(), "is_demo": is_demo},
    )
    audit_record(
        actor=actor,
        action="population.set",
        obj=pop,
        org_unit=org_unit,
        before=before,
        after={
            "unit": org_unit.code,
            "year": year,
            "total": tot,
            "adults": ad,
            "source": pop.source,
            "is_demo": is_demo,
        },
    )
    return pop
