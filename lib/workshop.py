"""Workshop mode (COFFEECHAT_WORKSHOP=1): every browser session works on its own private
copy of the demo cohort, so a room of 30 can click and write at once without seeing each
other's changes. Nothing persists.

Copies live in one temporary folder per server process. A copy is closed (its DuckDB
connection) and deleted once it has been idle for `idle_seconds()` (its browser closed, or
it was reset to a new copy), or at once with `release()`; there are never more than
`max_copies()` (the least recently used goes first); and a folder left behind by a server
that was killed is removed when the next one starts. A browser that comes back after its
copy expired gets a fresh one.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lib import demo
from lib.db import close_all

WORKSHOP_ENV = "COFFEECHAT_WORKSHOP"
IDLE_ENV = "COFFEECHAT_WORKSHOP_IDLE_MINUTES"
MAX_COPIES_ENV = "COFFEECHAT_WORKSHOP_MAX_COPIES"
DEFAULT_IDLE_MINUTES = 30
DEFAULT_MAX_COPIES = 60
PREFIX = "coffeechat-workshop-"
OWNER_FILE = "owner.pid"
UNOWNED_STALE_SECONDS = 24 * 3600      # a folder from before owners were recorded
SWEEP_EVERY_SECONDS = 60

_lock = threading.RLock()
_folder: Path | None = None
_origins: dict[str, str] = {}
_expired: dict[str, float] = {}         # token -> when its copy was removed (bounded below)
_sweeper_started = False


@dataclass
class _Copy:
    path: Path
    last_used: float


_copies: dict[tuple[str, int], _Copy] = {}    # (session token, generation) -> its copy
_serial = iter(range(1, 1 << 62))


def _clock() -> float:
    return time.monotonic()


def enabled() -> bool:
    return os.environ.get(WORKSHOP_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def idle_seconds() -> float:
    return 60 * _env_number(IDLE_ENV, DEFAULT_IDLE_MINUTES)


def max_copies() -> int:
    return max(1, int(_env_number(MAX_COPIES_ENV, DEFAULT_MAX_COPIES)))


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def _workspace() -> Path:
    global _folder
    with _lock:
        if _folder is None:
            clean_stale_workspaces()
            _folder = Path(tempfile.mkdtemp(prefix=PREFIX))
            (_folder / OWNER_FILE).write_text(str(os.getpid()))
            atexit.register(shutil.rmtree, _folder, True)
        return _folder


def clean_stale_workspaces() -> list[Path]:
    """Remove workshop folders whose server is gone (killed: no atexit ran). A folder whose
    owner is alive is another server's and is left alone; one without an owner file is
    removed only when it is a day old. Returns the folders removed."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        if not folder.is_dir() or folder == _folder:
            continue
        owner = folder / OWNER_FILE
        try:
            stale = not _alive(int(owner.read_text().strip()))
        except (OSError, ValueError):
            try:
                stale = time.time() - folder.stat().st_mtime > UNOWNED_STALE_SECONDS
            except OSError:
                continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:        # someone else's process: alive
        return True
    return True


def template(as_of: date) -> Path:
    """The demo cohort built once per server (and per 'as of' date), never opened by a session."""
    path = _workspace() / f"template-{as_of.isoformat()}.duckdb"
    with _lock:
        if not path.exists():
            building = path.with_suffix(".building")
            demo.load_file(building, as_of=as_of)      # opened, written, closed: safe to copy
            building.rename(path)
    return path


def session_copy(session_key: str, generation: int, as_of: date) -> Path:
    """This session's private copy (a new one for each generation: a reset), made on first
    use and again if it expired. Every call counts as use; the least recently used copy goes
    when there would be more than max_copies()."""
    _start_sweeper()
    key = (session_key, generation)
    with _lock:
        copy = _copies.get(key)
        if copy is None or not copy.path.exists():
            while len(_copies) >= max_copies():
                _remove(min(_copies, key=lambda k: _copies[k].last_used))
            source = template(as_of)
            path = _workspace() / f"session-{session_key}-{generation}-{next(_serial)}.duckdb"
            shutil.copyfile(source, path)
            _origins[str(path)] = str(source)
            copy = _copies[key] = _Copy(path=path, last_used=_clock())
        copy.last_used = _clock()
        return copy.path


def origin_of(path: str | Path) -> str | None:
    """The template a session's copy was made from (None for any other file): until the
    session changes something, its copy reads exactly as the template does."""
    return _origins.get(str(path))


def release(session_key: str) -> int:
    """Close and delete this session's copies now (Reset the demo, a session that ended);
    how many went."""
    with _lock:
        return sum(_remove(key) for key in [k for k in _copies if k[0] == session_key])


def sweep() -> int:
    """Close and delete every copy idle for longer than idle_seconds(); how many went."""
    with _lock:
        limit = _clock() - idle_seconds()
        return sum(_remove(key) for key in [k for k, copy in _copies.items() if copy.last_used < limit])


def live_copies() -> int:
    return len(_copies)


def expired(session_key: str) -> bool:
    """Whether this session's copy was removed (idle or over the bound) since it was made."""
    return session_key in _expired


def _remove(key: tuple[str, int]) -> bool:
    copy = _copies.pop(key, None)
    if copy is None:
        return False
    close_all(copy.path)
    for leftover in (copy.path, copy.path.with_name(copy.path.name + ".wal")):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass
    _origins.pop(str(copy.path), None)
    _expired[key[0]] = _clock()
    while len(_expired) > 10 * max_copies():
        _expired.pop(next(iter(_expired)))
    return True


def _start_sweeper() -> None:
    """A daemon thread sweeps idle copies once a minute, so copies of browsers that left are
    removed even when nobody else is clicking."""
    global _sweeper_started
    with _lock:
        if _sweeper_started:
            return
        _sweeper_started = True

    def loop() -> None:
        while True:
            time.sleep(SWEEP_EVERY_SECONDS)
            try:
                sweep()
            except Exception:       # noqa: BLE001 - never let the sweeper die; try again next minute
                pass

    threading.Thread(target=loop, name="workshop-sweeper", daemon=True).start()
