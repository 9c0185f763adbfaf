"""Shared fixtures. Every test runs on its own temp database at a frozen date, so nothing
ever touches data/coffeechat.duckdb and figures don't move with the calendar.

The `db` fixture runs each test that takes it on both stores: a DuckDB file, and a fresh
PostgreSQL database (copied from a migrated template) on a server this test session starts
in a temp folder and stops at the end (tools/postgres.py)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import uuid

import pytest

from lib import clock
from lib.db import Database
from tools import postgres

TODAY = date(2026, 11, 20)  # a Friday
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    monkeypatch.setenv("COFFEECHAT_DB", str(tmp_path / "coffeechat.duckdb"))
    monkeypatch.delenv("COFFEECHAT_DEMO_DB", raising=False)
    monkeypatch.setenv("COFFEECHAT_TODAY", TODAY.isoformat())
    return tmp_path


BACKENDS = ("duckdb", "postgresql")
TEMPLATE = "coffeechat_template"


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the session; the migrated template every test database copies."""
    why = postgres.missing()
    if why:
        pytest.skip(f"PostgreSQL tests need the server binaries: {why}")
    with postgres.temporary_server() as url:          # its own folder under /tmp, which the postgres user can reach
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        admin = postgres.url_for(port, "postgres")
        _admin(admin, f'CREATE DATABASE "{TEMPLATE}"')
        with Database(postgres.url_for(port, TEMPLATE)):     # migrated once; each test copies it
            pass
        yield port


def _admin(url: str, sql: str) -> None:
    import psycopg
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, migrated PostgreSQL database of its own; dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = postgres.url_for(postgres_server, "postgres")
    _admin(admin, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    yield postgres.url_for(postgres_server, name)
    _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """The test's database, once on each store."""
    target = str(tmp_path / "unit.duckdb") if request.param == "duckdb" else request.getfixturevalue("postgres_url")
    with Database(target) as database:
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
