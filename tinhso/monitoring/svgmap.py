"""A server-side SVG map of the districts, coloured by an index (no JavaScript needed).

Boundaries: ``fixtures/binh-duong-districts.json``, a simplified copy of the demo's
district polygons (see its ``source``)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

FIXTURE = Path(__file__).parent / "fixtures" / "binh-duong-districts.json"
WIDTH = 480

# Five classes, light to dark (CSS classes in monitoring.css, colour-blind safe blues).
BANDS = [
    (Decimal("0.8"), "map-b5", "≥ 0,80"),
    (Decimal("0.7"), "map-b4", "0,70 – 0,80"),
    (Decimal("0.6"), "map-b3", "0,60 – 0,70"),
    (Decimal("0.5"), "map-b2", "0,50 – 0,60"),
    (Decimal("0"), "map-b1", "< 0,50"),
]


@cache
def _boundaries() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def band_of(score: Decimal | None) -> str:
    if score is None:
        return "map-none"
    for lo, css, _label in BANDS:
        if score >= lo:
            return css
    return "map-b1"


def district_map_svg(*, scores: Mapping[str, Decimal | None], title: str) -> SafeString:
    """``scores``: district code → score (0–1) or None. Each district has a <title>."""
    doc = _boundaries()
    x0, y0, x1, y1 = doc["bbox"]
    kx = math.cos(math.radians((y0 + y1) / 2))
    scale = WIDTH / ((x1 - x0) * kx)
    height = round((y1 - y0) * scale)

    def pt(lon: float, lat: float) -> str:
        return f"{(lon - x0) * kx * scale:.1f},{(y1 - lat) * scale:.1f}"

    paths = []
    for d in doc["districts"]:
        score = scores.get(d["code"])
        d_attr = " ".join(
            "M" + " L".join(pt(lon, lat) for lon, lat in ring) + " Z" for ring in d["polygons"]
        )
        label = (
            f"{d['name']}: {str(score.quantize(Decimal('0.01'))).replace('.', ',')}"
            if score is not None
            else _("%(district)s: chưa có số liệu") % {"district": d["name"]}
        )
        paths.append((band_of(score), d_attr, label))
    body = format_html_join(
        "", '<path class="map-district {}" d="{}"><title lang="vi">{}</title></path>', paths
    )
    return format_html(
        '<svg class="district-map" viewBox="0 0 {} {}" role="img" aria-labelledby="map-title" '
        'xmlns="http://www.w3.org/2000/svg"><title id="map-title">{}</title>{}</svg>',
        WIDTH,
        height,
        title,
        body,
    )


def legend() -> list[tuple[str, str]]:
    return [(css, label) for _lo, css, label in BANDS] + [("map-none", _("chưa có số liệu"))]
