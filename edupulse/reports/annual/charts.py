"""Charts of the annual report as SVG strings, drawn on the server.

Two kinds: a horizontal bar chart of the children on one indicator with the target as a dashed line, and a
year-on-year chart (last year's and this year's bar per indicator of a chapter). The same SVG is inlined in
the HTML and the PDF and, converted to PNG by :func:`png`, placed in the DOCX. Horizontal bars keep the
Chinese region and indicator names readable without rotating them. Text is drawn in Noto Sans CJK SC
(Debian's fonts-noto-cjk) so that the PNG conversion, which has no browser fallback, still finds the glyphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

FONT = "Noto Sans CJK SC"
FONT_SIZE = 12
WIDTH = 640
ROW = 22
DENSE_ROW = 17  # bar height when a chart has many bars
DENSE_AFTER = 10
TOP = 34
BOTTOM = 26
RIGHT = 56
COLOURS = {"attained": "#2f6fb5", "missed": "#e08a2c", "neutral": "#7f9cc0", "previous": "#b9c7d8", "target": "#c0392b"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    attained: bool | None = None


@dataclass(frozen=True)
class Pair:
    """One indicator in the year-on-year chart."""

    label: str
    previous: float | None
    current: float | None
    target: float | None = None


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Width of ``text`` in the CJK font: full-width characters are one em, the rest about half of one."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.55 for ch in text)


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = FONT_SIZE, fill: str = "#222",
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}">{escape(text)}</text>')


def _scale_max(values: Sequence[float | None], unit: str) -> float:
    known = [v for v in values if v is not None]
    if unit == "%":
        return 100.0
    top = max(known, default=1.0) or 1.0
    return top * 1.1


def _axis(left: float, right: float, bottom: float, maximum: float, unit: str) -> list[str]:
    parts = [f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#888" stroke-width="1"/>']
    for i in range(6):
        value = maximum * i / 5
        x = left + (right - left) * i / 5
        parts.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" stroke="#888"/>')
        parts.append(_text(x, bottom + 16, _fmt(round(value, 1)) + unit, anchor="middle", size=10, fill="#555"))
    return parts


def _svg(height: float, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="{FONT}, sans-serif" role="img" '
            f'aria-label="{escape(title, {chr(34): "&quot;"})}">'
            f'<rect width="{WIDTH}" height="{height:.0f}" fill="#fff"/>'
            + _text(WIDTH / 2, 20, title, anchor="middle", size=14, weight="bold") + "".join(body) + "</svg>")


def bar_chart(bars: Sequence[Bar], *, title: str, unit: str = "%", target: float | None = None) -> str:
    """Children on one indicator, one horizontal bar each, with the target as a dashed vertical line."""
    label_width = max((text_width(b.label) for b in bars), default=40) + 12
    left, right = label_width, WIDTH - RIGHT
    row = ROW if len(bars) <= DENSE_AFTER else DENSE_ROW  # 21 prefectures fit half an A4 page
    height = TOP + row * max(len(bars), 1) + BOTTOM + 8
    bottom = TOP + row * max(len(bars), 1) + 4
    maximum = _scale_max([b.value for b in bars] + [target], unit)
    span = right - left
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = TOP + i * row
        body.append(_text(left - 6, y + row / 2 + 4, bar.label, anchor="end"))
        if bar.value is None:
            body.append(_text(left + 4, y + row / 2 + 4, _("no data"), fill="#999", size=11))
            continue
        width = max(span * min(bar.value, maximum) / maximum, 0.5)
        colour = COLOURS["neutral" if bar.attained is None else "attained" if bar.attained else "missed"]
        body.append(f'<rect x="{left}" y="{y + 2}" width="{width:.1f}" height="{row - 4}" fill="{colour}"/>')
        body.append(_text(left + width + 4, y + row / 2 + 4, _fmt(bar.value) + unit, size=11))
    body += _axis(left, right, bottom, maximum, unit)
    if target is not None:
        x = left + span * min(target, maximum) / maximum
        body.append(f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{bottom}" stroke="{COLOURS["target"]}" '
                    f'stroke-width="1.5" stroke-dasharray="5,3"/>')
        body.append(_text(x, TOP - 7, _("target %(value)s") % {"value": _fmt(target) + unit}, anchor="middle",
                          size=10, fill=COLOURS["target"]))
    return _svg(height, body, title)


def year_on_year_chart(pairs: Sequence[Pair], *, title: str, previous_label: str, current_label: str,
                       unit: str = "%") -> str:
    """Last year's and this year's value per indicator, with each indicator's target as a short red mark."""
    label_width = max((text_width(p.label) for p in pairs), default=40) + 12
    left, right = label_width, WIDTH - RIGHT
    group = ROW * 2
    top = TOP + 18  # room for the legend
    bottom = top + group * max(len(pairs), 1) + 4
    height = bottom + BOTTOM + 4
    maximum = _scale_max([v for p in pairs for v in (p.previous, p.current, p.target)], unit)
    span = right - left
    body = [f'<rect x="{left}" y="{TOP - 6}" width="12" height="10" fill="{COLOURS["previous"]}"/>',
            _text(left + 16, TOP + 3, previous_label, size=11),
            f'<rect x="{left + 90}" y="{TOP - 6}" width="12" height="10" fill="{COLOURS["attained"]}"/>',
            _text(left + 106, TOP + 3, current_label, size=11)]
    for i, pair in enumerate(pairs):
        y = top + i * group
        body.append(_text(left - 6, y + group / 2 + 4, pair.label, anchor="end"))
        for j, (value, colour) in enumerate(((pair.previous, COLOURS["previous"]), (pair.current, COLOURS["attained"]))):
            bar_y = y + 3 + j * (ROW - 4)
            if value is None:
                body.append(_text(left + 4, bar_y + ROW / 2, _("no data"), fill="#999", size=10))
                continue
            width = max(span * min(value, maximum) / maximum, 0.5)
            body.append(f'<rect x="{left}" y="{bar_y}" width="{width:.1f}" height="{ROW - 6}" fill="{colour}"/>')
            body.append(_text(left + width + 4, bar_y + ROW / 2 + 1, _fmt(value) + unit, size=10))
        if pair.target is not None:
            x = left + span * min(pair.target, maximum) / maximum
            body.append(f'<line x1="{x:.1f}" y1="{y + 1}" x2="{x:.1f}" y2="{y + group - 3}" '
                        f'stroke="{COLOURS["target"]}" stroke-width="2"/>')
    body += _axis(left, right, bottom, maximum, unit)
    body.append(_text(right, TOP + 3, _("red mark: target"), anchor="end", size=10, fill=COLOURS["target"]))
    return _svg(height, body, title)


def png(svg: str, scale: float = 2.0) -> bytes:
    """The chart as PNG (for the DOCX: python-docx takes no SVG), via cairosvg on the system's libcairo."""
    # heavy: cairosvg loads libcairo through cffi; only the DOCX needs it.
    import cairosvg  # type: ignore[import-untyped]

    data: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    return data
