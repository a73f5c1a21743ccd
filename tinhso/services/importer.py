"""Import of the national procedure catalogue (``shared/data/tthc/<ministry>/*.json``).

Idempotent: a record whose content has not changed since the last import is skipped; a
changed one replaces the parsed fields (channels, parts, result) but never the province's
own decisions (process, service class, receiving agencies, e-form, active flag). Each record
is imported in its own transaction: a bad record is reported, never fatal.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from io import TextIOBase
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction

from tinhso.audit.services import audit_record
from tinhso.services import tthc
from tinhso.services.doctypes import doctype_of
from tinhso.services.models import (
    DocumentPart,
    Procedure,
    ProcedureChannel,
    ProcedureField,
)
from tinhso.services.text import search_normalize

PROBLEM_COLUMNS = ["file", "code", "field", "problem", "message", "excerpt"]
# Bumped when the parser changes what it reads: every record is then parsed again even if
# its source text has not changed (the digest covers the source and this version).
PARSER_VERSION = 2
# Outcomes in the summary. "parsed" means a value the source states (a time with its unit);
# "no_unit" a number without a unit; "ambiguous" time and fee glued together; "conflicting"
# different stated values; "missing" the source says there is none; "unparsed" text present
# but not understood. Time and fee are counted per channel, the other fields per record.
SUMMARY_COLUMNS = ("parsed", "no_unit", "ambiguous", "conflicting", "missing", "unparsed")


@dataclass
class ImportReport:
    files: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)
    # per field: how many records had it parsed / missing in the source / unparsed
    fields: dict[str, Counter] = field(default_factory=dict)

    def count(self, name: str, outcome: str) -> None:
        self.fields.setdefault(name, Counter())[outcome] += 1

    def summary_rows(self) -> list[tuple[Any, ...]]:
        """(field, parsed, no_unit, ambiguous, conflicting, missing, unparsed) per field."""
        return [
            (name, *(c[col] for col in SUMMARY_COLUMNS)) for name, c in sorted(self.fields.items())
        ]

    def summary_rows_map(self) -> dict[str, dict[str, int]]:
        return {
            name: {col: c[col] for col in SUMMARY_COLUMNS if c[col]}
            for name, c in sorted(self.fields.items())
        }

    def write_csv(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=PROBLEM_COLUMNS)
            writer.writeheader()
            writer.writerows(self.problems)


def _digest(data: Any) -> str:
    return hashlib.sha256(
        json.dumps([PARSER_VERSION, data], ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()


def _outcomes(rec: tthc.ParsedRecord) -> list[tuple[str, str]]:
    """For the summary: (field, outcome) pairs, one per record for most fields and one per
    channel for time and fee (see ``SUMMARY_COLUMNS``)."""
    codes: dict[str, set[str]] = {}
    for p in rec.problems:
        codes.setdefault(p.field, set()).add(p.code)

    def outcome(name: str, has_value: bool) -> str:
        if has_value:
            return "parsed"
        found = codes.get(name, set())
        if not rec.channels and name in {"time", "fee"}:
            found = codes.get("channels", set())
        return "missing" if found and found <= {"missing"} else "unparsed"

    out = [
        ("channels", outcome("channels", bool(rec.channels))),
        ("parts", outcome("parts", bool(rec.parts))),
        ("result", outcome("result", bool(rec.results))),
        ("level", outcome("level", bool(rec.levels))),
        ("field", outcome("field", bool(rec.field_name))),
    ]
    if not rec.channels:
        out += [("time", outcome("time", False)), ("fee", outcome("fee", False))]
    for c in rec.channels:
        if c.review:
            time = c.review
        elif c.time_value is not None and c.time_unit:
            time = "parsed"
        else:
            time = "missing"
        if c.review == tthc.REVIEW_AMBIGUOUS:
            fee = "ambiguous"
        elif c.fee_is_free or c.fee_amount is not None:
            fee = "parsed"
        else:
            fee = "missing"
        out += [("time", time), ("fee", fee)]
    return out


def _apply(proc: Procedure, data: dict[str, Any], rec: tthc.ParsedRecord, ministry: str) -> None:
    def text(key: str) -> str:
        value = data.get(key)
        return value.strip() if isinstance(value, str) and value.strip() != tthc.NO_INFO else ""

    field_obj = None
    if rec.field_name:
        field_obj, _ = ProcedureField.objects.get_or_create(
            name=rec.field_name[:255],
            defaults={"search_text": search_normalize(rec.field_name)[:255]},
        )
    proc.name = rec.name[:500]
    proc.field = field_obj
    proc.levels = "," + ",".join(rec.levels) + "," if rec.levels else ""
    proc.ministry = ministry[:40]
    proc.decision_no = text("so_quyet_dinh")[:120]
    proc.procedure_type = text("loai_thu_tuc")[:255]
    proc.applicants = text("doi_tuong_thuc_hien")
    proc.competent_agency_text = text("co_quan_co_tham_quyen") or text("co_quan_thuc_hien")
    proc.steps_text = text("trinh_tu_thuc_hien")
    proc.requirements = text("yeu_cau_dieu_kien")
    proc.legal_basis = tthc.legal_basis_text(data.get("can_cu_phap_ly"))
    proc.result_name = "; ".join(r.name for r in rec.results)[:500]
    proc.result_code = rec.results[0].code[:40] if rec.results else ""
    proc.result_doc_type = doctype_of(rec.results[0].name) if rec.results else ""
    url = data.get("detail_url")
    proc.source_url = url[:500] if isinstance(url, str) and url.startswith("https://") else ""
    local_parts = bool(proc.raw.get("_local_parts")) if proc.raw else False
    proc.raw = {**data, "_digest": _digest(data)}
    if local_parts:  # parts curated locally (e.g. the demo): keep them
        proc.raw["_local_parts"] = True
    proc.parse_problems = [p.as_dict() for p in rec.problems]
    proc.search_text = search_normalize(f"{rec.code} {rec.name} {rec.field_name}")
    proc.save()

    proc.channels.all().delete()
    ProcedureChannel.objects.bulk_create(
        ProcedureChannel(
            procedure=proc,
            channel=c.channel,
            time_value=c.time_value,
            time_value_max=c.time_value_max,
            time_unit=c.time_unit,
            fee_amount=c.fee_amount,
            fee_amount_max=c.fee_amount_max,
            fee_currency=c.fee_currency,
            fee_is_free=c.fee_is_free,
            description=c.description,
            raw=c.raw,
            review=c.review,
            time_source=c.time_source,
            order=i,
        )
        for i, c in enumerate(rec.channels)
    )
    if local_parts:
        return
    existing = list(proc.parts.order_by("order", "pk"))
    for i, p in enumerate(rec.parts):
        values = {
            "order": i,
            "name": p.name,
            "group": p.group,
            "required": p.required,
            "copies": p.copies,
            "copy_kind": p.copy_kind,
            "form_name": p.form_name,
            "raw": p.raw,
            "doc_type": doctype_of(p.name),
        }
        if i < len(existing):
            for k, v in values.items():
                setattr(existing[i], k, v)
            existing[i].save()
        else:
            DocumentPart.objects.create(procedure=proc, **values)
    for extra in existing[len(rec.parts) :]:
        extra.delete()  # dossier files keep their content (part set to NULL)


def tthc_import_record(
    *, path: Path, ministry: str, report: ImportReport, demo: bool = False
) -> Procedure | None:
    """Import one file; problems go to ``report``. Returns the procedure (None if failed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.files += 1
        report.failed += 1
        report.problems.append(
            {
                "file": f"{ministry}/{path.name}",
                "code": "",
                "field": "record",
                "problem": "invalid",
                "message": str(exc)[:300],
                "excerpt": "",
            }
        )
        return None
    return tthc_import_data(
        data=data, ministry=ministry, source=f"{ministry}/{path.name}", report=report, demo=demo
    )


def tthc_import_data(
    *, data: Any, ministry: str, source: str, report: ImportReport, demo: bool = False
) -> Procedure | None:
    """Import one parsed-JSON record (from a file or the demo fixture)."""
    report.files += 1

    def problem(code: str, fld: str, prob: str, msg: str, excerpt: str = "") -> None:
        report.problems.append(
            {
                "file": source,
                "code": code,
                "field": fld,
                "problem": prob,
                "message": msg,
                "excerpt": excerpt[:200],
            }
        )

    try:
        rec = tthc.parse_record(data)
    except ValueError as exc:
        report.failed += 1
        problem("", "record", "invalid", str(exc)[:300])
        return None
    for p in rec.problems:
        problem(rec.code, p.field, p.code, p.message, p.excerpt)
    for name, outcome in _outcomes(rec):
        report.count(name, outcome)
    try:
        with transaction.atomic():
            proc = Procedure.objects.select_for_update().filter(code=rec.code).first()
            if proc is not None and proc.raw.get("_digest") == _digest(data):
                report.unchanged += 1
                return proc
            created = proc is None
            if proc is None:
                proc = Procedure(code=rec.code, is_demo=demo)
            _apply(proc, data, rec, ministry)
    except Exception as exc:  # a bad record must never stop the import
        report.failed += 1
        problem(rec.code, "record", "error", f"{type(exc).__name__}: {exc}"[:300])
        return None
    if created:
        report.created += 1
    else:
        report.updated += 1
    return proc


def tthc_import(
    *,
    root: Path,
    ministries: list[str] | None = None,
    codes: set[str] | None = None,
    demo: bool = False,
    stdout: TextIO | TextIOBase | None = None,
) -> ImportReport:
    """Import every ``root/<ministry>/*.json`` (optionally only some ministries / codes)."""
    report = ImportReport()
    if not root.is_dir():
        raise FileNotFoundError(f"Không tìm thấy thư mục dữ liệu: {root}")
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if ministries and folder.name not in ministries:
            continue
        for path in sorted(folder.glob("*.json")):
            if codes is not None and path.stem not in codes:
                continue
            tthc_import_record(path=path, ministry=folder.name, report=report, demo=demo)
            if stdout and report.files % 200 == 0:
                stdout.write(f"  … {report.files} bản ghi\n")
    with transaction.atomic():
        audit_record(
            actor=None,
            action="services.catalogue_import",
            object_type="services.procedure",
            object_id=str(root.name),
            extra={
                "files": report.files,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "failed": report.failed,
                "problems": len(report.problems),
            },
        )
    return report
