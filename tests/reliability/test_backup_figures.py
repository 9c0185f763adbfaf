"""Backup figures for the README: a 12-student demo exported and restored, and hostile
backups (SQL appended to the export's own scripts, files pointing outside the folder,
tampered manifests and Parquet files) restored, counting what restore wrote anywhere."""
import json
import os

import pytest

from lib import backup, demo
from lib.db import Database
from tests.conftest import TODAY
from tests.reliability.figures import record


def test_backup_round_trip_figure(tmp_path):
    with Database(tmp_path / "demo.duckdb") as db:
        demo.load(db, as_of=TODAY)
        manifest = backup.backup(db, tmp_path / "backup")
    result = backup.restore(tmp_path / "backup", tmp_path / "restored.duckdb")
    differences = len(result["differences"])
    record("backup round trip", tables=result["tables"], rows=result["rows"], differences=differences)
    assert differences == 0
    assert result["rows"] == sum(t["rows"] for t in manifest["tables"].values())


def _sql(folder, tmp_path):
    for name in ("load.sql", "schema.sql"):
        with (folder / name).open("a") as sql:
            sql.write(f"\nCOPY (SELECT 'x') TO '{tmp_path / 'PWNED.csv'}';\nATTACH '{tmp_path / 'x.duckdb'}';\n"
                      f"COPY (SELECT * FROM read_text('/etc/passwd')) TO '{folder / 'leak.csv'}';\n")


def _symlink(name, to):
    def tamper(folder, tmp_path):
        (folder / name).unlink()
        os.symlink(to if os.path.isabs(str(to)) else tmp_path / to, folder / name)
    return tamper


def _manifest(change):
    def tamper(folder, tmp_path):
        manifest = json.loads((folder / "manifest.json").read_text())
        change(manifest)
        (folder / "manifest.json").write_text(json.dumps(manifest))
    return tamper


def _overwrite(name, data):
    def tamper(folder, tmp_path):
        (folder / name).write_bytes(data)
    return tamper


HOSTILE = {    # name: (tamper, refused?)  -- SQL in the scripts is ignored, so that backup restores equal
    "SQL appended to load.sql and schema.sql": (_sql, False),
    "contacts.parquet a symlink to /etc/passwd": (_symlink("contacts.parquet", "/etc/passwd"), True),
    "students.parquet a symlink to a file outside": (_symlink("students.parquet", "outside.parquet"), True),
    "manifest table '../../etc/passwd'": (_manifest(lambda m: m["tables"].update({"../../etc/passwd": {"rows": 1, "checksum": "0"}})), True),
    "manifest table with a quote": (_manifest(lambda m: m["tables"].update({"x'; COPY (SELECT 1) TO '/tmp/p.csv'; --": {"rows": 1, "checksum": "0"}})), True),
    "manifest table not in the schema": (_manifest(lambda m: m["tables"].update({"duckdb_settings": {"rows": 1, "checksum": "0"}})), True),
    "manifest from a newer version": (_manifest(lambda m: m.update(migrations=m["migrations"] + ["m999_x"])), True),
    "manifest with a huge row count": (_manifest(lambda m: m["tables"]["contacts"].update(rows=10**12)), True),
    "manifest rows as text": (_manifest(lambda m: m["tables"]["contacts"].update(rows="12")), True),
    "manifest not JSON": (_overwrite("manifest.json", b"\xff\xfe{"), True),
    "manifest of 2 MB": (_overwrite("manifest.json", b" " * 2_000_000 + b"{}"), True),
    "contacts.parquet truncated": (lambda f, t: (f / "contacts.parquet").write_bytes((f / "contacts.parquet").read_bytes()[:300]), True),
    "contacts.parquet a CSV": (_overwrite("contacts.parquet", b"id,name\n1,x\n"), True),
    "contacts.parquet missing": (lambda f, t: (f / "contacts.parquet").unlink(), True),
}


def test_hostile_backups_figure(tmp_path):
    with Database(tmp_path / "demo.duckdb") as db:
        demo.load(db, students=3, as_of=TODAY)
    with Database(tmp_path / "x" / "other.duckdb") as db:     # a Parquet file outside the backups
        db.df("SELECT 1")
    import duckdb
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT 1 AS id) TO '{tmp_path / 'outside.parquet'}' (FORMAT parquet)")
    tried = refused = restored_equal = outside_writes = targets_left = tracebacks = 0
    for i, (name, (tamper, should_refuse)) in enumerate(HOSTILE.items()):
        folder = tmp_path / f"backup-{i}"
        with Database(tmp_path / "demo.duckdb", extra_dirs=(tmp_path,)) as db:
            backup.backup(db, folder)
        tamper(folder, tmp_path)
        before = set(tmp_path.rglob("*"))
        target = tmp_path / "targets" / f"restored-{i}.duckdb"
        tried += 1
        try:
            result = backup.restore(folder, target)
        except ValueError as exc:
            refused += 1
            assert str(exc), name
        except Exception as exc:                       # noqa: BLE001 - counted, then failed
            tracebacks += 1
            pytest.fail(f"{name}: {exc!r}")
        else:
            assert not should_refuse or result["differences"], name
            if result["differences"]:
                refused += 1
            else:
                restored_equal += 1
        after = set(tmp_path.rglob("*")) - {target, target.parent}
        outside_writes += len(after - before)
        targets_left += target.exists() and should_refuse
        assert not (tmp_path / "PWNED.csv").exists() and not (tmp_path / "x.duckdb").exists(), name
    record("hostile backups restored", tried=tried, refused_with_a_message=refused,
           ignored_sql_and_restored_equal=restored_equal, files_written_outside_the_target=outside_writes,
           target_files_left_after_a_refusal=targets_left, tracebacks=tracebacks)
    assert outside_writes == 0 and targets_left == 0 and tracebacks == 0
    assert refused == sum(r for _, r in HOSTILE.values())
