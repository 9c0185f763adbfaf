"""Moving a whole database between DuckDB and PostgreSQL, and backups of a PostgreSQL database:
every table arrives with the same row count and checksum, and a refused copy leaves nothing."""
import subprocess
import sys

import pytest

from lib import backup, metrics, transfer
from lib.db import Database
from tests.conftest import ROOT, TODAY


def cli(*args):
    return subprocess.run([sys.executable, "-m", "lib", *args], capture_output=True, text=True, cwd=ROOT)


def _empty_database(postgres_url):
    """postgres_url is a migrated copy of the template: a copy needs an empty one beside it."""
    import psycopg
    base, name = postgres_url.rsplit("/", 1)
    empty = f"{name}_empty"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{empty}"')
    return f"{base}/{empty}"


def test_duckdb_to_postgresql_and_back_is_equal_table_by_table(demo_file, postgres_url, tmp_path):
    server = _empty_database(postgres_url)
    with Database(demo_file) as source:
        before = backup.fingerprints(source)
        figures = metrics.summary(source, None, TODAY)
    result = cli("copy", "--from", str(demo_file), "--to", server)
    assert result.returncode == 0, result.stderr
    assert f"copied {len(before)} tables" in result.stdout and "match the source" in result.stdout
    with Database(server) as copied:                      # opens without migrating anything more
        assert copied.backend == "postgresql"
        assert backup.fingerprints(copied) == before
        assert metrics.summary(copied, None, TODAY) == figures     # the same figures from the server
        assert backup.check(copied)["ok"]
    back = tmp_path / "back.duckdb"
    assert transfer.copy(server, back)["tables"] == len(before)
    with Database(back) as returned:
        assert backup.fingerprints(returned) == before


def test_a_copy_is_refused_onto_a_database_that_holds_data_and_leaves_nothing(demo_file, postgres_url, tmp_path):
    result = cli("copy", "--from", str(demo_file), "--to", postgres_url)       # the template's tables are there
    assert result.returncode == 2 and "copy into an empty database" in result.stderr
    result = cli("copy", "--from", str(demo_file), "--to", str(demo_file))
    assert result.returncode == 2 and "the same database" in result.stderr
    result = cli("copy", "--from", str(tmp_path / "nowhere.duckdb"), "--to", str(tmp_path / "x.duckdb"))
    assert result.returncode == 2 and "no database at" in result.stderr
    assert not (tmp_path / "x.duckdb").exists() and not (tmp_path / "nowhere.duckdb").exists()


def test_an_unequal_copy_rolls_back_whole(demo_file, postgres_url, monkeypatch):
    server = _empty_database(postgres_url)
    real = transfer.fingerprints
    calls = []

    def one_row_short(cur):
        found = real(cur)
        calls.append(1)
        if len(calls) == 2:                                # the destination's: pretend a row went missing
            found["contacts"] = {**found["contacts"], "rows": found["contacts"]["rows"] - 1}
        return found
    monkeypatch.setattr(transfer, "fingerprints", one_row_short)
    with Database(demo_file) as source, pytest.raises(transfer.CopyMismatch, match="contacts"):
        transfer.copy_from(source, server)
    monkeypatch.undo()
    with Database(server, migrate=False) as target:
        assert target.tables() == []                       # schema and rows rolled back together


def test_backup_and_restore_on_postgresql_with_the_same_manifest(demo_file, postgres_url, tmp_path):
    server = _empty_database(postgres_url)
    transfer.copy(demo_file, server)
    with Database(server) as db:
        manifest = backup.backup(db, tmp_path / "backup")
        before = backup.fingerprints(db)
    assert manifest["tables"] == before and manifest["source"] == server
    assert (tmp_path / "backup" / "contacts.parquet").is_file()
    again = _empty_database(postgres_url.rsplit("/", 1)[0] + "/again")
    result = backup.restore(tmp_path / "backup", again)
    assert result["differences"] == [] and result["tables"] == len(before)
    with Database(again) as restored:
        assert backup.fingerprints(restored) == before
    result = backup.restore(tmp_path / "backup", tmp_path / "restored.duckdb")   # and into a file
    assert result["differences"] == []
