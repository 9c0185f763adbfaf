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
_opened = itertools.count(1)
_write_locks_guard = threading.Lock()


class DatabaseLocked(RuntimeError):
    """The file is held by another process (DuckDB allows one writer process per file)."""


class ReadOnlyView(RuntimeError):
    """A write was attempted where the viewer may only look (a coach on a student's pages)."""


class ReadOnlyDatabase(ReadOnlyView):
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
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.read_only = read_only
        self.read_only_reason: str | None = "opened read-only" if read_only else None
        self.newer_schema: list[str] = []      # migrations the file records that this code does not know
        self._connect(extra_dirs)
        self._lock = _lock_for(self.path)
        self._memo: OrderedDict[tuple, Any] = OrderedDict()
        self._memo_lock = threading.Lock()
        self._reset_versions()
        applied = []
        if not self.read_only:
            with self._con.cursor() as cur:
                self.newer_schema = migrations.unknown(cur)
            if self.newer_schema:       # made by a newer app: look, never write
                self._con.close()
                self.read_only = True
                self.read_only_reason = newer_schema_message(self.path, self.newer_schema)
                self._connect(extra_dirs)
        else:
            with self._con.cursor() as cur:
                self.newer_schema = migrations.unknown(cur)
        if not self.read_only:
            with self.write(internal=True) as cur:
                applied = migrations.apply(cur)
            self._sync_content()
            if applied:
                self.checkpoint()
        self._opened = next(_opened)   # keys of a reopened file never meet the old ones
        self._origin = None if applied else origin    # a migrated copy no longer reads as its origin
        self._reset_versions()         # counted from here: opening is not a change to the data

    def _connect(self, extra_dirs: tuple) -> None:
        try:
            self._con = duckdb.connect(self.path, read_only=self.read_only, config=dict(_CONFIG))
        except duckdb.IOException as exc:
            raise DatabaseLocked(_locked_message(self.path, exc)) from None
        self._harden(extra_dirs)

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
        folders += [Path(d).resolve() for d in extra_dirs]
        listed = ", ".join("'" + str(f).replace("'", "''") + "/'" for f in folders)
        with self._con.cursor() as cur:
            cur.execute(f"SET allowed_directories = [{listed}]")
            cur.execute("SET enable_external_access = false")
            cur.execute("SET lock_configuration = true")

    def close(self) -> None:
        self._con.close()

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
            except BaseException:
                cur.rollback()
                raise
            cur.commit()
            self.version += 1
            if student_id is None:
                self._epoch += 1
            else:
                key = str(student_id)
                self._student_writes[key] = self._student_writes.get(key, 0) + 1

    def checkpoint(self) -> None:
        with self._lock, self._con.cursor() as cur:
            cur.execute("CHECKPOINT")

    def schema_version(self) -> int:
        """How many migrations this file has applied (migrations.LATEST when up to date)."""
        return int(self.scalar("SELECT count(*) FROM schema_migrations"))

    def migrations(self) -> list[str]:
        """Names of the migrations this file records, in the order applied."""
        with self._con.cursor() as cur:
            return migrations.recorded(cur)


def _locked_message(path: str, exc: Exception) -> str:
    text = str(exc)
    if "lock" not in text.lower():
        return f"cannot open database {path}: {text}"
    pid = re.search(r"PID (\d+)", text)
    holder = f"process {pid.group(1)}" if pid else "another process"
    return (
        f"database {path} is in use by {holder} (a running app or command). "
        "Stop that process, or point --db / COFFEECHAT_DB at another file."
    )
