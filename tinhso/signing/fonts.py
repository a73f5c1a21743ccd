"""The stamp font: DejaVu Sans reduced to Latin + Vietnamese and rescaled to 1000 units
per em. pyHanko's OpenType embedding writes glyph widths in font units, which only renders
right for 1000-unit fonts (DejaVu uses 2048: the letters would be spread apart), so the
font is converted once and cached under ``VAR_DIR/cache``."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

from django.conf import settings

from tinhso.pdf import FONT_DIR

logger = logging.getLogger(__name__)
_lock = threading.Lock()
SOURCE = FONT_DIR / "DejaVuSans.ttf"
UNICODES = [
    *range(0x20, 0x250),  # Latin, Latin-1, Latin Extended-A/B
    *range(0x300, 0x370),  # combining diacritics
    *range(0x1E00, 0x1F00),  # Latin Extended Additional (Vietnamese)
    *range(0x2000, 0x2070),  # punctuation
    0x20AB,  # ₫
]


def stamp_font_path() -> Path:
    cache = Path(getattr(settings, "VAR_DIR", tempfile.gettempdir())) / "cache"
    target = cache / "DejaVuSans-vi-upem1000.ttf"
    if target.exists():
        return target
    with _lock:
        if target.exists():
            return target
        from fontTools import subset
        from fontTools.ttLib import TTFont
        from fontTools.ttLib.scaleUpem import scale_upem

        font = TTFont(str(SOURCE))
        options = subset.Options()
        options.layout_features = ["*"]
        options.hinting = False
        options.name_IDs = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=UNICODES)
        # fontTools logs a harmless notice about the FFTM table
        logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
        subsetter.subset(font)
        scale_upem(font, 1000)
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache, suffix=".ttf")
        os.close(fd)
        font.save(tmp)
        os.replace(tmp, target)
    return target
