"""The formal notice document (通报) as DOCX (python-docx) and PDF (WeasyPrint), in Chinese.

Layout after the 党政机关公文格式 (GB/T 9704-2012) in spirit: issuing authority in red, document number
``{prefix}〔{year}〕{n}号``, title, addressees, text, a table of the findings, deadline, signature and date.
Fonts: PDFs need a CJK font on the server (Debian/Ubuntu: ``apt-get install fonts-noto-cjk``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edupulse.monitoring.checks import Severity
from edupulse.monitoring.models import Notice, NoticeItem
from edupulse.utilities.officialdoc import OfficialDocx

# WeasyPrint reports every rendering step at INFO; keep the server log for what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Row:
    number: int
    unit: str
    site: str
    url: str
    problem: str
    severity: str
    first_seen: str
    summary: str


@dataclass(frozen=True)
class NoticeDocument:
    authority: str
    number: str
    title: str
    addressees: str
    body: list[str]
    rows: list[Row]
    deadline: str
    signature: str
    date: str
    #: (（一）, problem, what the units must do) once per kind of problem in the table, in table order (整改要求).
    requirements: list[tuple[str, str, str]]


def _cn_date(value: object) -> str:
    return f"{value.year}年{value.month}月{value.day}日"  # type: ignore[attr-defined]


def _cn_ordinal(number: int) -> str:
    """（一）（二）… as official documents number their points (Arabic numerals past ten)."""
    names = "一二三四五六七八九十"
    return f"（{names[number - 1] if number <= len(names) else number}）"


def document_for(notice: Notice, items: Iterable[NoticeItem] | None = None) -> NoticeDocument:
    """The notice's document; ``items`` limits the table to some items (a unit's copy lists only its own)."""
    with translation.override("zh-hans"):
        region = notice.region
        authority = f"{region.full_name() if region else ''}{_('education bureau')}"
        if items is None:
            items = notice.items.select_related("finding", "website", "school", "owner_region").order_by("pk")
        items = list(items)
        rows = [Row(number=i, unit=item.website.owner_name, site=item.website.name, url=item.website.url,
                    problem=str(item.finding.get_check_name_display()),
                    severity=str(Severity(item.finding.severity).label),
                    first_seen=_cn_date(timezone.localtime(item.finding.first_seen)),
                    summary=item.finding.description)
                for i, item in enumerate(items, start=1)]
        advice = {str(item.finding.get_check_name_display()): item.finding.advice for item in items}
        requirements = [(_cn_ordinal(number), problem, text)
                        for number, (problem, text) in enumerate(advice.items(), start=1)]
        units = sorted({r.unit for r in rows})
        body = [p.strip() for p in (notice.body or "").split("\n") if p.strip()] or [
            _("In recent cybersecurity monitoring of education websites and systems, the problems listed below "
              "were found. The units concerned are asked to rectify them at once, submit a rectification report "
              "on the platform, and take this as an occasion to strengthen their cybersecurity responsibility.")]
        issued = timezone.localtime(notice.issued_at) if notice.issued_at else timezone.localtime()
        return NoticeDocument(
            authority=authority, number=notice.number or _("(number assigned on issue)"), title=notice.title,
            addressees="、".join(units) + "：" if units else "", body=body, rows=rows,
            deadline=_cn_date(notice.deadline), signature=authority, date=_cn_date(issued),
            requirements=requirements)


def build_docx(notice: Notice, items: Iterable[NoticeItem] | None = None) -> bytes:
    doc = document_for(notice, items)
    with translation.override("zh-hans"):
        out = OfficialDocx()
        out.heading(doc.authority, doc.number, doc.title, doc.addressees)
        for text in doc.body:
            out.body(text)
        headers = [_("No."), _("Unit"), _("Website"), _("Problem"), _("Severity"), _("First seen"), _("Details")]
        out.table(headers, [[str(row.number), row.unit, f"{row.site}\n{row.url}", row.problem, row.severity,
                             row.first_seen, row.summary] for row in doc.rows])
        if doc.requirements:
            out.paragraph(_("Rectification required"), bold=True)
            for ordinal, problem, text in doc.requirements:
                out.body(f"{ordinal}{problem}：{text}")
        out.body(_("Please complete the rectification and submit the report before %(deadline)s.")
                 % {"deadline": doc.deadline})
        out.signature(doc.signature, doc.date)
        return out.bytes()


def build_pdf(notice: Notice, items: Iterable[NoticeItem] | None = None) -> bytes:
    from weasyprint import HTML  # heavy: about 0.5 s to import, only for a PDF download

    with translation.override("zh-hans"):
        html = render_to_string("monitoring/notice_document.html", {"doc": document_for(notice, items)})
    result: bytes = HTML(string=html).write_pdf()
    return result
