"""Documents people can file: the prep sheet and the session report, as print-ready HTML and
as PDF, each rendered from a Jinja2 template with autoescaping (user text is data: it can't
become markup in either). The PDF is the same content rendered by fpdf2's HTML subset, with a
Unicode TrueType font (Debian's fonts-dejavu-core), so names in any script the font covers
(Latin, Greek, Cyrillic, ...) print as typed.
"""
from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_DIRS = (os.environ.get("COFFEECHAT_FONT_DIR", ""), "/usr/share/fonts/truetype/dejavu",
             "/usr/share/fonts/dejavu", "/Library/Fonts", str(Path.home() / ".fonts"))
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
              "BI": "DejaVuSans-BoldOblique.ttf"}
FONT_PACKAGE = "fonts-dejavu-core"
# Scripts DejaVu lacks (Chinese, Japanese, Korean) come from a fallback font when one is
# installed (Debian's fonts-droid-fallback; make test installs it); otherwise they are left out.
FALLBACK_FONTS = ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
                  "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf")

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"], default=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


class FontMissing(RuntimeError):
    """No Unicode font for the PDF: install Debian's fonts-dejavu-core."""


def render(template: str, **data) -> str:
    """A template rendered with autoescaping (every value is text unless a template says otherwise)."""
    return _env.get_template(template).render(**data)


def font_dir() -> Path | None:
    for folder in FONT_DIRS:
        if folder and all((Path(folder) / name).is_file() for name in FONT_FILES.values()):
            return Path(folder)
    return None


def pdf_available() -> bool:
    return font_dir() is not None


def html_to_pdf(html: str, title: str) -> bytes:
    """An A4 PDF from the fpdf2 HTML subset (headings, paragraphs, lists, tables, bold)."""
    from fpdf import FPDF
    folder = font_dir()
    if folder is None:
        raise FontMissing(f"No Unicode font for PDFs: install Debian's {FONT_PACKAGE} (DejaVu Sans).")
    pdf = FPDF(format="A4")
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(True, margin=14)
    for style, name in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(folder / name))
    fallback = next((f for f in FALLBACK_FONTS if Path(f).is_file()), None)
    if fallback:
        pdf.add_font("Fallback", "", fallback)
        pdf.add_font("Fallback", "B", fallback)
        pdf.set_fallback_fonts(["Fallback"], exact_match=False)
    pdf.set_title(title)
    pdf.set_creator("Coffee Chat Coach")
    pdf.add_page()
    pdf.set_font("DejaVu", size=10.5)
    pdf.write_html(html, font_family="DejaVu", tag_styles=_tag_styles(), li_prefix_color=(85, 85, 85))
    return bytes(pdf.output())


def _tag_styles() -> dict:
    from fpdf.fonts import FontFace, TextStyle
    blue = (0, 114, 178)
    return {"h1": TextStyle(font_family="DejaVu", font_style="B", font_size_pt=17, color=(34, 34, 34),
                            t_margin=0, b_margin=2),
            "h2": TextStyle(font_family="DejaVu", font_style="B", font_size_pt=12.5, color=blue, t_margin=4,
                            b_margin=1),
            "h3": TextStyle(font_family="DejaVu", font_style="B", font_size_pt=10.5, color=(85, 85, 85),
                            t_margin=2, b_margin=0)}


# --- the prep sheet -----------------------------------------------------------------------------

def prep_sheet_html(data: dict) -> str:
    return render("prep_sheet.html", d=data)


def prep_sheet_pdf(data: dict) -> bytes:
    return html_to_pdf(render("prep_sheet.pdf.html", d=data), f"Prep sheet: {data['contact']}")


# --- the session report -----------------------------------------------------------------------

def session_report_html(data: dict) -> str:
    return render("session_report.html", d=data)


def session_report_pdf(data: dict) -> bytes:
    return html_to_pdf(render("session_report.pdf.html", d=data), f"Session report: {data['student']}")


# --- the field brief (what the people in one field said) ------------------------------------------

def field_brief_html(brief: dict, student: str, today) -> str:
    return render("field_brief.html", b=brief, student=student, today=today)


def field_brief_pdf(brief: dict, student: str, today) -> bytes:
    return html_to_pdf(render("field_brief.body.html", b=brief, student=student, today=today),
                       f"{brief['field']}: what people told me")
