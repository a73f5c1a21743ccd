"""Reading tabular files (CSV, XLSX, JSON) for the datastore: encoding detection, type
inference, conversion, bad-row reporting. Pure functions over files; no database.

Every cell is read as text first (XLSX and JSON values are rendered to text the same way),
so inference and conversion follow one set of rules whatever the format.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from tinhso.data.text import column_id, search_text

TYPES = ("int", "numeric", "date", "bool", "text")
TYPE_LABELS = {
    "int": pgettext_lazy("kiểu dữ liệu", "số nguyên"),
    "numeric": pgettext_lazy("kiểu dữ liệu", "số"),
    "date": pgettext_lazy("kiểu dữ liệu", "ngày"),
    "bool": pgettext_lazy("kiểu dữ liệu", "đúng/sai"),
    "text": pgettext_lazy("kiểu dữ liệu", "văn bản"),
}
MAX_COLUMNS = 500
MAX_ROWS = 2_000_000  # data rows of one file (XLSX is read row by row within this bound)
MAX_REPORTED_BAD_ROWS = 200
CHUNK = 1 << 16

_INT = re.compile(r"^[+-]?(0|[1-9]\d{0,17})$")
_NUMERIC = re.compile(r"^[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_BOOLS = {"true": True, "false": False, "đúng": True, "sai": False}


class TabularError(Exception):
    """The file cannot be read at all (encoding, size, header, format)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class BadRow:
    line: int
    reason: str


@dataclass
class Column:
    id: str
    label: str
    type: str = "text"

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "label": self.label, "type": self.type}


@dataclass
class Scan:
    encoding: str
    columns: list[Column]
    rows: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    bad_count: int = 0

    def add_bad(self, line: int, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad_rows) < MAX_REPORTED_BAD_ROWS:
            self.bad_rows.append(BadRow(line, reason))


def max_file_bytes() -> int:
    return int(getattr(settings, "DATA_MAX_FILE_BYTES", 50 * 1024 * 1024))


def size_error(size: int | None) -> str | None:
    """The refusal of a file of ``size`` bytes over ``DATA_MAX_FILE_BYTES``, else None: one
    rule and one wording for every way a file comes in (the upload forms, the services, the
    datastore command)."""
    limit = max_file_bytes()
    if size is None or size <= limit:
        return None
    return _("Tệp quá lớn: %(size)s byte, giới hạn %(limit)s byte.") % {
        "size": f"{size:,}".replace(",", "."),
        "limit": f"{limit:,}".replace(",", "."),
    }


def check_size(path: Path) -> int:
    size = path.stat().st_size
    if (error := size_error(size)) is not None:
        raise TabularError(error)
    if size == 0:
        raise TabularError(_("Tệp rỗng."))
    return size


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as fh:
        try:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(path: Path) -> str:
    """UTF-8 with BOM, UTF-16 with BOM, UTF-8, else Windows-1258 (Vietnamese); else error."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            if b"\x00" in chunk:
                raise TabularError(
                    _("Tệp chứa byte NUL: không phải tệp văn bản CSV (hoặc sai bảng mã).")
                )
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _decodes(path, "cp1258"):
        return "cp1258"
    raise TabularError(
        _(
            "Không nhận diện được bảng mã của tệp. Hỗ trợ UTF-8 (có hoặc không có BOM), "
            "UTF-16 có BOM và Windows-1258."
        )
    )


def _text(value: Any) -> str:
    """Render an XLSX/JSON value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _csv_rows(path: Path, encoding: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    fh = path.open("r", encoding=encoding, newline="", errors="strict")
    try:
        sample = fh.read(CHUNK)
        fh.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(fh, dialect)
        header = next(reader, None)
    except UnicodeDecodeError as exc:
        fh.close()
        raise TabularError(_("Tệp không đúng bảng mã %(enc)s.") % {"enc": encoding}) from exc
    except csv.Error as exc:
        fh.close()
        raise TabularError(_("Tệp CSV không hợp lệ: %(err)s") % {"err": exc}) from exc
    if header is None:
        fh.close()
        raise TabularError(_("Tệp không có dòng tiêu đề."))

    def rows() -> Iterator[tuple[int, list[str]]]:
        with fh:
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except UnicodeDecodeError as exc:
                    raise TabularError(
                        _("Tệp không đúng bảng mã %(enc)s (gần dòng %(line)s).")
                        % {"enc": encoding, "line": reader.line_num + 1}
                    ) from exc
                except csv.Error as exc:
                    raise TabularError(
                        _("Tệp CSV không hợp lệ ở dòng %(line)s: %(err)s")
                        % {"line": reader.line_num, "err": exc}
                    ) from exc
                if not row or all(not c.strip() for c in row):
                    continue
                yield reader.line_num, [unicodedata.normalize("NFC", c) for c in row]

    return [unicodedata.normalize("NFC", h) for h in header], rows()


def _xlsx_archive_check(path: Path) -> None:
    """Before any parsing: every part's declared uncompressed size within the limits
    (``tinhso.archives``), so a decompression bomb is refused without being inflated."""
    import zipfile

    from tinhso.archives import ArchiveTooLarge, zip_check

    try:
        zip_check(path)
    except ArchiveTooLarge as exc:
        raise TabularError(
            _("Tệp XLSX khi giải nén quá lớn (%(part)s); hãy chia nhỏ tệp.") % {"part": exc}
        ) from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise TabularError(_("Không đọc được tệp XLSX: %(err)s") % {"err": exc}) from exc


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    import openpyxl

    _xlsx_archive_check(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TabularError(_("Không đọc được tệp XLSX: %(err)s") % {"err": exc}) from exc
    sheet = wb.worksheets[0]
    # bounded: one column more than allowed (so that too many is still seen), rows checked
    it = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
    first = next(it, None)
    if first is None:
        wb.close()
        raise TabularError(_("Tệp không có dòng tiêu đề."))
    header = [_text(v) for v in first]
    while header and not header[-1].strip():
        header.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, values in enumerate(it, start=2):
                if line > MAX_ROWS + 1:
                    raise TabularError(_("Tệp có quá nhiều dòng (tối đa %(n)s).") % {"n": MAX_ROWS})
                cells = [_text(v) for v in values]
                while len(cells) > len(header) and not cells[-1].strip():
                    cells.pop()
                if all(not c.strip() for c in cells):
                    continue
                yield line, cells
        finally:
            wb.close()

    return header, rows()


def _json_rows(path: Path, encoding: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    try:
        data = json.loads(path.read_text(encoding=encoding))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TabularError(_("Tệp JSON không hợp lệ: %(err)s") % {"err": exc}) from exc
    if isinstance(data, dict):
        data = data.get("records", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise TabularError(_('Tệp JSON phải là một danh sách đối tượng (hoặc {"records": [...]}).'))
    header: list[str] = []
    seen: set[str] = set()
    for record in data:
        for key in record:
            if key not in seen:
                seen.add(key)
                header.append(str(key))

    def rows() -> Iterator[tuple[int, list[str]]]:
        for n, record in enumerate(data, start=1):
            yield n, [_text(record.get(k)) for k in header]

    return header, rows()


def open_rows(
    path: Path, fmt: str, encoding: str
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    fmt = fmt.upper()
    if fmt == "CSV":
        return _csv_rows(path, encoding)
    if fmt == "XLSX":
        return _xlsx_rows(path)
    if fmt == "JSON":
        return _json_rows(path, encoding)
    raise TabularError(_("Định dạng %(fmt)s không nạp được vào kho dữ liệu.") % {"fmt": fmt})


def make_columns(header: list[str]) -> list[Column]:
    if not header or all(not h.strip() for h in header):
        raise TabularError(_("Tệp không có dòng tiêu đề."))
    if len(header) > MAX_COLUMNS:
        raise TabularError(_("Quá nhiều cột (tối đa %(n)s).") % {"n": MAX_COLUMNS})
    columns: list[Column] = []
    ids: set[str] = set()
    labels: set[str] = set()
    for n, raw in enumerate(header, start=1):
        label = raw.strip()
        if not label:
            raise TabularError(_("Cột thứ %(n)s không có tên.") % {"n": n})
        if label in labels:
            raise TabularError(_("Tên cột bị trùng: %(label)s.") % {"label": label})
        labels.add(label)
        ident = base = column_id(label)
        k = 2
        while ident in ids:
            ident = f"{base}_{k}"
            k += 1
        ids.add(ident)
        columns.append(Column(id=ident, label=label))
    return columns


def convert(value: str, kind: str) -> Any:
    """Text → the stored JSON value of type ``kind``; raises ValueError with a reason."""
    value = value.strip()
    if value == "":
        return None
    if kind == "text":
        return value
    if kind == "int":
        if not _INT.match(value):
            raise ValueError
        return int(value)
    if kind == "numeric":
        if not _NUMERIC.match(value):
            raise ValueError
        number = float(value)
        return (
            int(number)
            if number.is_integer() and "." not in value and "e" not in value.lower()
            else number
        )
    if kind == "date":
        if _ISO_DATE.match(value):
            return dt.date.fromisoformat(value).isoformat()
        m = _VN_DATE.match(value)
        if not m:
            raise ValueError
        return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    if kind == "bool":
        try:
            return _BOOLS[value.lower()]
        except KeyError:
            raise ValueError from None
    raise ValueError


def _candidates(value: str) -> set[str]:
    ok = set()
    for kind in ("int", "numeric", "date", "bool"):
        try:
            convert(value, kind)
        except ValueError:
            continue
        ok.add(kind)
    # "0274" parses as a number but is a code: keep leading zeros as text
    if "numeric" in ok and "int" not in ok and re.match(r"^[+-]?0\d", value.strip()):
        ok.discard("numeric")
    return ok


def scan(
    path: Path,
    fmt: str,
    *,
    encoding: str | None = None,
    types: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Scan:
    """Pass 1: detect the encoding, read the header, infer types, find ragged rows."""
    check_size(path)
    if fmt.upper() == "XLSX":
        enc = "binary"
    elif encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise TabularError(_("Bảng mã không hỗ trợ: %(e)s.") % {"e": encoding}) from exc
        if not _decodes(path, encoding):
            raise TabularError(_("Tệp không đúng bảng mã %(enc)s.") % {"enc": encoding})
        enc = encoding
    else:
        enc = detect_encoding(path)
    header, rows = open_rows(path, fmt, enc)
    columns = make_columns(header)
    result = Scan(encoding=enc, columns=columns)
    possible: list[set[str] | None] = [None] * len(columns)
    width = len(columns)
    for line, cells in rows:
        result.rows += 1
        if progress and result.rows % 1000 == 0:
            progress(1000)
        if len(cells) != width:
            result.add_bad(
                line,
                _("Dòng có %(got)s ô, cần %(want)s ô (lệch cột).")
                % {"got": len(cells), "want": width},
            )
            continue
        for i, cell in enumerate(cells):
            if not cell.strip():
                continue
            kinds = _candidates(cell)
            seen = possible[i]
            possible[i] = kinds if seen is None else seen & kinds
    if progress:
        progress(result.rows % 1000)
    for col, col_kinds in zip(columns, possible, strict=True):
        col.type = next(
            (k for k in ("int", "numeric", "date", "bool") if col_kinds and k in col_kinds), "text"
        )
    apply_types(result.columns, types or {})
    return result


def apply_types(columns: list[Column], types: dict[str, str]) -> None:
    by_key = {c.id: c for c in columns} | {c.label: c for c in columns}
    for key, kind in types.items():
        if kind not in TYPES:
            raise TabularError(
                _("Kiểu dữ liệu không hợp lệ cho cột %(col)s: %(kind)s (cho phép: %(ok)s).")
                % {"col": key, "kind": kind, "ok": ", ".join(TYPES)}
            )
        if key not in by_key:
            raise TabularError(_("Không có cột %(col)s trong tệp.") % {"col": key})
        by_key[key].type = kind


def records(
    path: Path, fmt: str, result: Scan
) -> Iterator[tuple[int, dict[str, Any] | None, str, str]]:
    """Pass 2: yield (line, record or None, search text, reason) for every data row."""
    _header, rows = open_rows(path, fmt, result.encoding)
    columns = result.columns
    width = len(columns)
    for line, cells in rows:
        if len(cells) != width:
            yield line, None, "", ""  # already reported by the scan
            continue
        record: dict[str, Any] = {}
        reason = ""
        for col, cell in zip(columns, cells, strict=True):
            try:
                record[col.id] = convert(cell, col.type)
            except ValueError:
                reason = _("Cột “%(col)s”: giá trị “%(val)s” không phải %(kind)s.") % {
                    "col": col.label,
                    "val": cell[:50],
                    "kind": TYPE_LABELS[col.type],
                }
                break
        if reason:
            yield line, None, "", reason
            continue
        search = search_text(" ".join(c for c in cells if c))
        yield line, record, search, ""


# --- uploads: the format from the name, checked against the content --------------------------

EXTENSIONS = {".csv": "CSV", ".xlsx": "XLSX", ".json": "JSON", ".geojson": "GeoJSON"}
GEOJSON_TYPES = {
    "FeatureCollection",
    "Feature",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


def format_from_filename(name: str) -> str:
    """ "ban-do.GeoJSON" → "GeoJSON"; an unsupported extension is a ``TabularError``."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in EXTENSIONS:
        raise TabularError(
            _("Chỉ nhận tệp CSV, XLSX, JSON hoặc GeoJSON (đuôi .csv, .xlsx, .json, .geojson).")
        )
    return EXTENSIONS[suffix]


def _not_what_it_claims(fmt: str) -> TabularError:
    return TabularError(
        _(
            "Nội dung tệp không phải %(fmt)s (có thể tệp đã bị đổi đuôi). "
            "Vui lòng chọn đúng tệp %(fmt)s."
        )
        % {"fmt": fmt}
    )


def check_content(path: Path, fmt: str) -> None:
    """Check that the bytes are what the format claims, whatever the file name says: a ZIP
    holding a workbook for XLSX, text for CSV, parseable JSON (and GeoJSON objects)."""
    import zipfile

    check_size(path)
    if fmt == "XLSX":
        if not zipfile.is_zipfile(path):
            raise _not_what_it_claims(fmt)
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise _not_what_it_claims(fmt) from exc
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise _not_what_it_claims(fmt)
        _xlsx_archive_check(path)
        return
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith((b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"MZ", b"\x7fELF")):
        raise _not_what_it_claims(fmt)
    try:
        encoding = detect_encoding(path)
    except TabularError as exc:
        if fmt == "CSV":
            raise TabularError(_not_what_it_claims(fmt).message + " " + exc.message) from exc
        raise _not_what_it_claims(fmt) from exc
    if fmt == "CSV":
        return
    try:
        data = json.loads(path.read_text(encoding=encoding))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TabularError(
            _not_what_it_claims(fmt).message + " " + _("Lỗi JSON: %(err)s") % {"err": exc}
        ) from exc
    if fmt == "GeoJSON" and not (isinstance(data, dict) and data.get("type") in GEOJSON_TYPES):
        raise TabularError(
            _(
                'Tệp GeoJSON phải là một đối tượng có "type" là FeatureCollection, Feature hoặc '
                "một kiểu hình học."
            )
        )
