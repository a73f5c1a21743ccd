"""Update the English catalogue and compile it (``make messages``).

makemessages needs GNU gettext's xgettext (development only); compiling uses polib, so the
committed .mo files need nothing but Python at run time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Django's own texts that Django's vi catalogue lacks (maintained by hand, compiled only)
PO_VI = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def main() -> None:
    if "--compile-only" not in sys.argv:
        env = {**os.environ, "TINHSO_DEMO": "1"}
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "en",
                "--no-location",
                "--ignore=.venv/*",
                "--ignore=var/*",
                "--ignore=bench/*",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.msgstr and not e.msgid_plural and not e.obsolete]
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    print(f"compiled {PO.with_suffix('.mo').relative_to(ROOT)}; untranslated: {len(missing)}")
    for msgid in missing:
        print("  ", msgid[:100])
    polib.pofile(str(PO_VI)).save_as_mofile(str(PO_VI.with_suffix(".mo")))
    print(f"compiled {PO_VI.with_suffix('.mo').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
