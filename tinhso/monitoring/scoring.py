"""Scoring rules of a methodology component (pure arithmetic, no database).

- ``ratio``: ``clamp(value / of) × max`` (``of`` defaults to 1; 100 for a percentage).
- ``steps``: the points of the first step whose threshold the value reaches
  (``{"steps": [[4, 20], [3, 15], [2, 10]]}``); ``"lower": true`` for lower-is-better.
- ``best``: ``value / best value in the cohort × max`` (older DTI methods).
- ``minmax``: ``clamp((value − lo) / (hi − lo)) × max`` with fixed bounds (EU DESI);
  ``"invert": true`` when lower is better.

A missing value scores 0 points (and is reported as "no data").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")


def _d(x: Any) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(str(x))


def _clamp(x: Decimal) -> Decimal:
    return max(ZERO, min(ONE, x))


def points_round(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def score_component(
    *,
    rule: str,
    value: Decimal | None,
    max_points: Decimal,
    params: Mapping[str, Any] | None = None,
    best: Decimal | None = None,
) -> Decimal:
    """Points of one component, rounded to 0.01."""
    params = params or {}
    max_points = _d(max_points)
    if value is None:
        return ZERO.quantize(CENT)
    value = _d(value)
    if rule == "ratio":
        of = _d(params.get("of", 1))
        if of <= 0:
            raise ValueError("ratio: 'of' must be positive")
        share = _clamp(value / of)
        if params.get("invert"):
            share = ONE - share
        return points_round(share * max_points)
    if rule == "steps":
        steps = [(_d(t), _d(p)) for t, p in params.get("steps", [])]
        if params.get("lower"):
            for threshold, pts in sorted(steps):
                if value <= threshold:
                    return points_round(min(pts, max_points))
            return ZERO.quantize(CENT)
        for threshold, pts in sorted(steps, reverse=True):
            if value >= threshold:
                return points_round(min(pts, max_points))
        return ZERO.quantize(CENT)
    if rule == "best":
        if best is None or best <= 0:
            return ZERO.quantize(CENT)
        return points_round(_clamp(value / _d(best)) * max_points)
    if rule == "minmax":
        lo, hi = _d(params["lo"]), _d(params["hi"])
        if hi <= lo:
            raise ValueError("minmax: 'hi' must be greater than 'lo'")
        share = _clamp((value - lo) / (hi - lo))
        if params.get("invert"):
            share = ONE - share
        return points_round(share * max_points)
    raise ValueError(f"unknown rule {rule!r}")


def cohort_best(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [_d(v) for v in values if v is not None]
    return max(present) if present else None


def score_total(points: Iterable[Decimal], *, max_points: Decimal) -> tuple[Decimal, Decimal]:
    """Sum aggregation: (total points, score on the 0–1 scale to 4 decimals)."""
    total = sum((_d(p) for p in points), ZERO)
    scale = (total / _d(max_points)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return points_round(total), scale
