"""Every literal of a ``{% translate "…" %}`` tag is in a catalogue under the msgid the template engine asks for.

The engine looks a literal up with each ``%`` doubled (``django.template.base.Variable``), as ``makemessages``
writes it; a ``.po`` entry with a single ``%`` is never found and the page stays English.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import trans_real

PACKAGE_DIR = Path(__file__).resolve().parents[2]
TRANSLATE_TAG = re.compile(r'{%\s*(?:translate|trans)\s+"([^"]+)"(?:\s+context\s+"([^"]+)")?')


def template_literals() -> list[tuple[str, str, str | None]]:
    found = []
    for path in sorted(PACKAGE_DIR.rglob("templates/**/*.html")):
        for match in TRANSLATE_TAG.finditer(path.read_text(encoding="utf-8")):
            found.append((str(path.relative_to(PACKAGE_DIR)), match.group(1), match.group(2)))
    return found


def test_the_scan_finds_the_templates() -> None:
    assert len(template_literals()) > 200


def test_every_template_literal_has_a_chinese_entry() -> None:
    with translation.override("zh-hans"):
        catalogue = trans_real.translation("zh-hans")._catalog  # type: ignore[attr-defined]
        missing = []
        for path, literal, context in template_literals():
            msgid = literal.replace("%", "%%")
            key = f"{context}\x04{msgid}" if context else msgid
            if key not in catalogue:
                missing.append(f"{path}: {literal!r}")
    assert not missing, "\n".join(missing)
