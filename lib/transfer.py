"""Moving a whole database between stores, and proving it arrived: `python -m lib copy
--from PATH_OR_URL --to PATH_OR_URL` (a DuckDB file to a career centre's PostgreSQL, or back).

The destination's schema comes from our own migrations (the ones the source records), its
rows from the source in one transaction read from one snapshot, and the copy is kept only
when every table's row count and checksum (`fingerprints`, the backup manifest's figures)
equal the source's. A DuckDB destination is built under a temporary name and appears only
then; a PostgreSQL destination must be an empty database, and a failed copy rolls back
whole (PostgreSQL's schema changes are transactional), so nothing is half-written.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from lib import migrations
from lib.db import Database, is_url

CHECKSUM = "rows-blake2b"       # the checksum's name, written before its value in a manifest


class CopyMismatch(ValueError):
    """The destination did not come out equal to the source; nothing of it was kept."""

    def __init__(self, differences: list[str]):
        super().__init__("the copy did not match its source, so nothing was kept: " + "; ".join(differences))
        self.differences = differences


def _canonical(value: Any) -> str:
    """One spelling of a value whichever engine read it (uuids, dates and timestamps alike)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return repr(value)


def fingerprints(cur) -> dict[str, dict]:
    """Per table: its row count and an order-independent checksum of every row's contents,
    computed the same way on DuckDB and PostgreSQL (columns by name, values spelled one way),
    so a copy between them, or a backup restored into either, can be proved equal."""
    result = {}
    for table in migrations.tables(cur):
        found = cur.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in found.description]
        order = sorted(range(len(names)), key=names.__getitem__)
        total, rows = 0, 0
        for row in found.fetchall():
            text = "\x1f".join(f"{names[i]}={_canonical(row[i])}" for i in order)
            total = (total + int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")) % 2**64
            rows += 1
        result[table] = {"rows": rows, "checksum": f"{CHECKSUM}:{total:016x}"}
    return result


def differences(expected: dict[str, dict], found: dict[str, dict]) -> list[str]:
    return [f"{table}: {expected.get(table)} in the source, {found.get(table)} in the copy"
            for table in sorted(set(expected) | set(found)) if expected.get(table) != found.get(table)]


def _frame(names: list[str], rows: list[tuple]) -> pd.DataFrame:
    """Rows as a frame of Python objects: no value is reinterpreted on the way (a whole
    number stays whole, a missing one stays missing)."""
    columns = list(zip(*rows)) if rows else [()] * len(names)
    return pd.DataFrame({name: pd.Series(list(values), dtype=object) for name, values in zip(names, columns)})


def copy_into(source: Database, target: Database) -> dict:
    """Fill `target` (opened with migrate=False, holding no tables) from `source`."""
    if target.tables():
        raise ValueError(f"{target.path} already holds tables; copy into an empty database")
    with source.snapshot() as read:
        names = migrations.recorded(read)
        expected = fingerprints(read)
        with target.write(internal=True) as tx:
            migrations.apply(tx, only=names)
            ours = set(migrations.tables(tx))
            strange = sorted(set(expected) - ours)
            if strange:
                raise ValueError(f"the source has tables this app's schema does not: {', '.join(strange)}")
            for table in sorted(ours):
                tx.execute(f'DELETE FROM "{table}"')        # what the migrations seeded; the source is the truth
            for table in sorted(expected):
                found = read.execute(f'SELECT * FROM "{table}"')
                tx.insert_frame(table, _frame([d[0] for d in found.description], found.fetchall()))
            mismatched = differences(expected, fingerprints(tx))
            if mismatched:
                raise CopyMismatch(mismatched)             # rolls the whole copy back
    return {"tables": len(expected), "rows": sum(t["rows"] for t in expected.values()), "fingerprints": expected}


def copy(source: str | Path, destination: str | Path) -> dict:
    """Copy the whole database at `source` (a DuckDB file or a postgresql:// URL; opening it
    brings it up to this app's schema) into `destination`, a new DuckDB file or an empty
    PostgreSQL database. Raises ValueError, saying why, and leaves no destination behind."""
    if str(source) == str(destination):
        raise ValueError("--from and --to are the same database")
    with Database(str(source) if is_url(str(source)) else Path(source)) as src:
        return copy_from(src, destination)


def copy_from(src: Database, destination: str | Path) -> dict:
    if is_url(str(destination)):
        with Database(str(destination), migrate=False) as target:
            return copy_into(src, target)
    from lib.store.duckdb import new_file
    with new_file(destination, "copy") as building, Database(building.path, migrate=False) as target:
        result = copy_into(src, target)
        target.checkpoint()
    return result
