"""The monitoring app's reference data, shipped as JSON files in this folder:

- ``indicators.json``: the indicator catalogue with the baselines and targets set by law and
  plans (each with its source);
- ``methodologies.json``: the scoring methodologies with their main indicators and criteria.

``reference_load`` reads and checks them (the whole file or nothing); the monitoring service
``reference_install`` writes them (``manage.py install_reference_data``). The demo's own
invented indicators stay in ``tinhso.monitoring.demo`` and go through the same installer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from tinhso.monitoring.models import (
    Component,
    Indicator,
    Methodology,
    PeriodType,
    Pillar,
)

REFERENCE_DIR = Path(__file__).resolve().parent
INDICATORS_FILE = REFERENCE_DIR / "indicators.json"
METHODOLOGIES_FILE = REFERENCE_DIR / "methodologies.json"

Comparator = Literal[">=", ">", "<=", "<", "="]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]+$", max_length=40)]
Text255 = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class ReferenceDataError(Exception):
    """A reference file that cannot be installed; nothing of it was written."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique(items: Iterable[Any], what: str) -> None:
    seen: set[Any] = set()
    for item in items:
        if item in seen:
            raise ValueError(f"{what} {item!r} appears twice")
        seen.add(item)


class TargetSpec(_Spec):
    year: int = Field(ge=2000, le=2100)
    value: Decimal = Field(ge=0, lt=Decimal(10) ** 12)
    comparator: Comparator = ">="
    source: Text255


class BaselineSpec(_Spec):
    year: int = Field(ge=2000, le=2100)
    value: Decimal = Field(ge=0, lt=Decimal(10) ** 12)
    source: Text255


class IndicatorSpec(_Spec):
    code: Code
    order: int | None = Field(default=None, ge=0, le=32767)
    name: Text255
    name_en: str = Field(default="", max_length=255)
    description: str = ""
    pillar: Pillar
    unit: Indicator.Unit
    direction: Indicator.Direction = Indicator.Direction.HIGHER
    method: Indicator.Method
    scope: Indicator.Scope = Indicator.Scope.UNIT
    computation: str = Field(default="", max_length=40)
    numerator_label: str = Field(default="", max_length=255)
    denominator_label: str = Field(default="", max_length=255)
    period_type: PeriodType
    jump_threshold: Decimal | None = Field(default=None, ge=0, lt=Decimal(10) ** 6)
    legal_source: Text255
    # "units": every department and district of the province reports; or unit codes
    responsible: Literal["units"] | list[str] | None = None
    baseline: BaselineSpec | None = None
    targets: list[TargetSpec] = []
    # each department and district gets the province's targets as its own
    cascade: bool = False

    @model_validator(mode="after")
    def _check(self) -> IndicatorSpec:
        _unique((t.year for t in self.targets), "target year")
        if self.method == Indicator.Method.COMPUTED and not self.computation:
            raise ValueError("a computed indicator needs its computation")
        if self.unit == Indicator.Unit.PERCENT:
            for t in self.targets:
                if t.value > 100:
                    raise ValueError(f"target {t.year}: a percentage is at most 100")
        return self


class IndicatorCatalogue(_Spec):
    province: Code  # the code of the province unit the targets belong to
    indicators: list[IndicatorSpec]

    @model_validator(mode="after")
    def _check(self) -> IndicatorCatalogue:
        _unique((i.code for i in self.indicators), "indicator")
        return self


class ComponentSpec(_Spec):
    code: str = Field(min_length=1, max_length=20)
    name: Text255
    max_points: Decimal = Field(ge=0, lt=Decimal(10) ** 6)
    rule: Component.Rule
    params: dict[str, Any] = {}
    metric: str = Field(default="", max_length=60)
    indicator: str = Field(default="", max_length=40)  # an indicator's code, if scored on one
    basis: Component.Basis | Literal[""] = ""
    definition: str = ""
    source: str = Field(default="", max_length=255)
    evidence: str | None = Field(default=None, max_length=255)
    verifier: str | None = Field(default=None, max_length=255)


class MainIndicatorSpec(_Spec):
    code: str = Field(min_length=1, max_length=20)
    name: Text255
    pillar: Pillar | Literal[""] = ""
    max_points: Decimal = Field(ge=0, lt=Decimal(10) ** 6)
    components: list[ComponentSpec] = []

    @model_validator(mode="after")
    def _check(self) -> MainIndicatorSpec:
        _unique((c.code for c in self.components), "component")
        return self


class MethodologySpec(_Spec):
    code: Code
    name: Text255
    legal_source: str = Field(default="", max_length=255)
    subjects: Methodology.Subjects
    max_points: Decimal = Field(gt=0, lt=Decimal(10) ** 6)
    status: Methodology.Status = Methodology.Status.ACTIVE
    note: str = ""
    mains: list[MainIndicatorSpec] = []

    @model_validator(mode="after")
    def _check(self) -> MethodologySpec:
        _unique((m.code for m in self.mains), "main indicator")
        return self


class MethodologyCatalogue(_Spec):
    methodologies: list[MethodologySpec]

    @model_validator(mode="after")
    def _check(self) -> MethodologyCatalogue:
        _unique((m.code for m in self.methodologies), "methodology")
        return self


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReferenceDataError(f"Không đọc được tệp {path}: {exc.strerror or exc}.") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReferenceDataError(f"Tệp {path} không phải JSON hợp lệ (UTF-8): {exc}.") from exc


def _refused(path: Path, exc: ValidationError) -> ReferenceDataError:
    lines = []
    for err in exc.errors(include_url=False):
        where = " → ".join(str(p) for p in err["loc"]) or "(tệp)"
        lines.append(f"  {where}: {err['msg']}")
    return ReferenceDataError(
        f"Tệp {path.name} không hợp lệ, không cài đặt gì từ các tệp dữ liệu tham chiếu:\n"
        + "\n".join(lines)
    )


def indicators_parse(data: Any, *, path: Path = INDICATORS_FILE) -> IndicatorCatalogue:
    try:
        return IndicatorCatalogue.model_validate(data)
    except ValidationError as exc:
        raise _refused(path, exc) from exc


def methodologies_parse(data: Any, *, path: Path = METHODOLOGIES_FILE) -> MethodologyCatalogue:
    try:
        return MethodologyCatalogue.model_validate(data)
    except ValidationError as exc:
        raise _refused(path, exc) from exc


def indicators_load(path: Path = INDICATORS_FILE) -> IndicatorCatalogue:
    return indicators_parse(_read(path), path=path)


def methodologies_load(path: Path = METHODOLOGIES_FILE) -> MethodologyCatalogue:
    return methodologies_parse(_read(path), path=path)


def reference_load(
    *, indicators: Path = INDICATORS_FILE, methodologies: Path = METHODOLOGIES_FILE
) -> tuple[IndicatorCatalogue, MethodologyCatalogue]:
    """Both files, read and checked; ``ReferenceDataError`` (naming each wrong field) if either
    is malformed, so that nothing is installed from a half-valid set."""
    return indicators_load(indicators), methodologies_load(methodologies)
