"""LinkedIn's Connections.csv: read it, say what it holds, and import it in one transaction.

LinkedIn's data export ("Get a copy of your data" > Connections) has had two shapes:
- current: a "Notes:" line, one quoted note, a blank line, then the header
  First Name,Last Name,URL,Email Address,Company,Position,Connected On
  with dates like "06 Dec 2023", newest first;
- older: the header on the first line, no URL column, dates like "1/8/18, 6:14 PM".
The header is found by its content, never by line number. Most emails are empty:
members choose whether to share them.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable

import pandas as pd

from lib import network
from lib.db import Database, new_id
from lib.models import InvalidInput

IMPORT_KIND = "linkedin_connections"
REQUIRED = ("First Name", "Last Name", "Company", "Position", "Connected On")
OPTIONAL = ("URL", "Email Address")
HEADER_SEARCH_LINES = 50
DATE_FORMATS = ("%d %b %Y", "%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%y", "%Y-%m-%d")
MAX_FIELD = 300
CHUNK_ROWS = 5_000


class NotAConnectionsExport(ValueError):
    """The file can't be read as a Connections export; the message says what is missing."""


@dataclass(frozen=True)
class Connection:
    line: int                 # where the row starts in the file, 1-based
    name: str
    linkedin_url: str | None
    email: str | None
    company: str | None
    position: str | None
    connected_on: date | None


@dataclass
class ParsedFile:
    header_line: int
    layout: str                                   # 'current' (with URL) or 'older'
    connections: list[Connection] = field(default_factory=list)
    skipped_blank: int = 0
    invalid: list[dict] = field(default_factory=list)   # {"line": n, "reason": "..."}


@dataclass
class ImportPlan:
    parsed: ParsedFile
    new: list[Connection]
    duplicates: list[tuple[Connection, str]]      # (row, what it matched)

    def summary(self) -> dict:
        """The figures of a preview, in the CLI's --json shape."""
        return {"new": len(self.new), "duplicates": len(self.duplicates),
                "skipped_blank": self.parsed.skipped_blank, "invalid": list(self.parsed.invalid)}


# --- reading the file --------------------------------------------------------------------

def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252.

    A ZIP (the whole LinkedIn archive, or Excel's .xlsx) is opened to find Connections.csv.
    """
    if data[:4] == b"PK\x03\x04":
        return decode(_connections_from_zip(data))
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise NotAConnectionsExport("this is not a text file; export Connections.csv from LinkedIn "
                                    "and upload that file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise NotAConnectionsExport("the file is neither UTF-8 nor Windows-1252 text") from None


def _connections_from_zip(data: bytes) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1].lower() == "connections.csv"]
    except zipfile.BadZipFile:
        raise NotAConnectionsExport("the file looks like a damaged ZIP archive") from None
    if not names:
        raise NotAConnectionsExport("this ZIP archive holds no Connections.csv (an Excel file? "
                                    "save it as CSV, or upload LinkedIn's own Connections.csv)")
    return archive.read(names[0])


def parse(data: bytes, today: date | None = None) -> ParsedFile:
    """Read a Connections export. Refuses (NotAConnectionsExport) a file that isn't one;
    otherwise every data row is a connection, a counted blank, or an invalid row with a reason."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    header, header_line, columns = _find_header(reader)
    parsed = ParsedFile(header_line=header_line, layout="current" if "URL" in columns else "older")
    previous_end = reader.line_num
    for row in reader:
        line, previous_end = previous_end + 1, reader.line_num
        try:
            connection = _connection(row, line, header, columns, today)
        except InvalidInput as exc:
            parsed.invalid.append({"line": line, "reason": f"{exc.field}: {exc.message}"})
            continue
        if connection is None:
            parsed.skipped_blank += 1
        else:
            parsed.connections.append(connection)
    return parsed


def _find_header(reader) -> tuple[list[str], int, dict[str, int]]:
    wanted = {name.casefold(): name for name in REQUIRED + OPTIONAL}
    for row in reader:
        if reader.line_num > HEADER_SEARCH_LINES:
            break
        cells = [cell.strip().lstrip("\ufeff").casefold() for cell in row]
        if "first name" in cells and "last name" in cells:
            columns = {wanted[c]: i for i, c in enumerate(cells) if c in wanted}
            missing = [name for name in REQUIRED if name not in columns]
            if missing:
                raise NotAConnectionsExport(
                    f"the header on line {reader.line_num} has no {_join(missing)} column"
                    f"{'s' if len(missing) > 1 else ''}; a LinkedIn Connections export has "
                    f"{', '.join(REQUIRED[:2] + OPTIONAL + REQUIRED[2:])}")
            return row, reader.line_num, columns
    raise NotAConnectionsExport(
        f"no header row with 'First Name' and 'Last Name' in the first {HEADER_SEARCH_LINES} lines; "
        "this does not look like LinkedIn's Connections.csv")


def _join(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _connection(row: list[str], line: int, header: list[str], columns: dict[str, int],
                today: date | None) -> Connection | None:
    if not any(cell.strip() for cell in row):
        return None
    extra = row[len(header):]
    if len(row) < len(header) or any(cell.strip() for cell in extra):
        raise InvalidInput("row", f"has {len(row)} fields where the header has {len(header)} "
                                  "(a comma outside quotes?)")

    def cell(name: str) -> str | None:
        index = columns.get(name)
        value = row[index].strip() if index is not None else ""
        if len(value) > MAX_FIELD:
            raise InvalidInput(name, f"is {len(value)} characters long; the limit is {MAX_FIELD}")
        return value or None

    name = " ".join(part for part in (cell("First Name"), cell("Last Name")) if part)
    raw_url = cell("URL")
    if not name and not raw_url:
        return None
    url = network.normalise_linkedin(raw_url, "URL")
    if not name:
        name = network.name_from_linkedin(url)
    return Connection(line=line, name=name, linkedin_url=url,
                      email=network.normalise_email(cell("Email Address"), "Email Address"),
                      company=cell("Company"), position=cell("Position"),
                      connected_on=_date(cell("Connected On"), today))


def _date(text: str | None, today: date | None) -> date | None:
    if text is None:
        return None
    for fmt in DATE_FORMATS:
        try:
            day = datetime.strptime(text, fmt).date()
            break
        except ValueError:
            continue
    else:
        raise InvalidInput("Connected On", f"{text!r} is not a date like '06 Dec 2023' or '1/8/18, 6:14 PM'")
    if today is not None and day > today:
        raise InvalidInput("Connected On", f"{day:%d %b %Y} is in the future")
    if day.year < 2003:  # LinkedIn opened in May 2003
        raise InvalidInput("Connected On", f"{day:%d %b %Y} is before LinkedIn existed")
    return day


# --- what an import would do, and doing it --------------------------------------------------

def plan(db_or_cursor, student_id: str, parsed: ParsedFile) -> ImportPlan:
    """Split the parsed rows into new people and people already present (by LinkedIn URL,
    email, or the same name at the same organisation when either side has no URL)."""
    known = network.contact_keys(db_or_cursor, student_id)
    new, duplicates = [], []
    for connection in parsed.connections:
        match = known.match(connection.name, connection.company, connection.email, connection.linkedin_url)
        if match:
            duplicates.append((connection, match))
        else:
            new.append(connection)
            known.add(connection.name, connection.company, connection.email, connection.linkedin_url,
                      f"line {connection.line} of this file")
    return ImportPlan(parsed=parsed, new=new, duplicates=duplicates)


def preview(db: Database, student_id: str, data: bytes, today: date) -> ImportPlan:
    return plan(db, student_id, parse(data, today))


def commit(db: Database, student_id: str, parsed: ParsedFile, *, filename: str | None, now: datetime,
           progress: Callable[[int, int], None] | None = None) -> tuple[str, ImportPlan]:
    """Import the new people in one transaction; returns (import id, the plan it carried out).

    The plan is made again inside the write lock, so importing the same file twice (or a
    contact added meanwhile) adds nothing twice.
    """
    with db.write(student_id=student_id) as cur:
        plan_now = plan(cur, student_id, parsed)
        import_id = new_id()
        cur.execute("INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?)",
                    [import_id, student_id, IMPORT_KIND, filename, len(plan_now.new), now])
        rows = plan_now.new
        org_ids = network.ensure_organisations(cur, student_id, [r.company for r in rows], now)
        total = len(rows)
        for start in range(0, total, CHUNK_ROWS):
            chunk = rows[start:start + CHUNK_ROWS]
            frame = pd.DataFrame({
                "id": [new_id() for _ in chunk],
                "student_id": student_id,
                "name": [r.name for r in chunk],
                "role": [r.position for r in chunk],
                "organisation_id": [org_ids.get(network.org_key(r.company)) for r in chunk],
                "email": [r.email for r in chunk],
                "linkedin_url": [r.linkedin_url for r in chunk],
                "warmth": "cold",
                "source": "linkedin",
                "how_met": "LinkedIn connection",
                "connected_on": [r.connected_on for r in chunk],
                "import_id": import_id,
                "created_at": now,
            })
            cur.register("imported_contacts", frame)
            cur.execute("INSERT INTO contacts BY NAME SELECT * FROM imported_contacts")
            cur.unregister("imported_contacts")
            if progress:
                progress(min(start + CHUNK_ROWS, total), total)
    db.checkpoint()
    return import_id, plan_now


def imports_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """The student's LinkedIn imports, newest first, with how many of their people remain."""
    return db.df("""
        SELECT i.imported_at AS "Imported", i.filename AS "File", i.row_count AS "New contacts",
               count(c.id) FILTER (WHERE c.archived_at IS NULL) AS "Still in the network"
        FROM imports i LEFT JOIN contacts c ON c.import_id = i.id
        WHERE i.student_id = $sid AND i.kind = $kind
        GROUP BY i.id, i.imported_at, i.filename, i.row_count ORDER BY i.imported_at DESC""",
        {"sid": student_id, "kind": IMPORT_KIND})
