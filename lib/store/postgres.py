"""The PostgreSQL store: a career centre's server, shared by several app processes and machines.

Each process keeps a small pool of connections. Reads run in autocommit; a write is one
transaction on one pooled connection. Correctness across processes comes from the database
itself: uniqueness by its constraints, freshness by data_versions (lib.db), and migrations
serialised by an advisory lock. This process still sends its own writes one at a time (as
the DuckDB store does), so a session's write never interleaves with another's here.

SQL arrives in the one dialect lib/ writes (`?` and `$name` parameters); it is translated
to psycopg's placeholders once per statement text, outside quoted strings and comments.
Values are bound on the client (psycopg's ClientCursor, properly quoted, never pasted as
text): lib's SQL uses one parameter in several places and tests `$x IS NULL`, which
server-side binding can't type, while DuckDB can.
"""
from __future__ import annotations

import functools
import re
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd

from lib.db import (ConstraintViolation, Database, DatabaseFault, DiskFull, ReadOnlyDatabase, Transaction, _first_line,
                    lock_for, upsert_clause)

POOL_SIZE = 16                  # connections per process: sessions read at once, write one at a time
WAIT_FOR_CONNECTION_S = 60      # a page waits this long for a free connection, then says the server is busy
CONNECT_TIMEOUT_S = 10
MIGRATION_LOCK = 7_411_990      # pg_advisory_xact_lock key: one process migrates at a time

try:
    import psycopg
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError:             # pragma: no cover - requirements.txt pins both
    psycopg = None


def redacted(url: str) -> str:
    """The URL without its password, for messages and the Your data page."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


_TOKEN = re.compile(r"""
    (?P<string>[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*')   # string literals (E'' with escapes)
  | (?P<ident>"(?:[^"]|"")*")                            # quoted identifiers
  | (?P<comment>--[^\n]*)
  | (?P<dollar>\$\$.*?\$\$)                              # function bodies
  | (?P<named>\$(?P<name>[A-Za-z_][A-Za-z0-9_]*))
  | (?P<positional>\?)
  | (?P<percent>%)
""", re.VERBOSE | re.DOTALL)


@functools.lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """lib's placeholders in psycopg's: `?` -> %s, `$name` -> %(name)s, outside quotes and
    comments; every literal % (an operator, or inside a string or a quoted name such as
    "Ready %") -> %%, since psycopg reads every % of a statement that has parameters."""
    def swap(match: re.Match) -> str:
        if match.group("named"):
            return f"%({match.group('name')})s"
        if match.group("positional"):
            return "%s"
        return match.group(0).replace("%", "%%")
    return _TOKEN.sub(swap, sql)


def _plain(value: Any) -> Any:
    """A parameter psycopg can send: numpy and pandas scalars as Python ones, missing as NULL."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _params(params: dict | list | tuple | None) -> dict | list | None:
    if not params:
        return None
    if isinstance(params, dict):
        return {k: _plain(v) for k, v in params.items()}
    return [_plain(v) for v in params]


# PostgreSQL type oids -> how DuckDB's df() gives that type, so pages see one shape of frame.
_INTS = {20: "Int64", 21: "Int16", 23: "Int32"}
_FLOATS = {700, 701, 1700}
_DATES = {1082, 1114, 1184}
_BOOL, _INTERVAL = 16, 1186


def frame(rows: list[tuple], description) -> pd.DataFrame:
    """Rows as DuckDB's df() would give them: whole numbers as int64 (nullable Int when a
    value is missing), floats and numerics as float64, dates and timestamps as datetime64[us],
    intervals as timedelta64[us], booleans as bool (nullable when missing), text as str
    (all missing, or no rows: Python objects), uuids as uuid.UUID objects."""
    names = [d.name for d in description]
    columns = list(zip(*rows)) if rows else [[] for _ in names]
    data = {}
    for index, (d, values) in enumerate(zip(description, columns)):
        values = list(values)
        missing = any(v is None for v in values)
        oid = d.type_code
        if oid in _INTS:
            series = pd.Series(values, dtype=_INTS[oid] if missing else _INTS[oid].lower())
        elif oid in _FLOATS:
            series = pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
        elif oid in _DATES:
            series = pd.Series(pd.to_datetime(values), dtype="datetime64[us]") if values else \
                pd.Series([], dtype="datetime64[us]")
        elif oid == _INTERVAL:
            series = pd.Series(pd.to_timedelta(values), dtype="timedelta64[us]") if values else \
                pd.Series([], dtype="timedelta64[us]")
        elif oid == _BOOL:
            series = pd.Series(values, dtype="boolean" if missing else "bool")
        elif any(isinstance(v, str) for v in values) and all(isinstance(v, str) or v is None for v in values):
            series = pd.Series(values, dtype="str")     # DuckDB: text as str, missing as NaN (all missing: None)
        else:                                   # uuids, arrays: Python objects, as DuckDB gives them
            series = pd.Series(values, dtype=object)
        data[index] = series
    result = pd.DataFrame(data)
    result.columns = names
    return result


class PostgresResult:
    """What execute() returns: the rows fetched at once (the cursor goes back to the pool)."""

    def __init__(self, cur):
        self.description = cur.description
        self._rows = cur.fetchall() if cur.description else []
        self._next = 0

    def fetchall(self) -> list[tuple]:
        rows, self._next = self._rows[self._next:], len(self._rows)
        return rows

    def fetchone(self) -> tuple | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def df(self) -> pd.DataFrame:
        return frame(self._rows, self.description or [])


class PostgresTransaction(Transaction):
    """One pooled connection, in a write transaction or autocommit reads."""

    backend = "postgresql"

    def __init__(self, conn, where: str):
        self._conn = conn
        self._where = where

    def execute(self, sql: str, params: dict | list | None = None) -> PostgresResult:
        values = _params(params)
        try:
            with self._conn.cursor() as cur:
                cur.execute(translate(sql) if values is not None else sql, values)
                return PostgresResult(cur)
        except psycopg.OperationalError as exc:
            raise connection_fault(self._where, exc) from None

    def _column_types(self, table: str) -> dict[str, str]:
        return dict(self.rows("""SELECT column_name, data_type FROM information_schema.columns
                                 WHERE table_schema = current_schema() AND table_name = ?""", [table]))

    def insert_frame(self, table: str, frame: pd.DataFrame, *, conflict: tuple[str, ...] = (),
                     update: tuple[str, ...] = ()) -> None:
        if frame.empty:
            return
        types = self._column_types(table)
        columns = [c for c in frame.columns if c in types]
        unknown = [c for c in frame.columns if c not in types]
        if unknown:
            raise ValueError(f"{table} has no column {', '.join(map(str, unknown))}")
        rows = [tuple(_value(v, types[c]) for c, v in zip(columns, row))
                for row in frame[columns].itertuples(index=False, name=None)]
        names = ", ".join(f'"{c}"' for c in columns)
        if conflict:
            marks = ", ".join(["%s"] * len(columns))
            with self._conn.cursor() as cur:
                cur.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})' + upsert_clause(conflict, update),
                                rows)
            return
        with self._conn.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def _value(value: Any, data_type: str) -> Any:
    """A frame's cell as the column's type wants it (a whole number read back as 3.0, a
    timestamp where a date is stored, numpy scalars, NaN for missing)."""
    value = _plain(value)
    if value is None:
        return None
    if data_type in ("integer", "bigint", "smallint"):
        return int(value)
    if data_type == "date" and isinstance(value, datetime):
        return value.date()
    if data_type == "uuid":
        return str(value)
    if data_type == "boolean":
        return bool(value)
    if data_type == "double precision":
        return float(value)
    if data_type in ("character varying", "text") and not isinstance(value, str):
        return value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    return value


class PostgresDatabase(Database):
    """A migrated PostgreSQL database, named by a postgresql:// URL."""

    backend = "postgresql"

    def __init__(self, url: str, *, read_only: bool = False, extra_dirs: tuple = (), origin: str | None = None,
                 migrate: bool = True):
        """`migrate=False`: connect only (a restore or copy builds the schema itself)."""
        if psycopg is None:
            raise DatabaseFault("PostgreSQL needs psycopg: pip install -r requirements.txt")
        self._url = url
        self.path = redacted(url)
        self.read_only = read_only
        self.read_only_reason = "opened read-only" if read_only else None
        self.newer_schema = []
        self._lock = lock_for(self.path)
        self._begin_common(origin)
        self._pool = ConnectionPool(url, min_size=1, max_size=POOL_SIZE, open=False, name="coffeechat",
                                    timeout=WAIT_FOR_CONNECTION_S,
                                    kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S,
                                            "application_name": "coffeechat",
                                            "cursor_factory": psycopg.ClientCursor})
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        except Exception as exc:           # PoolTimeout: nothing answered
            self._pool.close()
            raise DatabaseFault(f"cannot connect to PostgreSQL at {self.path}: {_why(exc, url)}. "
                                "Check that the server runs and the URL (user, host, port, database) "
                                "in --db / COFFEECHAT_DB is right") from None
        try:
            applied = self._migrate() if migrate else []
        except BaseException:
            self._pool.close()
            raise
        if migrate:
            self._register(applied)
        else:
            self._opened = 0

    def _url_key(self) -> str:
        return self._url

    def close(self) -> None:
        self.closed = True
        self._pool.close()

    @contextmanager
    def reading(self) -> Iterator[PostgresTransaction]:
        try:
            with self._pool.connection() as conn:
                yield PostgresTransaction(conn, self.path)
        except PoolTimeout:
            raise busy(self.path) from None
        except psycopg.OperationalError as exc:
            raise connection_fault(self.path, exc) from None

    @contextmanager
    def snapshot(self) -> Iterator[PostgresTransaction]:
        try:
            with self._pool.connection() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield PostgresTransaction(conn, self.path)
        except psycopg.OperationalError as exc:
            raise connection_fault(self.path, exc) from None

    @contextmanager
    def _transaction(self) -> Iterator[PostgresTransaction]:
        with self._lock:
            try:
                with self._pool.connection() as conn, conn.transaction():
                    yield PostgresTransaction(conn, self.path)
            except psycopg.errors.IntegrityError as exc:
                raise ConstraintViolation(_first_line(str(exc)), exc.diag.constraint_name) from exc
            except PoolTimeout:
                raise busy(self.path) from None
            except psycopg.OperationalError as exc:
                raise connection_fault(self.path, exc) from None

    def check_constraints(self, table: str) -> list[str]:
        return [e for (e,) in self.rows("""SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                                           JOIN pg_class t ON t.oid = c.conrelid
                                           WHERE t.relname = ? AND c.contype = 'c'""", [table])]

    def _serialise_migrations(self, tx: Transaction) -> None:
        tx.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")


def _why(exc: Exception, url: str) -> str:
    cause = exc.__cause__ or exc.__context__ or exc
    text = _first_line(str(cause)) or type(exc).__name__
    return text.replace(url, redacted(url))


def busy(where: str) -> DatabaseFault:
    return DatabaseFault(f"the PostgreSQL server for {where} is too busy: no connection came free within "
                         f"{WAIT_FOR_CONNECTION_S} s, so nothing was read or saved. Try again in a moment; if it "
                         "keeps happening, add app processes or raise the server's capacity")


def connection_fault(where: str, exc: Exception) -> DatabaseFault:
    """A server that went away, a disk that filled, a database made read-only: said plainly."""
    lower = str(exc).lower()
    if "no space left" in lower or "disk full" in lower:
        return DiskFull(f"the PostgreSQL server for {where} has no disk space left, so the change was not "
                        "saved (nothing of it was kept). Free some space and try again")
    if "read-only transaction" in lower:
        return ReadOnlyDatabase(f"database {where} is read-only on the server, so the change was not saved")
    return DatabaseFault(f"lost the connection to PostgreSQL at {where} ({_first_line(str(exc))}); "
                         "nothing of the change was kept. Try again; if it persists, check the server")
