"""Workshop copies over a session's life, counted for the README: 30 sessions, one of them
resetting 20 times, under a bound of 12 copies; then everyone leaves (the idle timeout
passes). Counts copies on disk and open connections at the peak and at the end."""
from lib import db as dbmodule
from lib import workshop
from lib.db import Database
from tests.conftest import TODAY
from tests.reliability.figures import record


def open_connections(folder) -> int:
    """Open connections to this test's copies (other tests in the same process may hold others)."""
    with dbmodule._open_guard:
        return sum(1 for path, dbs in dbmodule._open.items() if path.startswith(str(folder)) and "session-" in path
                   for d in dbs if not d.closed)


def on_disk(folder) -> tuple[int, int]:
    files = list(folder.glob("session-*"))
    return len(files), sum(f.stat().st_size for f in files)


def test_workshop_copies_figure(tmp_path, monkeypatch):
    monkeypatch.setattr(workshop.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(workshop, "_folder", None)
    monkeypatch.setattr(workshop, "_copies", {})
    monkeypatch.setattr(workshop, "_origins", {})
    monkeypatch.setattr(workshop, "_sweeper_started", True)
    monkeypatch.setenv(workshop.MAX_COPIES_ENV, "12")
    clock = {"now": 0.0}
    monkeypatch.setattr(workshop, "_clock", lambda: clock["now"])
    opened = {}
    peak_files = peak_connections = 0

    def visit(token: str, generation: int = 0) -> None:
        nonlocal peak_files, peak_connections
        clock["now"] += 1
        path = workshop.session_copy(token, generation, TODAY)
        if str(path) not in opened:                 # the UI keeps one Database per copy
            opened[str(path)] = Database(path, origin=workshop.origin_of(path))
        opened[str(path)].scalar("SELECT count(*) FROM contacts")
        peak_files = max(peak_files, on_disk(workshop._workspace())[0])
        peak_connections = max(peak_connections, open_connections(tmp_path))

    for i in range(30):
        visit(f"session{i}")
    for generation in range(1, 21):                  # one attendee resets 20 times
        visit("session0", generation)
    clock["now"] += workshop.idle_seconds() + 1      # everyone has left
    removed = workshop.sweep()
    files, size = on_disk(workshop._workspace())
    record("workshop copies", sessions=30, resets=20, bound=12, peak_copies_on_disk=peak_files,
           peak_open_connections=peak_connections, removed_when_idle=removed, copies_left=files,
           bytes_left=size, connections_left=open_connections(tmp_path))
    assert peak_files <= 12 and peak_connections <= 12
    assert files == 0 and open_connections(tmp_path) == 0
