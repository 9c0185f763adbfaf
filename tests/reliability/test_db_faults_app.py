"""Database faults in the app: a damaged file, a folder given as the database, a file from
a newer schema. The app stays up with a banner saying what is wrong and what to do (not
the error page); a newer file is shown read-only and a write is refused with a message."""
import pytest
from streamlit.testing.v1 import AppTest

from lib.db import Database
from lib.students import create_student
from tests.reliability.figures import record
from tests.reliability.test_db_faults import damaged_variants, make_newer

APP = str(__import__("pathlib").Path(__file__).resolve().parents[2] / "app.py")
SEEN = {"faults_tried": 0, "banners": 0, "error_pages": 0}


def run_app(monkeypatch, path) -> AppTest:
    monkeypatch.setenv("COFFEECHAT_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    SEEN["faults_tried"] += 1
    SEEN["error_pages"] += bool(at.exception)
    return at


@pytest.mark.parametrize("variant", ["truncated to half", "a text file", "header overwritten"])
def test_a_damaged_file_shows_a_banner_not_the_error_page(tmp_path, monkeypatch, variant):
    path = damaged_variants(tmp_path / "d")[variant]
    at = run_app(monkeypatch, path)
    assert not at.exception, at.exception
    banner = " ".join(e.value for e in at.error)
    assert "damaged" in banner and "restore" in banner and "in use" not in banner
    SEEN["banners"] += 1


def test_a_folder_as_the_database_shows_a_banner(tmp_path, monkeypatch):
    at = run_app(monkeypatch, tmp_path)
    assert not at.exception, at.exception
    assert "is a folder" in " ".join(e.value for e in at.error)
    SEEN["banners"] += 1


def test_a_newer_schema_is_shown_read_only_with_a_banner(tmp_path, monkeypatch):
    path = make_newer(tmp_path / "newer.duckdb")
    at = run_app(monkeypatch, path)
    assert not at.exception, at.exception
    assert "newer version" in " ".join(w.value for w in at.warning)
    SEEN["banners"] += 1


def test_zz_record_the_app_fault_figures():
    record("database faults (app)", **SEEN)
    assert SEEN["error_pages"] == 0
