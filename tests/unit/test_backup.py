"""Backup, restore and check: a round trip gives equal row counts and checksums, nothing is
overwritten, and orphan rows are reported."""
import json
import subprocess
import sys

import pytest

from lib import backup, demo, migrations
from lib.db import Database, new_id
from tests.conftest import ROOT, TODAY


@pytest.fixture
def demo_file(tmp_path):
    path = tmp_path / "demo.duckdb"
    with Database(path) as db:
        demo.load(db, students=4, as_of=TODAY)
    return path


def cli(*args):
    return subprocess.run([sys.executable, "-m", "lib", *args], capture_output=True, text=True, cwd=ROOT)


def test_round_trip_is_equal_table_by_table(demo_file, tmp_path):
    with Database(demo_file) as db:
        manifest = backup.backup(db, tmp_path / "backup")
        before = backup.fingerprints(db.cursor())
    assert manifest["schema_version"] == migrations.LATEST
    assert manifest["tables"]["contacts"]["rows"] > 50
    result = backup.restore(tmp_path / "backup", tmp_path / "restored.duckdb")
    assert result["differences"] == [] and result["tables"] == len(before)
    with Database(tmp_path / "restored.duckdb") as restored:          # opens, migrates nothing, checks clean
        assert backup.fingerprints(restored.cursor()) == before
        assert backup.check(restored)["ok"]
        assert restored.scalar("SELECT business_days(DATE '2026-11-20', DATE '2026-11-23')") == 1   # macros too


def test_refusals(demo_file, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with Database(demo_file) as db:
        with pytest.raises(ValueError, match="not empty"):
            backup.backup(db, tmp_path / "full")
    with pytest.raises(ValueError, match="not a Coffee Chat Coach backup"):
        backup.restore(tmp_path / "full", tmp_path / "new.duckdb")
    with Database(demo_file) as db:
        backup.backup(db, tmp_path / "good")
    with pytest.raises(ValueError, match="already exists"):
        backup.restore(tmp_path / "good", demo_file)


def test_check_reports_orphans(demo_file):
    with Database(demo_file) as db:
        with db.write() as cur:     # a touch pointing at a contact that is gone
            cur.execute("INSERT INTO touches (id, student_id, contact_id, kind, happened_at, created_at) "
                        "SELECT ?, id, ?, 'update', now(), now() FROM students LIMIT 1", [new_id(), new_id()])
        report = backup.check(db)
    assert not report["ok"] and report["orphans"] == {"touches with a missing contact": 1}


def test_cli_backup_restore_check(demo_file, tmp_path):
    out = tmp_path / "b"
    assert cli("backup", "--out", str(out), "--db", str(demo_file)).returncode == 0
    restored = cli("restore", str(out), "--db", str(tmp_path / "r.duckdb"))
    assert restored.returncode == 0 and "0 differences" in restored.stdout
    checked = cli("check", "--db", str(tmp_path / "r.duckdb"), "--json")
    assert checked.returncode == 0 and json.loads(checked.stdout)["ok"] is True
    again = cli("restore", str(out), "--db", str(tmp_path / "r.duckdb"))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_a_moved_backup_still_restores(demo_file, tmp_path):
    import shutil
    with Database(demo_file) as db:
        backup.backup(db, tmp_path / "made-here")
    shutil.move(str(tmp_path / "made-here"), str(tmp_path / "moved-there"))
    result = backup.restore(tmp_path / "moved-there", tmp_path / "restored.duckdb")
    assert result["differences"] == [] and result["rows"] > 100
