"""The report's three files: HTML with inline SVG charts, a PDF with real Chinese glyphs, a DOCX with headings
and tables that Word shows in its navigation pane."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from PIL import Image, ImageChops

from edupulse.conftest import require_service
from edupulse.core.actors import SYSTEM
from edupulse.reports.annual.generate import generate
from edupulse.reports.annual.pdf import render_pdf

CHAPTERS = ["一、总体情况", "二、基础设施", "三、资源与应用", "四、教师信息素养", "五、数据与治理", "六、网络安全",
            "附录：数据表"]
TITLE = "四川省教育信息化年度发展报告（2022年）"


def _require_poppler() -> None:
    require_service("pdftoppm", bool(shutil.which("pdftoppm") and shutil.which("pdffonts")),
                    "apt-get install poppler-utils")


def _ink(image: Image.Image) -> float:
    """Share of the pixels that are not white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return 1 - sum(histogram[245:]) / (grey.width * grey.height)


def _pages(pdf: Path, out: Path, dpi: int = 40) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / "page")], check=True)
    return [Image.open(p) for p in sorted(out.glob("page-*.png"))]


def test_html_holds_the_chapters_sentences_and_charts(province, tmp_path):
    files = generate(SYSTEM, "51", "2022", ["html"], tmp_path).files
    html = files["html"].read_text(encoding="utf-8")
    assert files["html"].name == TITLE + ".html"
    for chapter in CHAPTERS:
        assert chapter in html
    assert "全省千兆进校比例为50%（2/4），覆盖4/5所学校" in html
    assert html.count("<svg") >= 5  # the year-on-year charts and a bar chart per indicator of the prefectures


def test_docx_has_headings_tables_charts_and_chinese_fonts(province, tmp_path):
    path = generate(SYSTEM, "51", "2022", ["docx"], tmp_path).files["docx"]
    doc = Document(io.BytesIO(path.read_bytes()))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == CHAPTERS
    assert "（一）目标与进展" in [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    # The targets table of the infrastructure chapter: value, target, attained, coverage, last year, change.
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    assert ["千兆进校比例", "50%", "100%", "未达到", "4/5", "33.3%", "+16.7个百分点"] in rows
    assert ["指标", "本年数值", "目标值", "达标", "覆盖（有数据/应覆盖）", "2021年", "同比变化"] in rows
    # The appendix: each prefecture with numerator, denominator and coverage.
    assert ["成都市", "66.7%", "2", "3", "3/3", "未达到"] in rows
    assert len(doc.inline_shapes) >= 5
    fonts = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs for r in p.runs
             if r._element.rPr is not None and r._element.rPr.rFonts is not None}
    assert "宋体" in fonts


def test_pdf_pages_are_not_blank_and_embed_a_cjk_font(province, tmp_path):
    _require_poppler()
    pdf = generate(SYSTEM, "51", "2022", ["pdf"], tmp_path).files["pdf"]
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for chapter in CHAPTERS:
        assert chapter in text
    pages = _pages(pdf, tmp_path)
    assert len(pages) >= 8
    blank = [i + 1 for i, page in enumerate(pages) if _ink(page) < 0.004]
    assert not blank, f"blank pages: {blank}"


def test_chinese_glyphs_are_real_not_missing_glyph_boxes(tmp_path):
    """Tofu draws every character as the same box: two different headings would rasterise identically.
    Real glyphs differ, and each has ink."""
    _require_poppler()
    css = (Path(__file__).resolve().parents[1] / "templates/reports/annual/report.css").read_text(encoding="utf-8")
    images = []
    for n, heading in enumerate(("总体情况", "网络安全")):
        html = f"<html><head><style>{css}</style></head><body><h2 style='font-size:40pt'>{heading}</h2></body></html>"
        pdf = tmp_path / f"{n}.pdf"
        pdf.write_bytes(render_pdf(html))
        out = tmp_path / str(n)
        out.mkdir()
        images.append(_pages(pdf, out, dpi=60)[0].convert("L"))
    assert all(_ink(image) > 0.002 for image in images)
    assert ImageChops.difference(images[0], images[1]).getbbox() is not None
