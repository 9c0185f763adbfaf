"""The DuckDB store: the embedded default, one file per process.

DuckDB lets one process hold a file and refuses concurrent calls on one shared connection,
so every operation runs on its own `cursor()`, and writes from this process's sessions go
one at a time (a lock per file) inside a transaction, so a failed write leaves nothing behind.
"""
from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from lib import migrations
from lib.db import (ConstraintViolation, Database, upsert_clause, DatabaseFault, DatabaseLocked, DamagedDatabase, DiskFull, ReadOnlyDatabase,
                    Transaction, _first_line, lock_for)

# No extension is ever fetched or loaded behind our back.
_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


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


class NewFile:
    """A DuckDB file being built under a temporary name beside where it belongs."""

    def __init__(self, destination: Path):
        self.path = destination.parent / f".{destination.name}.building-{uuid.uuid4().hex[:8]}"
        self.keep = True        # set False to end without it (it never appears)


@contextmanager
def new_file(destination: Path | str, doing: str) -> Iterator[NewFile]:
    """A new database file that appears at `destination` only when the block ends without
    raising and `keep` is still set: a refused or unequal restore or copy leaves no file."""
    destination = Path(destination)
    if destination.exists():
        raise ValueError(f"{destination} already exists; {doing} into a new file")
    destination.parent.mkdir(parents=True, exist_ok=True)
    building = NewFile(destination)
    try:
        yield building
        if building.keep:
            os.replace(building.path, destination)
    finally:
        for leftover in (building.path, building.path.with_name(building.path.name + ".wal")):
            leftover.unlink(missing_ok=True)


class DuckDBDatabase(Database):
    """A migrated DuckDB file."""

    backend = "duckdb"

    def __init__(self, path: str | Path, *, read_only: bool = False, extra_dirs: tuple = (),
                 origin: str | None = None, migrate: bool = True):
        """`origin`: this file is a byte copy of that one (a workshop session's demo), so
        while nothing in it changes, cached reads are shared with every other such copy.
        `migrate=False`: open only (a copy builds the schema itself)."""
        self.path = str(path)
        self.read_only = read_only
        self.read_only_reason = "opened read-only" if read_only else None
        if self.path != ":memory:":
            self._check_path()
        self.newer_schema = []      # migrations the file records that this code does not know
        self._lock = lock_for(self.path)
        self._begin_common(origin)
        self._extra_dirs = extra_dirs
        self._connect(extra_dirs)
        if not migrate:
            self._opened = 0
            return
        try:
            applied = self._migrate()
        except duckdb.Error as exc:         # damage found only when the schema is read
            self._con.close()
            raise open_fault(self.path, exc) from None
        except BaseException:
            self._con.close()
            raise
        self._register(applied)

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

    def _become_read_only(self) -> None:
        self._con.close()
        self.read_only = True
        self._connect(self._extra_dirs)

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

    def _harden(self, extra_dirs: tuple) -> None:
        """Files are reachable only in the database's own folder (and `extra_dirs`, e.g. a
        backup's destination); then the configuration is locked for the connection's life."""
        folders = [] if self.path == ":memory:" else [Path(self.path).resolve().parent]
        harden(self._con, folders + [Path(d).resolve() for d in extra_dirs])

    def close(self) -> None:
        self.closed = True
        self._con.close()

    @contextmanager
    def reading(self) -> Iterator["DuckDBTransaction"]:
        with self._con.cursor() as cur:
            yield DuckDBTransaction(cur)

    @contextmanager
    def snapshot(self) -> Iterator["DuckDBTransaction"]:
        with self._con.cursor() as cur:
            cur.begin()
            try:
                yield DuckDBTransaction(cur)
            finally:
                _rollback(cur)

    @contextmanager
    def _transaction(self) -> Iterator["DuckDBTransaction"]:
        """This process's lock, begin, yield, commit (or roll back); faults said plainly."""
        with self._lock, self._con.cursor() as cur:
            cur.begin()
            try:
                yield DuckDBTransaction(cur)
            except BaseException as exc:
                _rollback(cur)
                if isinstance(exc, duckdb.Error) and write_fault(self.path, exc):
                    raise write_fault(self.path, exc) from None
                if isinstance(exc, duckdb.ConstraintException):
                    raise ConstraintViolation(_first_line(str(exc))) from exc
                raise
            try:
                cur.commit()
            except duckdb.Error as exc:
                _rollback(cur)
                fault = write_fault(self.path, exc)
                if fault:
                    raise fault from None
                if isinstance(exc, duckdb.ConstraintException):
                    raise ConstraintViolation(_first_line(str(exc))) from exc
                raise

    def check_constraints(self, table: str) -> list[str]:
        return [e for (e,) in self.rows("""SELECT expression FROM duckdb_constraints()
                                           WHERE table_name = ? AND constraint_type = 'CHECK'""", [table])]

    def checkpoint(self) -> None:
        with self._lock, self._con.cursor() as cur:
            try:
                cur.execute("CHECKPOINT")
            except duckdb.Error as exc:
                fault = write_fault(self.path, exc)
                if fault:
                    raise fault from None
                raise



class DuckDBTransaction(Transaction):
    """A DuckDB cursor, inside a transaction or a reading()."""

    backend = "duckdb"

    def __init__(self, cur: duckdb.DuckDBPyConnection):
        self._cur = cur

    def execute(self, sql: str, params: dict[str, Any] | list | None = None) -> duckdb.DuckDBPyConnection:
        return self._cur.execute(sql, params or {})

    def commit_so_far(self) -> None:
        self._cur.commit()
        self._cur.begin()

    def insert_frame(self, table: str, frame: pd.DataFrame, *, conflict: tuple[str, ...] = (),
                     update: tuple[str, ...] = ()) -> None:
        name = f"frame_{id(frame):x}"
        self._cur.register(name, frame)
        try:
            self._cur.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM {name}' + upsert_clause(conflict, update))
        finally:
            try:
                self._cur.unregister(name)
            except duckdb.Error:       # the transaction already failed: the insert's own error is the one to tell
                pass

    # --- DuckDB's own file formats: backups are Parquet written and read by DuckDB ---------
    def export_parquet(self, out: Path) -> None:
        """Every table as Parquet into `out` (EXPORT DATABASE; its schema.sql and load.sql
        are never read back: a restore takes the schema from our migrations)."""
        self._cur.execute(f"EXPORT DATABASE '{str(out).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)")

    def load_parquet(self, table: str, path: Path) -> None:
        """Add the rows of one Parquet file (reachable only if the connection allows its folder)."""
        try:
            self._cur.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM read_parquet(?)', [str(path)])
        except duckdb.Error as exc:
            raise ValueError(f"{path.name} could not be loaded into {table}: {_first_line(str(exc))}") from None

    def row_hash_fingerprints(self) -> dict[str, dict]:
        """The checksums backups had before they were the same on every engine (DuckDB's
        hash of each row): how an old backup's manifest is checked."""
        result = {}
        for table in migrations.tables(self):
            rows, checksum = self._cur.execute(
                f'SELECT count(*), coalesce(bit_xor(hash(t)), 0) FROM "{table}" t').fetchone()
            result[table] = {"rows": int(rows), "checksum": str(checksum)}
        return result


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
        return DatabaseFault("the database path is too long: choose a shorter --db / COFFEECHAT_DB")
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


def _locked_message(path: str, exc: Exception) -> str:
    text = str(exc)
    pid = re.search(r"PID (\d+)", text)
    holder = f"process {pid.group(1)}" if pid else "another process"
    return (
        f"database {path} is in use by {holder} (a running app or command). "
        "Stop that process, or point --db / COFFEECHAT_DB at another file."
    )
