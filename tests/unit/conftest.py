"""Fixtures the unit tests of whole databases share (backups, copies)."""
import pytest

from lib import demo
from lib.db import Database
from tests.conftest import TODAY


@pytest.fixture
def demo_file(tmp_path):
    """A DuckDB file holding a small demo cohort (4 students) as of the tests' date."""
    path = tmp_path / "demo.duckdb"
    with Database(path) as db:
        demo.load(db, students=4, as_of=TODAY)
    return path
