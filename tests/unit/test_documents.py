"""Documents people can file: the prep sheet and the session report as PDF (fpdf2 and a Unicode
font) and as HTML from autoescaping Jinja2 templates. Each PDF is read back with pdftotext and
rendered to PNG with pdftoppm (Debian's poppler-utils, installed by `make test`) under
build/pdf/, for a person to look at."""
import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from lib import coaching, documents, prep
from lib.students import create_student, update_profile
from tests.conftest import ROOT, TODAY
from tests.factories import agreed_conversation

OUT = ROOT / "build" / "pdf"
NAME = "Анна Петрова-Σοφία"          # Cyrillic and Greek in one name
HOSTILE = "<b>bold</b> & <script>alert(1)</script> {{ 7*7 }}"


def _poppler() -> None:
    if shutil.which("pdftotext") and shutil.which("pdftoppm"):
        return
    message = "poppler-utils is missing: install it with `sudo apt-get install poppler-utils` (make test does, as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _font() -> None:
    if documents.pdf_available():
        return
    message = f"no Unicode font for PDFs: install {documents.FONT_PACKAGE} (make test does, as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def read_back(pdf: bytes, name: str) -> tuple[str, int, list[Path]]:
    """(text, pages, PNGs) of a PDF, the PNGs kept under build/pdf/ to look at."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    for old in OUT.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(OUT / name)], check=True)
    pngs = sorted(OUT.glob(f"{name}-*.png"))
    return text, len(pngs), pngs


@pytest.fixture
def sheet(db, now):
    _font()
    sid = create_student(db, NAME, pitch="I study history.\nI hope to work in museums.")
    update_profile(db, sid, NAME, pitch="I study history.\nI hope to work in museums.", thank_you_hours=48)
    iid, _ = agreed_conversation(db, sid, "Zoë Ñúñez 李", datetime(2026, 11, 27, 10), organisation="Musée d'Orsay")
    prep.save_plan(db, sid, iid, "understand", HOSTILE, None)
    bank = prep.question_bank(db, sid, TODAY)
    prep.add_from_bank(db, sid, iid, bank[bank["category"] == "day_to_day"]["id"].tolist()[:4], {}, now)
    prep.add_question(db, sid, "Как вы начали? " + HOSTILE, "career_path", "insights", 2.0, now, interview_id=iid)
    return db, sid, iid


def test_prep_sheet_pdf_reads_back_with_every_script(sheet):
    _poppler()
    db, sid, iid = sheet
    data = prep.sheet(db, sid, iid)
    pdf = prep.sheet_pdf(data)
    assert pdf.startswith(b"%PDF-")
    text, pages, pngs = read_back(pdf, "prep-sheet")
    assert pages == 1 and all(p.stat().st_size > 5000 for p in pngs)
    flat = " ".join(text.split())
    assert "Conversation with Zoë Ñúñez" in flat and "Musée d'Orsay" in flat
    if any(Path(f).is_file() for f in documents.FALLBACK_FONTS):
        assert "Zoë Ñúñez 李" in flat                                     # Chinese from the fallback font
    assert "Как вы начали?" in flat                                        # Cyrillic, as typed
    assert "<b>bold</b> & <script>alert(1)</script> {{ 7*7 }}" in flat     # markup is text, not markup
    assert "I study history." in flat and "I hope to work in museums." in flat
    assert "Thank them within 48 hours" in flat                            # the student's own window


def test_session_report_pdf_reads_back(db, now):
    _font()
    _poppler()
    sid = create_student(db, NAME)
    agreed_conversation(db, sid, "Carla Diaz", datetime(2026, 11, 19, 10), held=True)
    coaching.record_session(db, sid, TODAY, "Jo Park", "Agreed: two alumni a week.\n" + HOSTILE, "shared",
                            [{"text": "Email two alumni", "due_on": None}], TODAY, now)
    text, pages, _ = read_back(coaching.session_report_pdf(db, sid, TODAY, now), "session-report")
    flat = " ".join(text.split())
    assert pages >= 1 and f"Session report: {NAME}" in flat
    assert f"Where {NAME} may be stuck" in flat and "coach Jo Park" in flat
    assert "Email two alumni (by 27 Nov)" in flat and HOSTILE in flat
    assert "Requests sent" in flat and "Warm and cold through the method" in flat


def test_html_documents_come_from_autoescaping_templates(sheet):
    db, sid, iid = sheet
    html = prep.sheet_html(prep.sheet(db, sid, iid))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html                       # user text is never a template
    assert "<title>Prep sheet: Zoë Ñúñez 李</title>" in html
    assert documents._env.autoescape("x.html") and documents._env.autoescape("x.pdf.html")


def test_a_missing_font_is_said_plainly(monkeypatch):
    monkeypatch.setattr(documents, "FONT_DIRS", ("/nonexistent",))
    assert not documents.pdf_available()
    with pytest.raises(documents.FontMissing, match="fonts-dejavu-core"):
        documents.html_to_pdf("<p>x</p>", "x")


@pytest.mark.parametrize("typed, written", [
    ("Dr. Anna-Marie O'Neil (UK) Ltd.", "Dr. Anna-Marie O'Neil (UK) Ltd."),     # nothing to escape: as typed
    ("# not a heading", "\\# not a heading"), ("1. not a list", "1\\. not a list"), ("- no bullet", "\\- no bullet"),
    ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"), ("*a* _b_ <i>", "\\*a\\* \\_b\\_ \\<i\\>"),
    ("&amp;", "\\&amp;")])
def test_the_markdown_file_escapes_only_what_would_become_markup(typed, written):
    from lib.markdown import md_escape
    assert md_escape(typed, minimal=True) == written
