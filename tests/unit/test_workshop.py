"""Workshop copies are closed and deleted when idle (a session ended, or reset to a new
copy), their number is bounded, and folders left by a killed server are cleaned at the
next start (issue 16 item 8)."""
import os
import signal
import subprocess
import sys

import pytest

from lib import workshop
from lib.db import Database
from tests.conftest import ROOT, TODAY


@pytest.fixture
def room(tmp_path, monkeypatch):
    """A fresh workshop state in a private temp folder, with a clock the test moves."""
    monkeypatch.setattr(workshop.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(workshop, "_folder", None)
    monkeypatch.setattr(workshop, "_copies", {})
    monkeypatch.setattr(workshop, "_origins", {})
    clock = {"now": 1000.0}
    monkeypatch.setattr(workshop, "_clock", lambda: clock["now"])
    monkeypatch.setattr(workshop, "_sweeper_started", True)       # the test sweeps by hand
    yield clock
    for token, _ in list(workshop._copies):
        workshop.release(token)


def session_files():
    return sorted(p.name for p in workshop._workspace().glob("session-*"))


def open_copy(token: str) -> Database:
    """What the UI does on every run: ask for the session's copy, then open it (cached)."""
    path = workshop.session_copy(token, 0, TODAY)
    return Database(path, origin=workshop.origin_of(path))


def test_an_idle_copy_is_closed_and_deleted(room):
    db = open_copy("a")
    open_copy("b")
    assert len(session_files()) == 2
    room["now"] += workshop.idle_seconds() - 1
    workshop.session_copy("b", 0, TODAY)              # b is still in use
    assert workshop.sweep() == 0
    room["now"] += 2                                   # a has been idle past the timeout
    assert workshop.sweep() == 1
    assert session_files() == [f for f in session_files() if "-b-" in f] and len(session_files()) == 1
    with pytest.raises(Exception):
        db.scalar("SELECT 1")                          # its connection is closed


def test_a_session_that_comes_back_after_its_copy_expired_gets_a_new_one(room):
    first = workshop.session_copy("a", 0, TODAY)
    room["now"] += workshop.idle_seconds() + 1
    workshop.sweep()
    again = workshop.session_copy("a", 0, TODAY)
    assert again != first and again.exists() and not first.exists()
    assert workshop.expired("a")


def test_release_closes_and_deletes_at_once(room):
    db = open_copy("a")
    path = workshop.session_copy("a", 0, TODAY)
    workshop.release("a")
    assert not path.exists() and not path.with_name(path.name + ".wal").exists()
    with pytest.raises(Exception):
        db.scalar("SELECT 1")


def test_the_number_of_copies_is_bounded(room, monkeypatch):
    monkeypatch.setenv(workshop.MAX_COPIES_ENV, "3")
    for i in range(6):
        open_copy(f"s{i}")
        room["now"] += 1
    assert len(session_files()) == 3 and workshop.live_copies() == 3
    assert {f.split("-")[1] for f in session_files()} == {"s3", "s4", "s5"}       # the least recently used went


def test_folders_of_a_killed_server_are_removed_at_start(tmp_path, monkeypatch):
    monkeypatch.setattr(workshop.tempfile, "tempdir", str(tmp_path))
    code = ("import os, signal, tempfile, sys\ntempfile.tempdir = sys.argv[1]\nfrom lib import workshop\n"
            "folder = workshop._workspace()\n(folder / 'session-x-0.duckdb').write_bytes(b'x' * 1000)\n"
            "print(folder, flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == -signal.SIGKILL
    left = tmp_path / os.path.basename(result.stdout.strip())
    assert left.exists()                                               # SIGKILL: no atexit
    alive = tmp_path / "coffeechat-workshop-alive"                     # another running server's folder
    alive.mkdir()
    (alive / workshop.OWNER_FILE).write_text(str(os.getppid()))
    unknown = tmp_path / "coffeechat-workshop-unknown"                 # no owner recorded, recent: kept
    unknown.mkdir()
    monkeypatch.setattr(workshop, "_folder", None)
    assert workshop.clean_stale_workspaces() == [left]
    assert not left.exists() and alive.exists() and unknown.exists()
    monkeypatch.setattr(workshop, "_copies", {})
    folder = workshop._workspace()                                     # a start cleans too
    assert folder.exists() and (folder / workshop.OWNER_FILE).read_text() == str(os.getpid())


def test_a_reset_to_a_new_generation_leaves_the_old_copy_to_expire(room):
    old = workshop.session_copy("a", 0, TODAY)
    new = workshop.session_copy("a", 1, TODAY)
    assert old != new and old.exists() and new.exists()
    room["now"] += workshop.idle_seconds() - 10
    workshop.session_copy("a", 1, TODAY)
    room["now"] += 20
    assert workshop.sweep() == 1 and not old.exists() and new.exists()
    assert workshop.release("a") == 1 and not new.exists()
