"""The backup round-trip figure for the README: a 12-student demo, exported and restored."""
from lib import backup, demo
from lib.db import Database
from tests.conftest import TODAY
from tests.reliability.figures import record


def test_backup_round_trip_figure(tmp_path):
    with Database(tmp_path / "demo.duckdb") as db:
        demo.load(db, as_of=TODAY)
        manifest = backup.backup(db, tmp_path / "backup")
    result = backup.restore(tmp_path / "backup", tmp_path / "restored.duckdb")
    assert result["differences"] == []
    record("backup round trip", tables=result["tables"], rows=result["rows"], differences=0)
    assert result["rows"] == sum(t["rows"] for t in manifest["tables"].values())
