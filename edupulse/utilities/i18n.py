"""Compile every ``django.po`` under the package to ``django.mo`` without GNU gettext.

Fresh machines may lack ``msgfmt``; polib does the same job in pure Python. The compiled files are
committed, and a test fails when one is older than its ``.po``.

    python -m edupulse.utilities.i18n          # compile
    python -m edupulse.utilities.i18n --check  # exit 1 if any .mo is missing or stale
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def catalogues() -> list[Path]:
    return sorted(PACKAGE_DIR.glob("**/locale/*/LC_MESSAGES/django.po"))


def stale(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    if not mo.exists():
        return True
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(mo))}
    source = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
              for e in polib.pofile(str(po)) if e.translated() and not e.obsolete}
    return compiled != source


def compile_all() -> list[Path]:
    written = []
    for po in catalogues():
        catalogue = polib.pofile(str(po))
        catalogue.save_as_mofile(str(po.with_suffix(".mo")))
        written.append(po)
    return written


def main(argv: list[str]) -> int:
    if "--check" in argv:
        bad = [p for p in catalogues() if stale(p)]
        for p in bad:
            print(f"stale or missing .mo: {p}")
        return 1 if bad else 0
    for po in compile_all():
        print(f"compiled {po.relative_to(PACKAGE_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
