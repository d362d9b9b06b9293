"""A work plan's metadata: title, issuer (发文机关), document number (文号) and date (成文日期)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from edupulse.plans.deadlines import explicit_years
from edupulse.plans.numbering import chinese_number
from edupulse.plans.text import Passage

_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}\s{0,2}[〔\[【(]\s{0,2}(?:19|20)\d{2}\s{0,2}[〕\]】)]\s{0,2}\d{1,4}\s{0,2}号")
_CN_DIGIT = "[〇零○一二三四五六七八九]"
_DATE_LINE = re.compile(
    r"^\s*(?:(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    rf"|(?P<cy>{_CN_DIGIT}{{4}})年(?P<cm>[一二三四五六七八九十]{{1,3}})月(?P<cd>[一二三四五六七八九十]{{1,3}})日)\s*$"
)
_DATE_FIELD = re.compile(r"(?:成文日期|发文日期|生成日期|发布日期|印发日期)\s*:\s*((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})")
_ISSUER_FIELD = re.compile(r"(?:发布机构|发文机关|发文单位)\s*:\s*([^\s:]{2,30})")
_ORG_SUFFIX = re.compile(r"(?:局|厅|委|办公室|委员会|工委|政府|中心|馆|院|学校|大学|学院|部|处|科)$")
_TITLE_WORD = re.compile(r"要点|计划|方案|规划|意见|安排|任务分解")
_NOT_TITLE = re.compile(r"[。,:;!?]|>>|通知$")


@dataclass(frozen=True)
class Metadata:
    title: str | None
    issuer: str | None
    doc_number: str | None
    date: str | None
    year: int | None  # the plan's year, for deadlines such as "年底前"


def is_date_line(norm_line: str) -> bool:
    return bool(_DATE_LINE.match(norm_line))


def is_org_line(norm_line: str) -> bool:
    """A signature line: short, no sentence punctuation, every part an organisation name."""
    parts = norm_line.split()
    return (0 < len(norm_line.strip()) <= 60 and not _NOT_TITLE.search(norm_line)
            and all(_ORG_SUFFIX.search(part) for part in parts))


def line_date(norm_line: str) -> str | None:
    match = _DATE_LINE.match(norm_line)
    if not match:
        return None
    try:
        if match.group("y"):
            day = dt.date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        else:
            year = int("".join(str(int(chinese_number(c))) for c in match.group("cy").replace("○", "〇")))
            day = dt.date(year, int(chinese_number(match.group("cm"))), int(chinese_number(match.group("cd"))))
    except ValueError:
        return None
    return day.isoformat()


def read_metadata(lines: list[Passage], body_start: int, body_norm: str) -> Metadata:
    """Metadata from the lines of a plan (blank lines dropped); ``body_start`` is the first section's line."""
    norm = "\n".join(line.norm for line in lines)
    original = "\n".join(line.original for line in lines)
    number = _DOC_NUMBER.search(norm)
    title = _title(lines, body_start)
    date, issuer = _date_and_issuer(lines)
    if date is None:
        field = _DATE_FIELD.search(norm)
        if field:
            try:
                date = dt.date(*(int(g) for g in field.groups())).isoformat()
            except ValueError:
                date = None
    if issuer is None:
        issuer = _issuer_before_title(lines, body_start, title)
    if issuer is None:
        field_issuer = _ISSUER_FIELD.search(norm)
        issuer = original[field_issuer.start(1):field_issuer.end(1)] if field_issuer else None
    return Metadata(
        title=title,
        issuer=issuer,
        doc_number=original[number.start():number.end()] if number else None,
        date=date,
        year=_year(date, title, body_norm),
    )


def _title(lines: list[Passage], body_start: int) -> str | None:
    """The last title-like line before the body: names a kind of plan, no sentence punctuation."""
    for line in reversed(lines[:body_start]):
        text = line.norm.strip()
        if 4 <= len(text) <= 60 and _TITLE_WORD.search(text) and not _NOT_TITLE.search(text):
            return line.original.strip()
    return None


def _date_and_issuer(lines: list[Passage]) -> tuple[str | None, str | None]:
    """The first date standing on its own line, and the signature lines just above it."""
    for index, line in enumerate(lines):
        date = line_date(line.norm)
        if date is None:
            continue
        names: list[str] = []
        for above in reversed(lines[max(0, index - 3):index]):
            if not is_org_line(above.norm):
                break
            names.insert(0, " ".join(above.original.split()))
        return date, " ".join(names) or None
    return None, None


def _issuer_before_title(lines: list[Passage], body_start: int, title: str | None) -> str | None:
    for index, line in enumerate(lines[:body_start]):
        if title is not None and line.original.strip() == title:
            if index > 0 and is_org_line(lines[index - 1].norm):
                return " ".join(lines[index - 1].original.split())
            return None
    return None


def _year(date: str | None, title: str | None, body_norm: str) -> int | None:
    """The plan's year: its date's, else its title's, else the year most of its explicit deadlines name."""
    if date:
        return int(date[:4])
    if title:
        found = re.search(r"((?:19|20)\d{2})\s*年", title)
        if found:
            return int(found.group(1))
    years = Counter(explicit_years(body_norm))
    return years.most_common(1)[0][0] if years else None
