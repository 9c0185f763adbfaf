"""The database seam: one `Database` type the whole engine takes, whichever store holds the data.

`Database(target)` opens a DuckDB file when `target` is a path (the embedded default: one
process per file) and a PostgreSQL database when it is a `postgresql://` URL (a career
centre's server: many processes, many machines). The implementations live in lib/store/;
nothing else in lib/ knows which one it has. In the spirit of harlequin's adapters, the
interface is small:

- reads: `df(sql, params)`, `rows(...)`, `scalar(...)`, and `reading()` for several reads
  on one connection;
- writes: `write()`, a transaction with the same read methods plus `execute(...)` and
  `insert_frame(table, frame)`; it commits or rolls back whole;
- freshness: `cache_key(student_id)`, keyed on versions the database itself holds
  (table data_versions, bumped inside each write's transaction), so a write in one process
  is seen by the next page drawn in every other process.

SQL is written once, in the subset both engines run; parameters are `?` (positional) or
`$name` (named); each store translates them. What differs by engine (the business-day
functions, checksums) is defined once per store.
"""
from __future__ import annotations

import itertools
import os
import threading
import uuid
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from lib import migrations

ROOT = Path(__file__).resolve().parent.parent
DB_ENV = "COFFEECHAT_DB"
DEMO_DB_ENV = "COFFEECHAT_DEMO_DB"
MEMO_ENTRIES = 256   # Database.remember: recent shared reads kept per open database
ALL_STUDENTS = "*"   # data_versions scope of writes that don't say whose data they change
URL_SCHEMES = ("postgresql://", "postgres://")


class DatabaseFault(RuntimeError):
    """The database can't be opened or written as asked: the message says what is wrong and
    what to do (a damaged file, a folder given as a file, a full disk, a server that does not
    answer...). The app shows it as a banner and the CLI as one line; neither shows a traceback."""


class DatabaseLocked(DatabaseFault):
    """The file is held by another process (DuckDB allows one writer process per file)."""


class DamagedDatabase(DatabaseFault):
    """The file is not a readable DuckDB database: truncated, overwritten, or another kind of file."""


class DiskFull(DatabaseFault):
    """A write could not be saved because the disk is full; nothing of it was kept."""


class ConstraintViolation(ValueError):
    """A write broke one of the database's own rules (a CHECK, a unique key); nothing of it
    was kept. `constraint` names the rule when the engine says which."""

    def __init__(self, message: str, constraint: str | None = None):
        super().__init__(message)
        self.constraint = constraint


class ReadOnlyView(RuntimeError):
    """A write was attempted where the viewer may only look (a coach on a student's pages)."""


class ReadOnlyDatabase(ReadOnlyView, DatabaseFault):
    """A write was attempted on a database opened read-only (one made by a newer version of
    the app, or a file or folder this process may not write); the message says why."""


def newer_schema_message(where: str, names: list[str]) -> str:
    return (f"database {where} was made by a newer version of Coffee Chat Coach (it records "
            f"migration{'s' if len(names) > 1 else ''} {', '.join(names)} that this version does not know), "
            "so it is open read-only: nothing can be saved. Update the app (git pull, then make run) "
            "to work on it, or point --db / COFFEECHAT_DB at another database.")


def is_url(target: str | Path) -> bool:
    """A PostgreSQL URL (the server store), as opposed to a DuckDB file path."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def default_target() -> str:
    """Where real data lives: $COFFEECHAT_DB (a file path or a postgresql:// URL), else
    data/coffeechat.duckdb."""
    return os.environ.get(DB_ENV) or str(ROOT / "data" / "coffeechat.duckdb")


def default_path() -> Path | str:
    """The real data's file, or its URL when it lives in PostgreSQL."""
    target = default_target()
    return target if is_url(target) else Path(target)


def demo_path() -> Path:
    """The demo cohort's own DuckDB file: $COFFEECHAT_DEMO_DB, else demo.duckdb beside the
    real file (so a test that points COFFEECHAT_DB at a temp folder gets its demo there too).
    With the real data in PostgreSQL the demo stays a DuckDB file, one per process (it is
    rebuilt from a seed, never shared): under data/ with the process id in its name."""
    explicit = os.environ.get(DEMO_DB_ENV)
    if explicit:
        return Path(explicit)
    target = default_target()
    if is_url(target):
        return ROOT / "data" / f"demo-{os.getpid()}.duckdb"
    return Path(target).with_name("demo.duckdb")


def new_id() -> str:
    return str(uuid.uuid4())


_open: dict[str, weakref.WeakSet] = {}      # resolved path or URL -> its open Database objects
_open_guard = threading.Lock()
_opened = itertools.count(1)
_write_locks: dict[str, threading.Lock] = {}
_write_locks_guard = threading.Lock()


def _key(target: str) -> str:
    return target if target == ":memory:" or is_url(target) else str(Path(target).resolve())


def close_all(target: str | Path) -> int:
    """Close every Database this process has open on `target` (a workshop copy about to be
    deleted); returns how many were closed."""
    with _open_guard:
        databases = list(_open.pop(_key(str(target)), ()))
    for db in databases:
        db.close()
    return len(databases)


def lock_for(target: str) -> threading.Lock:
    """This process's write lock for one database: writes from its sessions go one at a time."""
    with _write_locks_guard:
        return _write_locks.setdefault(_key(target), threading.Lock())


class Database:
    """A migrated database. Reads return DataFrames; writes go through write().

    `Database(path)` is a DuckDB file, `Database("postgresql://...")` a PostgreSQL database;
    both are this type (lib/store/duckdb.py, lib/store/postgres.py)."""

    backend = "?"
    # Set by the UI: returns why writes are refused right now (None: allowed). The engine
    # stays free of Streamlit; the safety net holds even for a widget the UI forgot to hide.
    write_guard: Callable[[], str | None] | None = None

    def __new__(cls, target: str | Path = ":memory:", *args: Any, **kwargs: Any):
        if cls is Database:
            if is_url(str(target)):
                from lib.store.postgres import PostgresDatabase as cls
            else:
                from lib.store.duckdb import DuckDBDatabase as cls
        return super().__new__(cls)

    # --- set up by the store -------------------------------------------------------------
    path: str                    # the file, or the URL without its password
    read_only = False
    read_only_reason: str | None = None
    newer_schema: list[str] = []
    closed = False

    def _begin_common(self, origin: str | None) -> None:
        self._memo: OrderedDict[tuple, Any] = OrderedDict()
        self._memo_lock = threading.Lock()
        self._pinned = threading.local()
        self._origin_wanted = origin
        self._origin = None
        self._versioned = False    # data_versions exists (false while migrating up to it)
        self._baseline: dict[str, int] = {}

    def _register(self, applied: list[str]) -> None:
        """After a successful open: findable by close_all, counted from here (opening is not
        a change to the data), and a copy no longer reads as its origin once migrated."""
        with _open_guard:
            _open.setdefault(_key(self.path if not is_url(self.path) else self._url_key()), weakref.WeakSet()).add(self)
        self._opened = next(_opened)   # keys of a reopened database never meet the old ones
        self._origin = None if applied else self._origin_wanted
        self._versioned = "m011_data_versions" in self.migrations()
        self._baseline = self._read_versions()

    def _url_key(self) -> str:
        return self.path

    def _migrate(self) -> list[str]:
        """Apply pending migrations and sync built-in content; a database that records a
        migration this code doesn't know is reopened read-only instead (never written).
        Returns the migrations applied."""
        with self.reading() as cur:
            self.newer_schema = migrations.unknown(cur)
        if self.newer_schema:
            if not self.read_only:               # made by a newer app: look, never write
                self._become_read_only()
            self.read_only = True
            self.read_only_reason = newer_schema_message(self.path, self.newer_schema)
            return []
        if self.read_only:
            with self.reading() as cur:
                waiting = migrations.pending(cur)
            if waiting:
                raise DatabaseFault(
                    f"database {self.path} needs upgrading ({len(waiting)} schema step"
                    f"{'s' if len(waiting) > 1 else ''}) but {self.read_only_reason}. Make it writable, "
                    f"then run: python -m lib init --db {self.path}")
            return []
        with self.write(internal=True) as cur:
            self._serialise_migrations(cur)
            applied = migrations.apply(cur)
        self._sync_content()
        if applied:
            self.checkpoint()
        return applied

    def _become_read_only(self) -> None:
        """Reopen so that nothing can be written (a database newer than this code)."""

    def _serialise_migrations(self, tx: "Transaction") -> None:
        """Keep two processes from migrating at once (a server store); DuckDB's file lock already does."""

    def _sync_content(self) -> None:
        """Built-in content (the question bank in data/questions.csv) is brought up to date
        here, once per open, and nowhere else. Cheap when nothing changed (a digest compare)."""
        from lib import clock, prep    # at run time: prep imports this module
        prep.sync_question_bank(self, clock.now())

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError

    # --- reads ---------------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator["Transaction"]:
        """Several reads on one connection (read-only: never commits anything)."""
        raise NotImplementedError
        yield

    @contextmanager
    def snapshot(self) -> Iterator["Transaction"]:
        """Several reads that see one moment of the data, whatever other sessions or
        processes write meanwhile (a backup, a copy)."""
        raise NotImplementedError
        yield

    def df(self, sql: str, params: dict[str, Any] | list | None = None) -> pd.DataFrame:
        with self.reading() as cur:
            return cur.df(sql, params)

    def rows(self, sql: str, params: dict[str, Any] | list | None = None) -> list[tuple]:
        with self.reading() as cur:
            return cur.rows(sql, params)

    def scalar(self, sql: str, params: dict[str, Any] | list | None = None) -> Any:
        with self.reading() as cur:
            return cur.scalar(sql, params)

    # --- writes --------------------------------------------------------------------------
    @contextmanager
    def write(self, *, internal: bool = False, student_id: str | None = None) -> Iterator["Transaction"]:
        """The one door for writes: begin, yield a transaction, bump the data version of what
        changed, commit (or roll back: nothing half-written). `internal` writes (migrations,
        built-in content, the demo) pass the write guard. A write that changes only one
        student's data says so with `student_id`; any other write makes every student's
        cached reads stale."""
        if self.read_only:
            raise ReadOnlyDatabase(self.read_only_reason or "the database was opened read-only")
        refusal = None if internal or Database.write_guard is None else Database.write_guard()
        if refusal:
            raise ReadOnlyView(refusal)
        with self._transaction() as tx:
            yield tx
            if self._versioned:
                tx.execute("""INSERT INTO data_versions VALUES (?, 1)
                               ON CONFLICT (scope) DO UPDATE SET version = data_versions.version + 1""",
                           [ALL_STUDENTS if student_id is None else str(student_id)])
        if getattr(self._pinned, "versions", None) is not None:
            self._pinned.versions = self._read_versions()     # this run sees its own write

    def write_retrying(self, work: Callable[["Transaction"], Any], *, student_id: str | None = None) -> Any:
        """`work(tx)` in one write; if the database refuses it on a unique key (another process
        saved the same person or organisation a moment ago: each passed its own check), run it
        once more, when the work's own checks see that row and say so, or reuse it."""
        try:
            with self.write(student_id=student_id) as tx:
                return work(tx)
        except ConstraintViolation:
            with self.write(student_id=student_id) as tx:
                return work(tx)

    @contextmanager
    def _transaction(self) -> Iterator["Transaction"]:
        raise NotImplementedError
        yield

    def checkpoint(self) -> None:
        """Make committed writes durable in the main file (DuckDB); nothing to do on a server."""

    # --- freshness -----------------------------------------------------------------------
    def _read_versions(self) -> dict[str, int]:
        if not self._versioned:
            return {}
        return {scope: int(version) for scope, version in self.rows("SELECT scope, version FROM data_versions")}

    def pin_versions(self) -> None:
        """Read the data versions once for this thread's script run (the UI calls it at the
        start of every run); cache keys use that reading until the next pin or a write here.
        Without a pin (CLI, tests) every cache key reads the database."""
        self._pinned.versions = self._read_versions()

    def versions(self) -> dict[str, int]:
        pinned = getattr(self._pinned, "versions", None)
        return pinned if pinned is not None else self._read_versions()

    @property
    def version(self) -> int:
        """Changes with every committed write, in any process."""
        return sum(self.versions().values())

    def student_version(self, student_id: str | None) -> tuple[int, int]:
        """Changes with every write to that student's data and with every write not scoped
        to one student, and only then."""
        versions = self.versions()
        return versions.get(ALL_STUDENTS, 0), versions.get(str(student_id), 0)

    def cache_key(self, student_id: str | None = None) -> tuple:
        """What a cached read keys on: the data as far as that read can tell. A student's
        reads (student_id given) change with the student's version, so one student's write
        leaves the others' cached pages warm; cohort-wide reads (None) with any write. A copy
        (`origin`) that nothing has changed keys as its origin: 30 workshop copies read once."""
        versions = self.versions()
        if student_id is None:
            version: Any = sum(versions.values())
            unchanged = versions == self._baseline
        else:
            scopes = (ALL_STUDENTS, str(student_id))
            version = tuple(versions.get(scope, 0) for scope in scopes)
            unchanged = version == tuple(self._baseline.get(scope, 0) for scope in scopes)
        if self._origin and unchanged:
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

    # --- schema --------------------------------------------------------------------------
    def schema_version(self) -> int:
        """How many migrations this database has applied (migrations.LATEST when up to date)."""
        return int(self.scalar("SELECT count(*) FROM schema_migrations"))

    def migrations(self) -> list[str]:
        """Names of the migrations this database records, in the order applied."""
        with self.reading() as cur:
            return migrations.recorded(cur)

    def check_constraints(self, table: str) -> list[str]:
        """The CHECK expressions of `table`, as the engine writes them back."""
        raise NotImplementedError

    def tables(self) -> list[str]:
        """The app's tables, by name."""
        with self.reading() as cur:
            return migrations.tables(cur)


class Transaction:
    """One connection's view, inside a write transaction or a reading(): `execute` returns
    a result with fetchone(), fetchall() and df(); `insert_frame` adds a DataFrame's rows by
    column name. `backend` names the engine, for the few places that must differ (migrations)."""

    backend = "?"

    def execute(self, sql: str, params: dict[str, Any] | list | None = None) -> Any:
        raise NotImplementedError

    def df(self, sql: str, params: dict[str, Any] | list | None = None) -> pd.DataFrame:
        return self.execute(sql, params).df()

    def rows(self, sql: str, params: dict[str, Any] | list | None = None) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: dict[str, Any] | list | None = None) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def commit_so_far(self) -> None:
        """Commit what this transaction did and go on in a new one (a migration DuckDB needs
        committed before the next; a no-op where one transaction can hold both)."""

    def insert_frame(self, table: str, frame: pd.DataFrame, *, conflict: tuple[str, ...] = (),
                     update: tuple[str, ...] = ()) -> None:
        """Insert the frame's rows, matching columns by name. With `conflict` (the key
        columns), a row whose key exists updates the `update` columns instead."""
        raise NotImplementedError


def upsert_clause(conflict: tuple[str, ...], update: tuple[str, ...]) -> str:
    if not conflict:
        return ""
    if not update:
        return f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    return (f" ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET "
            + ", ".join(f"{column} = excluded.{column}" for column in update))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
