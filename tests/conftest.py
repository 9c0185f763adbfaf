"""Shared fixtures. Every test runs on its own temp database at a frozen date, so nothing
ever touches data/coffeechat.duckdb and figures don't move with the calendar."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lib import clock
from lib.db import Database

TODAY = date(2026, 11, 20)  # a Friday
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    monkeypatch.setenv("COFFEECHAT_DB", str(tmp_path / "coffeechat.duckdb"))
    monkeypatch.delenv("COFFEECHAT_DEMO_DB", raising=False)
    monkeypatch.setenv("COFFEECHAT_TODAY", TODAY.isoformat())
    return tmp_path


@pytest.fixture
def db(tmp_path):
    with Database(tmp_path / "unit.duckdb") as database:
        yield database


@pytest.fixture
def now():
    return clock.moment_of(TODAY)


def pytest_sessionstart(session):
    (ROOT / "build" / "reliability.json").unlink(missing_ok=True)     # only this run's figures are printed


def pytest_terminal_summary(terminalreporter):
    """Print the reliability figures this run measured (tests/reliability/figures.py)."""
    import json
    path = ROOT / "build" / "reliability.json"
    if not path.exists():
        return
    terminalreporter.section("reliability figures")
    for name, values in json.loads(path.read_text()).items():
        terminalreporter.write_line(f"{name}: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in values.items()))
