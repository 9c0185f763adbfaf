"""The database: open, migrate, read, and the one door for writes.

One `Database` per file per process. DuckDB refuses concurrent calls on one shared
connection, so every operation runs on its own `cursor()`. Writes go through
`Database.write()`: a process-wide lock per file plus a transaction, so two sessions
never race and a failed write leaves nothing behind.
"""
from __future__ import annotations

import itertools
import os
import re
import threading
import uuid
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import duckdb
import pandas as pd

from lib import migrations

ROOT = Path(__file__).resolve().parent.parent
DB_ENV = "COFFEECHAT_DB"
DEMO_DB_ENV = "COFFEECHAT_DEMO_DB"
MEMO_ENTRIES = 256   # Database.remember: recent shared reads kept per open file

# No extension is ever fetched or loaded behind our back.
_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

_write_locks: dict[str, threading.Lock] = {}
_open: dict[str, weakref.WeakSet] = {}      # resolved path -> its open Database objects
_open_guard = threading.Lock()
_opened = itertools.count(1)
_write_locks_guard = threading.Lock()


class DatabaseFault(RuntimeError):
    """The database file can't be opened or written as asked: the message says what is
    wrong and what to do (a damaged file, a folder given as a file, a full disk...). The
    app shows it as a banner and the CLI as one line; neither shows a traceback."""


class DatabaseLocked(DatabaseFault):
    """The file is held by another process (DuckDB allows one writer process per file)."""


class DamagedDatabase(DatabaseFault):
    """The file is not a readable DuckDB database: truncated, overwritten, or another kind of file."""


class DiskFull(DatabaseFault):
    """A write could not be saved because the disk is full; nothing of it was kept."""


class ReadOnlyView(RuntimeError):
    """A write was attempted where the viewer may only look (a coach on a student's pages)."""


class ReadOnlyDatabase(ReadOnlyView, DatabaseFault):
    """A write was attempted on a database opened read-only (a file made by a newer version
    of the app, or a file or folder this process may not write); the message says why."""


def newer_schema_message(path: str, names: list[str]) -> str:
    return (f"database {path} was made by a newer version of Coffee Chat Coach (it records "
            f"migration{'s' if len(names) > 1 else ''} {', '.join(names)} that this version does not know), "
            "so it is open read-only: nothing can be saved. Update the app (git pull, then make run) "
            "to work on it, or point --db / COFFEECHAT_DB at another file.")


def default_path() -> Path:
    """Where real data lives: $COFFEECHAT_DB, else data/coffeechat.duckdb."""
    return Path(os.environ.get(DB_ENV) or ROOT / "data" / "coffeechat.duckdb")


def demo_path() -> Path:
    """The demo cohort's own file: $COFFEECHAT_DEMO_DB, else demo.duckdb beside the real one.

    Keeping it beside the real file means a test that points COFFEECHAT_DB at a temp
    folder gets its demo there too, never in data/.
    """
    explicit = os.environ.get(DEMO_DB_ENV)
    return Path(explicit) if explicit else default_path().with_name("demo.duckdb")


def new_id() -> str:
    return str(uuid.uuid4())


def harden(con: duckdb.DuckDBPyConnection, folders: list[Path]) -> None:
    """Lock a connection down: files reachable only inside `folders`, no external access
    otherwise, no extension loaded, and the configuration locked for the connection's life."""
    listed = ", ".join("'" + str(Path(f).resolve()).replace("'", "''") + "/'" for f in folders)
    with con.cursor() as cur:
        cur.execute(f"SET allowed_directories = [{listed}]")
        cur.execute("SET enable_external_access = false")
        cur.execute("SET autoinstall_known_extensions = false")
        cur.execute("SET autoload_known_extensions = false")
        cur.execute("SET lock_configuration = true")


def _key(path: str) -> str:
    return path if path == ":memory:" else str(Path(path).resolve())


def close_all(path: str | Path) -> int:
    """Close every Database this process has open on `path` (a workshop copy about to be
    deleted); returns how many were closed."""
    with _open_guard:
        databases = list(_open.pop(_key(str(path)), ()))
    for db in databases:
        db.close()
    return len(databases)


def _lock_for(path: str) -> threading.Lock:
    with _write_locks_guard:
        return _write_locks.setdefault(path, threading.Lock())


class Database:
    """A migrated DuckDB file. Reads return DataFrames; writes go through write()."""

    # Set by the UI: returns why writes are refused right now (None: allowed). The engine
    # stays free of Streamlit; the safety net holds even for a widget the UI forgot to hide.
    write_guard: Callable[[], str | None] | None = None

    def __init__(self, path: str | Path, *, read_only: bool = False, extra_dirs: tuple = (),
                 origin: str | None = None):
        """`origin`: this file is a byte copy of that one (a workshop session's demo), so
        while nothing in it changes, cached reads are shared with every other such copy."""
        self.path = str(path)
        self.read_only = read_only
        self.read_only_reason: str | None = "opened read-only" if read_only else None
        if self.path != ":memory:":
            self._check_path()
        self.newer_schema: list[str] = []      # migrations the file records that this code does not know
        self._lock = _lock_for(self.path)
        self._memo: OrderedDict[tuple, Any] = OrderedDict()
        self._memo_lock = threading.Lock()
        self._reset_versions()
        self._connect(extra_dirs)
        try:
            applied = self._migrate(extra_dirs)
        except duckdb.Error as exc:         # damage found only when the schema is read
            self._con.close()
            raise open_fault(self.path, exc) from None
        except BaseException:
            self._con.close()
            raise
        with _open_guard:
            _open.setdefault(_key(self.path), weakref.WeakSet()).add(self)
        self._opened = next(_opened)   # keys of a reopened file never meet the old ones
        self._origin = None if applied else origin    # a migrated copy no longer reads as its origin
        self._reset_versions()         # counted from here: opening is not a change to the data

    def _check_path(self) -> None:
        """Faults we can name before DuckDB tries: a folder, a path too long, a file or folder
        that can't be written (opened read-only then), a folder that can't be created."""
        path = Path(self.path)
        too_long = len(os.fsencode(self.path)) >= 4096 or any(len(os.fsencode(p)) > 255 for p in path.parts)
        if too_long:
            raise DatabaseFault(f"the database path is too long ({len(self.path):,} characters; a file name "
                                "may have 255 and a path 4,095 here): choose a shorter --db / COFFEECHAT_DB")
        if path.is_dir():
            raise DatabaseFault(f"{path} is a folder, not a database file: give a file inside it, "
                                f"e.g. --db {path / 'coffeechat.duckdb'}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseFault(f"cannot create the folder {path.parent} for the database "
                                f"({exc.strerror or exc}): choose another --db / COFFEECHAT_DB") from None
        if not path.parent.is_dir():
            raise DatabaseFault(f"{path.parent} is not a folder: choose another --db / COFFEECHAT_DB")
        if path.exists():
            if not path.is_file():
                raise DatabaseFault(f"{path} is not a regular file: choose another --db / COFFEECHAT_DB")
            if not self.read_only and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
                self.read_only = True
                self.read_only_reason = (
                    f"database {path} is read-only (the file or its folder can't be written), so it is open "
                    "read-only: you can look, nothing can be saved. Make the file and its folder writable "
                    "(chmod u+w), or copy the file somewhere writable and point --db / COFFEECHAT_DB at it")
        elif not self.read_only and not os.access(path.parent, os.W_OK):
            raise DatabaseFault(f"cannot create {path}: the folder {path.parent} is read-only. "
                                "Choose a writable folder for --db / COFFEECHAT_DB")
        elif self.read_only:
            raise DatabaseFault(f"no database at {path}")

    def _migrate(self, extra_dirs: tuple) -> list[str]:
        """Apply pending migrations and sync built-in content; a file that records a migration
        this code doesn't know is reopened read-only instead (never written). Returns the
        migrations applied."""
        with self._con.cursor() as cur:
            self.newer_schema = migrations.unknown(cur)
        if self.newer_schema and not self.read_only:      # made by a newer app: look, never write
            self._con.close()
            self.read_only = True
            self.read_only_reason = newer_schema_message(self.path, self.newer_schema)
            self._connect(extra_dirs)
        if self.newer_schema:
            self.read_only_reason = newer_schema_message(self.path, self.newer_schema)
            return []
        if self.read_only:
            with self._con.cursor() as cur:
                waiting = migrations.pending(cur)
            if waiting:
                raise DatabaseFault(
                    f"database {self.path} needs upgrading ({len(waiting)} schema step"
                    f"{'s' if len(waiting) > 1 else ''}) but {self.read_only_reason}. Make it writable, "
                    f"then run: python -m lib init --db {self.path}")
            return []
        with self.write(internal=True) as cur:
            applied = migrations.apply(cur)
        self._sync_content()
        if applied:
            self.checkpoint()
        return applied

    def _connect(self, extra_dirs: tuple) -> None:
        try:
            self._con = duckdb.connect(self.path, read_only=self.read_only, config=dict(_CONFIG))
        except duckdb.Error as exc:
            raise open_fault(self.path, exc) from None
        try:
            self._harden(extra_dirs)
        except duckdb.Error as exc:       # damage found by the first statement
            self._con.close()
            raise open_fault(self.path, exc) from None

    def _sync_content(self) -> None:
        """Built-in content (the question bank in data/questions.csv) is brought up to date
        here, once per open, and nowhere else. Cheap when nothing changed (a digest compare)."""
        from lib import clock, prep    # at run time: prep imports this module
        prep.sync_question_bank(self, clock.now())

    def _reset_versions(self) -> None:
        self.version = 0    # bumped after every committed write
        self._epoch = 0     # bumped by writes that don't say whose data they change
        self._student_writes: dict[str, int] = {}

    def _harden(self, extra_dirs: tuple) -> None:
        """Files are reachable only in the database's own folder (and `extra_dirs`, e.g. a
        backup's destination); then the configuration is locked for the connection's life."""
        folders = [] if self.path == ":memory:" else [Path(self.path).resolve().parent]
        harden(self._con, folders + [Path(d).resolve() for d in extra_dirs])

    def close(self) -> None:
        self.closed = True
        self._con.close()

    closed = False

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._con.cursor()

    def df(self, sql: str, params: dict[str, Any] | list | None = None) -> pd.DataFrame:
        with self._con.cursor() as cur:
            return cur.execute(sql, params or {}).df()

    def rows(self, sql: str, params: dict[str, Any] | list | None = None) -> list[tuple]:
        with self._con.cursor() as cur:
            return cur.execute(sql, params or {}).fetchall()

    def scalar(self, sql: str, params: dict[str, Any] | list | None = None) -> Any:
        with self._con.cursor() as cur:
            row = cur.execute(sql, params or {}).fetchone()
        return None if row is None else row[0]

    def student_version(self, student_id: str | None) -> tuple[int, int]:
        """Changes with every write to that student's data and with every write not scoped
        to one student, and only then."""
        return self._epoch, self._student_writes.get(str(student_id), 0)

    def cache_key(self, student_id: str | None = None) -> tuple:
        """What a cached read keys on: the data as far as that read can tell. A student's
        reads (student_id given) change with the student's version, so one student's write
        leaves the others' cached pages warm; cohort-wide reads (None) with any write. A copy
        (`origin`) that nothing has changed keys as its origin: 30 workshop copies read once."""
        version = self.version if student_id is None else self.student_version(student_id)
        if self._origin and version in (0, (0, 0)):
            return (self._origin, "unchanged copy")
        return (self.path, self._opened, version)

    def remember(self, key: tuple, student_id: str | None, compute: Callable[[], Any]) -> Any:
        """`compute()`, kept until the data it reads changes: until a write to that student's
        data, or any write at all when `student_id` is None (a cohort-wide read). For a
        read several figures share within one page, such as the due queue."""
        full_key = (key, student_id, self.cache_key(student_id))
        with self._memo_lock:
            if full_key in self._memo:
                self._memo.move_to_end(full_key)
                return self._memo[full_key]
        value = compute()
        with self._memo_lock:
            self._memo[full_key] = value
            while len(self._memo) > MEMO_ENTRIES:
                self._memo.popitem(last=False)
        return value

    @contextmanager
    def write(self, *, internal: bool = False,
              student_id: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """The one door for writes: lock, begin, yield a cursor, commit (or roll back).
        `internal` writes (migrations, built-in content, the demo) pass the write guard.
        A write that changes only one student's data says so with `student_id`; any other
        write makes every student's cached reads stale."""
        if self.read_only:
            raise ReadOnlyDatabase(self.read_only_reason or "the database was opened read-only")
        refusal = None if internal or Database.write_guard is None else Database.write_guard()
        if refusal:
            raise ReadOnlyView(refusal)
        with self._lock, self._con.cursor() as cur:
            cur.begin()
            try:
                yield cur
            except BaseException as exc:
                _rollback(cur)
                if isinstance(exc, duckdb.Error) and write_fault(self.path, exc):
                    raise write_fault(self.path, exc) from None
                raise
            try:
                cur.commit()
            except duckdb.Error as exc:
                _rollback(cur)
                fault = write_fault(self.path, exc)
                if fault:
                    raise fault from None
                raise
            self.version += 1
            if student_id is None:
                self._epoch += 1
            else:
                key = str(student_id)
                self._student_writes[key] = self._student_writes.get(key, 0) + 1

    def checkpoint(self) -> None:
        with self._lock, self._con.cursor() as cur:
            try:
                cur.execute("CHECKPOINT")
            except duckdb.Error as exc:
                fault = write_fault(self.path, exc)
                if fault:
                    raise fault from None
                raise

    def schema_version(self) -> int:
        """How many migrations this file has applied (migrations.LATEST when up to date)."""
        return int(self.scalar("SELECT count(*) FROM schema_migrations"))

    def migrations(self) -> list[str]:
        """Names of the migrations this file records, in the order applied."""
        with self._con.cursor() as cur:
            return migrations.recorded(cur)


def _rollback(cur) -> None:
    try:
        cur.rollback()
    except duckdb.Error:        # nothing left to roll back (a commit that failed has ended)
        pass


DAMAGE_SIGNS = ("not a valid duckdb database file", "could not read enough bytes", "corrupt database",
                "checksum", "serialization error", "failed to deserialize", "invalid header")


def open_fault(path: str, exc: Exception) -> DatabaseFault:
    """What went wrong opening `path`, said so a person can act on it. "In use by another
    process" only when DuckDB reports a conflicting lock."""
    text = str(exc)
    lower = text.lower()
    if "conflicting lock" in lower:
        return DatabaseLocked(_locked_message(path, exc))
    if "no space left on device" in lower:
        return DiskFull(f"the disk holding {path} is full: free some space, then open it again")
    if "version number" in lower or "newer version" in lower:
        return DatabaseFault(f"database {path} was written by a newer version of DuckDB than this app uses "
                             "(pinned in requirements.txt): update the app to open it")
    if any(sign in lower for sign in DAMAGE_SIGNS) or isinstance(exc, (duckdb.SerializationException,
                                                                      duckdb.InternalException)):
        return DamagedDatabase(
            f"database {path} is damaged or is not a Coffee Chat Coach database (DuckDB says: "
            f"{_first_line(text)}). Nothing was changed. Move it aside and restore your latest backup "
            "(python -m lib restore BACKUP_FOLDER --db NEW_FILE), or point --db / COFFEECHAT_DB at another file")
    if "permission denied" in lower or "read-only file system" in lower:
        return DatabaseFault(f"database {path} can't be opened: permission denied. Make it readable "
                             "(and writable to save), or point --db / COFFEECHAT_DB at another file")
    if "file name too long" in lower:
        return DatabaseFault(f"the database path is too long: choose a shorter --db / COFFEECHAT_DB")
    if "is a directory" in lower:
        return DatabaseFault(f"{path} is a folder, not a database file")
    return DatabaseFault(f"cannot open database {path}: {_first_line(text)}")


def write_fault(path: str, exc: Exception) -> DatabaseFault | None:
    """A write that failed for a reason outside the data (a full disk, a file that became
    read-only): the fault to report, or None for an ordinary error (a constraint...)."""
    lower = str(exc).lower()
    if "no space left on device" in lower or "disk quota exceeded" in lower or "file too large" in lower:
        return DiskFull(f"the disk holding {path} is full, so the change was not saved (nothing of it was "
                        "kept). Free some space and try again")
    if "read-only file system" in lower or "permission denied" in lower:
        return ReadOnlyDatabase(f"database {path} can no longer be written (read-only file or folder), so the "
                                "change was not saved. Make it writable and try again")
    if any(sign in lower for sign in DAMAGE_SIGNS):
        return DamagedDatabase(f"database {path} is damaged ({_first_line(str(exc))}); the change was not "
                               "saved. Restore your latest backup (python -m lib restore)")
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _locked_message(path: str, exc: Exception) -> str:
    text = str(exc)
    pid = re.search(r"PID (\d+)", text)
    holder = f"process {pid.group(1)}" if pid else "another process"
    return (
        f"database {path} is in use by {holder} (a running app or command). "
        "Stop that process, or point --db / COFFEECHAT_DB at another file."
    )
