"""Compile the message catalogues (locale/*/LC_MESSAGES/*.po → .mo) in pure Python (polib).

``make install`` runs it, and so do CI and the Dockerfile, so a fresh machine needs no GNU
gettext: ``python -m oncology_portal.catalogues``. Fuzzy entries are left out of the compiled
catalogue (and tests/test_i18n.py fails on them).
"""

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogues(locale_dir=LOCALE_DIR):
    """Write a .mo beside every .po; return the paths written."""
    written = []
    for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def main():
    written = compile_catalogues()
    if not written:
        sys.stderr.write(f"No catalogues found under {LOCALE_DIR}\n")
        return 1
    for path in written:
        print(f"compiled {path.relative_to(LOCALE_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
