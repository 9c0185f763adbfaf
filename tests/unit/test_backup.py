"""Backup, restore and check: a round trip gives equal row counts and checksums, nothing is
overwritten, and orphan rows are reported."""
import json
import subprocess
import sys

import pytest

from lib import backup, migrations
from lib.db import Database, new_id
from tests.conftest import ROOT


def cli(*args):
    return subprocess.run([sys.executable, "-m", "lib", *args], capture_output=True, text=True, cwd=ROOT)


def test_round_trip_is_equal_table_by_table(demo_file, tmp_path):
    with Database(demo_file) as db:
        manifest = backup.backup(db, tmp_path / "backup")
        before = backup.fingerprints(db)
    assert manifest["schema_version"] == migrations.LATEST
    assert manifest["tables"]["contacts"]["rows"] > 50
    result = backup.restore(tmp_path / "backup", tmp_path / "restored.duckdb")
    assert result["differences"] == [] and result["tables"] == len(before)
    with Database(tmp_path / "restored.duckdb") as restored:          # opens, migrates nothing, checks clean
        assert backup.fingerprints(restored) == before
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


# --- a backup is untrusted input (issue 16 item 1) --------------------------------------------

def made_backup(demo_file, folder):
    with Database(demo_file) as db:
        backup.backup(db, folder)
    return folder


def every_file(root):
    return {p for p in root.rglob("*")}


def test_restore_never_runs_sql_from_the_backup(demo_file, tmp_path):
    folder = made_backup(demo_file, tmp_path / "b")
    pwned, other = tmp_path / "PWNED.csv", tmp_path / "other.duckdb"
    for name in ("load.sql", "schema.sql"):
        with (folder / name).open("a") as sql:
            sql.write(f"\nCOPY (SELECT 'x') TO '{pwned}';\nATTACH '{other}' AS other;\n"
                      f"CREATE TABLE other.t AS SELECT 1;\nINSTALL httpfs;\n")
    before = every_file(tmp_path)
    result = backup.restore(folder, tmp_path / "restored.duckdb")
    assert result["differences"] == []
    assert every_file(tmp_path) - before == {tmp_path / "restored.duckdb"}     # nothing else was written
    assert not pwned.exists() and not other.exists()


def test_restore_without_the_sql_files_at_all(demo_file, tmp_path):
    folder = made_backup(demo_file, tmp_path / "b")
    (folder / "load.sql").unlink()
    (folder / "schema.sql").unlink()
    result = backup.restore(folder, tmp_path / "restored.duckdb")
    assert result["differences"] == [] and result["rows"] > 100


def test_a_folder_name_with_an_apostrophe_restores(demo_file, tmp_path):
    folder = made_backup(demo_file, tmp_path / "O'Brien's backup")
    result = backup.restore(folder, tmp_path / "it's restored.duckdb")
    assert result["differences"] == [] and result["rows"] > 100


@pytest.mark.parametrize("tamper,message", [
    ("symlink out", "outside the backup folder"),
    ("missing file", "no contacts.parquet"),
    ("truncated file", "contacts.parquet"),
    ("not parquet", "contacts.parquet"),
    ("unknown table", "not a table"),
    ("table name with a path", "not a table"),
    ("table name with a quote", "not a table"),
    ("newer migrations", "newer version"),
    ("manifest not json", "manifest.json"),
    ("manifest not an object", "manifest.json"),
    ("rows not a number", "manifest.json"),
])
def test_a_tampered_backup_is_refused_and_leaves_no_target(demo_file, tmp_path, tamper, message):
    import os
    folder = made_backup(demo_file, tmp_path / "b")
    manifest = json.loads((folder / "manifest.json").read_text())
    outside = tmp_path / "outside.parquet"
    if tamper == "symlink out":
        (folder / "contacts.parquet").rename(outside)
        os.symlink(outside, folder / "contacts.parquet")
    elif tamper == "missing file":
        (folder / "contacts.parquet").unlink()
    elif tamper == "truncated file":
        data = (folder / "contacts.parquet").read_bytes()
        (folder / "contacts.parquet").write_bytes(data[: len(data) // 2])
    elif tamper == "not parquet":
        (folder / "contacts.parquet").write_text("id,name\n1,x\n")
    elif tamper == "unknown table":
        manifest["tables"]["secrets"] = {"rows": 1, "checksum": "1"}
    elif tamper == "table name with a path":
        manifest["tables"]["../../etc/passwd"] = {"rows": 1, "checksum": "1"}
    elif tamper == "table name with a quote":
        manifest["tables"]["contacts' ; DROP TABLE students; --"] = {"rows": 1, "checksum": "1"}
    elif tamper == "newer migrations":
        manifest["migrations"] = manifest["migrations"] + ["m999_from_the_future"]
    elif tamper == "rows not a number":
        manifest["tables"]["contacts"]["rows"] = "lots"
    if tamper == "manifest not json":
        (folder / "manifest.json").write_text("{not json")
    elif tamper == "manifest not an object":
        (folder / "manifest.json").write_text("[1, 2]")
    else:
        (folder / "manifest.json").write_text(json.dumps(manifest))
    before = every_file(tmp_path)
    target = tmp_path / "restored.duckdb"
    with pytest.raises(ValueError, match=message):
        backup.restore(folder, target)
    assert every_file(tmp_path) == before                          # no target, no temp file, no .wal


def test_data_that_differs_from_the_manifest_is_reported_and_not_kept(demo_file, tmp_path):
    import duckdb
    folder = made_backup(demo_file, tmp_path / "b")
    with duckdb.connect() as con:                                  # one contact fewer than the manifest says
        con.execute(f"COPY (SELECT * FROM read_parquet('{folder / 'contacts.parquet'}') LIMIT 10) "
                    f"TO '{tmp_path / 'fewer.parquet'}' (FORMAT parquet)")
    (tmp_path / "fewer.parquet").replace(folder / "contacts.parquet")
    result = backup.restore(folder, tmp_path / "restored.duckdb")
    assert result["differences"] and result["differences"][0].startswith("contacts:")
    assert not (tmp_path / "restored.duckdb").exists()


def test_a_backup_made_before_later_migrations_restores_and_then_upgrades(tmp_path, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:3])
    with Database(tmp_path / "old.duckdb") as db:
        from lib.students import create_student
        create_student(db, "Early Student")
        manifest = backup.backup(db, tmp_path / "b")
    monkeypatch.undo()
    assert manifest["migrations"] == ["m001_schema", "m002_network", "m003_prep"]
    result = backup.restore(tmp_path / "b", tmp_path / "restored.duckdb")
    assert result["differences"] == []
    with Database(tmp_path / "restored.duckdb") as db:
        assert db.migrations() == [m.__name__ for m in migrations.MIGRATIONS]
        assert db.rows("SELECT name FROM students") == [("Early Student",)]


def test_a_manifest_from_before_migration_names_still_restores(demo_file, tmp_path):
    folder = made_backup(demo_file, tmp_path / "b")
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["migrations"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert backup.restore(folder, tmp_path / "restored.duckdb")["differences"] == []


def test_cli_restore_of_a_tampered_backup_exits_2_with_one_line(demo_file, tmp_path):
    folder = made_backup(demo_file, tmp_path / "b")
    (folder / "students.parquet").write_text("nope")
    result = cli("restore", str(folder), "--db", str(tmp_path / "r.duckdb"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "students.parquet" in result.stderr and not (tmp_path / "r.duckdb").exists()
