"""Database faults, explained: a damaged or truncated file, a file from a newer schema, a
folder or an over-long path given as the database, a read-only file or folder, a full disk.
Each gets one line saying what is wrong and what to do; the CLI never shows a traceback; a
newer or read-only file is opened read-only and never written; "in use by another process"
appears only when another process holds the file."""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from lib import __main__ as cli
from lib.db import DamagedDatabase, Database, DatabaseFault, DiskFull, ReadOnlyDatabase
from lib.students import create_student
from tests.conftest import ROOT
from tests.reliability.figures import record

TALLY = {"inputs_tried": 0, "refused_with_a_message": 0, "opened_read_only": 0, "tracebacks": 0,
         "files_changed": 0, "wrongly_said_in_use": 0}


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """The CLI in-process; an exception escaping main() is a traceback a person would see."""
    try:
        code = cli.main(list(argv))
    except BaseException as exc:                  # noqa: BLE001 - counted, then failed
        TALLY["tracebacks"] += 1
        raise AssertionError(f"traceback from {argv}: {exc!r}") from exc
    out, err = capsys.readouterr()
    if "Traceback" in out + err:
        TALLY["tracebacks"] += 1
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def good_file(path: Path) -> Path:
    with Database(path) as db:
        create_student(db, "Ada Lovelace")
    return path


def damaged_variants(folder: Path) -> dict[str, Path]:
    """Ways a database file gets broken: cut short by a copy, overwritten, or not one at all."""
    folder.mkdir(parents=True, exist_ok=True)
    original = good_file(folder / "original.duckdb")
    data = original.read_bytes()
    variants = {
        "truncated to half": data[: len(data) // 2],
        "truncated to 100 bytes": data[:100],
        "truncated to the header": data[:4096],
        "empty file": b"",
        "header overwritten": os.urandom(512) + data[512:],
        "block zeroed": data[:4096] + b"\0" * 4096 + data[8192:],
        "a text file": b"name,email\nAda,ada@example.org\n" * 50,
        "a zip file": b"PK\x03\x04" + os.urandom(2000),
    }
    paths = {}
    for i, (name, content) in enumerate(variants.items()):
        path = folder / f"damaged-{i}.duckdb"
        path.write_bytes(content)
        paths[name] = path
    return paths


COMMANDS = [("init",), ("stats",), ("students",), ("students", "--add", "New Person"), ("check",),
            ("export", "--student", "Ada Lovelace", "--format", "csv", "--out", "-")]


def test_damaged_files_get_a_message_and_no_traceback(tmp_path, capsys):
    for name, path in damaged_variants(tmp_path / "damaged").items():
        before = digest(path)
        with pytest.raises(DatabaseFault) as caught:
            Database(path)
        assert isinstance(caught.value, DamagedDatabase), (name, caught.value)
        for command in COMMANDS:
            TALLY["inputs_tried"] += 1
            code, out, err = run_cli(capsys, *command, "--db", str(path))
            assert code != 0, (name, command, out)
            assert "damaged" in err and "restore" in err, (name, command, err)
            TALLY["wrongly_said_in_use"] += "in use" in err
            TALLY["refused_with_a_message"] += 1
            assert len(err.strip().splitlines()) == 1, err
        TALLY["files_changed"] += digest(path) != before
        assert digest(path) == before, name


def test_init_on_a_damaged_file_exits_non_zero_in_a_real_process(tmp_path):
    path = damaged_variants(tmp_path)["truncated to half"]
    result = subprocess.run([sys.executable, "-m", "lib", "init", "--db", str(path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: database") and "damaged" in result.stderr
    assert "in use" not in result.stderr


def test_a_folder_or_an_over_long_path_is_named(tmp_path, capsys):
    cases = {
        "a folder": (tmp_path, "is a folder"),
        "a long file name": (tmp_path / ("x" * 300 + ".duckdb"), "too long"),
        "a long path": (tmp_path.joinpath(*["y" * 200] * 25, "a.duckdb"), "too long"),
        "a file as the folder": (tmp_path / "plain.txt" / "db.duckdb", "folder"),
    }
    (tmp_path / "plain.txt").write_text("x")
    for name, (path, expected) in cases.items():
        with pytest.raises(DatabaseFault, match=expected):
            Database(path)
        for command in COMMANDS:
            TALLY["inputs_tried"] += 1
            code, out, err = run_cli(capsys, *command, "--db", str(path))
            assert code == 2, (name, command, out, err)
            assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
            TALLY["refused_with_a_message"] += 1
            TALLY["wrongly_said_in_use"] += "in use" in err


def make_newer(path: Path) -> Path:
    with Database(path) as db:
        create_student(db, "Ada Lovelace")
        with db.write() as cur:
            cur.execute("INSERT INTO schema_migrations SELECT max(version) + 1, 'm999_from_the_future', now() "
                        "FROM schema_migrations")
    return path


def test_a_newer_schema_is_read_only_in_the_cli_and_never_written(tmp_path, capsys):
    path = make_newer(tmp_path / "newer.duckdb")
    before = digest(path)
    expectations = {                       # command: exit code (reads work, writes are refused)
        ("init",): 2, ("stats",): 0, ("students",): 0, ("students", "--add", "New Person"): 2, ("check",): 1,
        ("export", "--student", "Ada Lovelace", "--format", "csv", "--out", "-"): 0,
    }
    for command, expected in expectations.items():
        TALLY["inputs_tried"] += 1
        code, out, err = run_cli(capsys, *command, "--db", str(path))
        assert code == expected, (command, out, err)
        assert "newer version" in err and "m999_from_the_future" in err, (command, err)
        TALLY["refused_with_a_message" if expected else "opened_read_only"] += 1
        TALLY["wrongly_said_in_use"] += "in use" in err
    TALLY["inputs_tried"] += 1                                   # a backup only reads: it works
    code, out, err = run_cli(capsys, "backup", "--out", str(tmp_path / "b"), "--db", str(path))
    assert code == 0 and "newer version" in err, (out, err)
    TALLY["opened_read_only"] += 1
    TALLY["files_changed"] += digest(path) != before
    assert digest(path) == before


@contextlib.contextmanager
def small_disk(size: str):
    """A tmpfs of `size` (root only): a real 'No space left on device', a real read-only
    file system. Skips where it can't be mounted."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root (the disk-full and read-only tests run as root, "
                    "as `make test` does in CI)")
    mount = Path("/tmp") / f"coffeechat-fault-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
        mount.rmdir()


def remount_read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True, capture_output=True)


def test_a_read_only_file_system_opens_read_only_and_refuses_writes(capsys):
    with small_disk("16m") as mount:
        path = good_file(mount / "coffeechat.duckdb")
        remount_read_only(mount)
        with Database(path) as db:
            assert db.read_only and "read-only" in db.read_only_reason
            assert db.rows("SELECT name FROM students") == [("Ada Lovelace",)]
            with pytest.raises(ReadOnlyDatabase, match="read-only"):
                create_student(db, "Not Saved")
        for command, expected in {("init",): 0, ("stats",): 0, ("students", "--add", "New Person"): 2}.items():
            TALLY["inputs_tried"] += 1
            code, out, err = run_cli(capsys, *command, "--db", str(path))
            assert code == expected and "read-only" in err, (command, out, err)
            TALLY["refused_with_a_message" if expected else "opened_read_only"] += 1
            TALLY["wrongly_said_in_use"] += "in use" in err
        TALLY["inputs_tried"] += 1                      # a new file in a read-only folder
        code, out, err = run_cli(capsys, "init", "--db", str(mount / "new.duckdb"))
        assert code == 2 and "read-only" in err and not (mount / "new.duckdb").exists(), err
        TALLY["refused_with_a_message"] += 1


def test_an_old_read_only_file_that_needs_upgrading_is_refused(monkeypatch, capsys):
    from lib import migrations
    with small_disk("16m") as mount:
        monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
        good_file(mount / "old.duckdb")
        monkeypatch.undo()
        remount_read_only(mount)
        TALLY["inputs_tried"] += 1
        code, out, err = run_cli(capsys, "stats", "--db", str(mount / "old.duckdb"))
        assert code == 2 and "needs upgrading" in err and "writable" in err, err
        TALLY["refused_with_a_message"] += 1


def test_a_full_disk_refuses_the_write_and_keeps_what_was_saved(tmp_path, capsys):
    from lib import linkedin
    with small_disk("8m") as mount:
        path = good_file(mount / "coffeechat.duckdb")
        filler = mount / "filler"
        with filler.open("wb") as out:                 # fill the disk to the last block
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
        rows = "".join(f"Person{i},Example{i},https://www.linkedin.com/in/p{i},,Org {i},Role {i},06 Dec 2023\n"
                       for i in range(20000))
        csv = tmp_path / "Connections.csv"
        csv.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n" + rows)
        TALLY["inputs_tried"] += 1
        code, out, err = run_cli(capsys, "import-linkedin", "--student", "Ada Lovelace", str(csv), "--db", str(path))
        assert code == 2 and "disk" in err and "full" in err, (out, err)
        TALLY["refused_with_a_message"] += 1
        with Database(path) as db:                 # the file still opens; nothing of the import was kept
            assert db.scalar("SELECT count(*) FROM contacts") == 0
            with pytest.raises(DiskFull):
                linkedin.commit(db, db.scalar("SELECT CAST(id AS VARCHAR) FROM students"),
                                linkedin.parse(csv.read_bytes()), filename="c.csv", now=datetime(2026, 11, 20))
        filler.unlink()                            # space again: the same file takes a smaller import
        small = tmp_path / "Small.csv"
        small.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
                         + "".join(rows.splitlines(keepends=True)[:200]))
        code, out, err = run_cli(capsys, "import-linkedin", "--student", "Ada Lovelace", str(small), "--db", str(path))
        assert code == 0 and "added 200 new contacts" in out, err


def test_in_use_is_said_only_when_another_process_holds_the_file(tmp_path):
    path = good_file(tmp_path / "held.duckdb")
    holder = subprocess.Popen([sys.executable, "-c", "import sys, duckdb; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); sys.stdin.read()", str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = subprocess.run([sys.executable, "-m", "lib", "stats", "--db", str(path)],
                                capture_output=True, text=True, cwd=ROOT)
        TALLY["inputs_tried"] += 1
        assert result.returncode == 2 and f"in use by process {holder.pid}" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        TALLY["refused_with_a_message"] += 1
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


def test_zz_record_the_database_fault_figures():
    assert TALLY["inputs_tried"] > 0 and TALLY["tracebacks"] == 0 and TALLY["wrongly_said_in_use"] == 0
    record("database faults (CLI)", **TALLY)
