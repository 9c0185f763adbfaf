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
    invalid: list[dict] = field(default_factory=list)   # {"line": n, "reason": "..."}: rows not imported
    encoding: str = "utf-8"                       # as decided by read_text
    source: str | None = None                     # which file of an archive was read
    warnings: list[dict] = field(default_factory=list)  # {"line": n, "reason": "..."}: imported, a field left out


@dataclass
class ImportPlan:
    parsed: ParsedFile
    new: list[Connection]
    duplicates: list[tuple[Connection, str]]      # (row, what it matched)

    def summary(self) -> dict:
        """The figures of a preview, in the CLI's --json shape."""
        return {"new": len(self.new), "duplicates": len(self.duplicates),
                "skipped_blank": self.parsed.skipped_blank, "invalid": list(self.parsed.invalid),
                "warnings": list(self.parsed.warnings)}


# --- reading the file --------------------------------------------------------------------

MAX_TEXT_BYTES = 20_000_000      # a 30,000-connection export is about 3 MB
MAX_ZIP_RATIO = 50               # real CSV text deflates 3-10 times; a bomb, hundreds or thousands
ZIP_CHUNK = 1 << 16


def decode(data: bytes) -> str:
    """The file's text (see read_text, which also says how it was decided)."""
    return read_text(data)[0]


def read_text(data: bytes) -> tuple[str, str, str | None, list[dict]]:
    """(text, encoding, source note, warnings) of an upload: a Connections.csv, or a ZIP (the
    whole LinkedIn archive) holding one, read with bounds on size and compression ratio.

    The encoding is decided per file, with evidence: a BOM says UTF-8 or UTF-16; text that
    is valid UTF-8 is UTF-8; text with valid UTF-8 characters and a few bytes that are not
    stays UTF-8, those bytes replaced and their lines returned as warnings; text with no
    UTF-8 characters at all is Windows-1252. A file that mixes the two is refused rather
    than shown garbled."""
    source = None
    if data[:4] == b"PK\x03\x04":
        data, source = _connections_from_zip(data)
    if len(data) > MAX_TEXT_BYTES:
        raise NotAConnectionsExport(f"the file is {len(data):,} bytes, larger than the {MAX_TEXT_BYTES:,} a "
                                    "LinkedIn Connections export can be")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise NotAConnectionsExport(f"the file says it is UTF-16 but byte {exc.start:,} is not") from None
        _refuse_nul(text, "\x00")
        return text, "utf-16", source, []
    head = data[:4096]
    control = sum(head.count(bytes([c])) for c in (*range(0, 9), *range(14, 27), *range(28, 32)))
    if head.count(b"\x00") > 4 or control > max(2, len(head) // 20):
        raise NotAConnectionsExport("this is not a text file; export Connections.csv from LinkedIn "
                                    "and upload that file")
    _refuse_nul(data, b"\x00")
    try:
        return data.decode("utf-8-sig"), "utf-8", source, []
    except UnicodeDecodeError:
        pass
    bad_at = _invalid_utf8_positions(data)
    good = _utf8_multibyte_count(data)
    if good == 0:
        try:
            return data.decode("cp1252"), "cp1252", source, []
        except UnicodeDecodeError:
            raise NotAConnectionsExport("the file is neither UTF-8 nor Windows-1252 text; save it again as "
                                        "UTF-8 (CSV UTF-8 in Excel)") from None
    lines = sorted({data.count(b"\n", 0, at) + 1 for at in bad_at})
    if len(bad_at) > good:
        raise NotAConnectionsExport(
            f"the file mixes text encodings: {good:,} characters are UTF-8 but {len(bad_at):,} bytes are not "
            f"(lines {_lines(lines)}); save it again as UTF-8 (CSV UTF-8 in Excel) and upload it again")
    text = data.decode("utf-8-sig", errors="replace")
    warnings = [{"line": line, "reason": "bytes that are not UTF-8 were replaced by \ufffd on this line; "
                                        "check the names on it"} for line in lines]
    return text, "utf-8", source, warnings


def _refuse_nul(text, nul) -> None:
    at = text.find(nul)
    if at >= 0:
        newline = "\n" if isinstance(text, str) else b"\n"
        raise NotAConnectionsExport(f"line {text.count(newline, 0, at) + 1} holds a NUL character, which a "
                                    "Connections export never has (a damaged file?); nothing was imported")


def _lines(lines: list[int], most: int = 10) -> str:
    shown = ", ".join(str(n) for n in lines[:most])
    return shown + (f" and {len(lines) - most:,} more" if len(lines) > most else "")


def _invalid_utf8_positions(data: bytes) -> list[int]:
    positions, start = [], 0
    while True:
        try:
            data[start:].decode("utf-8")
            return positions
        except UnicodeDecodeError as exc:
            positions.append(start + exc.start)
            start += exc.end
            if len(positions) > 100_000:
                return positions


def _utf8_multibyte_count(data: bytes) -> int:
    """How many well-formed multi-byte UTF-8 characters the bytes hold (the evidence for UTF-8)."""
    import re
    return len(re.findall(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}", data))


def _connections_from_zip(data: bytes) -> tuple[bytes, str]:
    """The Connections.csv inside an archive, read in chunks with the declared and the real
    size bounded, and the compression ratio too: a small archive that would expand to
    hundreds of megabytes is refused before it is expanded."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist()
                   if m.filename.rsplit("/", 1)[-1].lower() == "connections.csv" and not m.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise NotAConnectionsExport("the file looks like a damaged ZIP archive") from None
    if not members:
        raise NotAConnectionsExport("this ZIP archive holds no Connections.csv (an Excel file? "
                                    "save it as CSV, or upload LinkedIn's own Connections.csv)")
    members.sort(key=lambda m: (m.filename.count("/"), -m.date_time[0], m.filename))   # the top-level one first
    member = members[0]
    source = f"{member.filename} from the archive"
    if len(members) > 1:
        others = ", ".join(m.filename for m in members[1:])
        source = (f"{member.filename} from the archive, which holds {len(members)} files named "
                  f"Connections.csv (the others, not used: {others})")
    _check_member(member)
    out = bytearray()
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(ZIP_CHUNK):
                out += chunk
                if len(out) > MAX_TEXT_BYTES:
                    raise NotAConnectionsExport(f"{member.filename} in the archive expands to more than "
                                                f"{MAX_TEXT_BYTES:,} bytes, larger than a Connections export can be")
                if len(out) > 1_000_000 and len(out) > MAX_ZIP_RATIO * max(member.compress_size, 1):
                    raise NotAConnectionsExport(f"{member.filename} in the archive expands more than "
                                                f"{MAX_ZIP_RATIO} times; refused as a possible zip bomb")
    except NotAConnectionsExport:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, RuntimeError,
            NotImplementedError, zlib_error()) as exc:
        raise NotAConnectionsExport(f"{member.filename} in the archive is damaged or encrypted and can't be "
                                    f"read ({exc}); unzip it and upload Connections.csv itself") from None
    return bytes(out), source


def zlib_error():
    import zlib
    return zlib.error


def _check_member(member: zipfile.ZipInfo) -> None:
    if member.flag_bits & 0x1:
        raise NotAConnectionsExport(f"{member.filename} in the archive is encrypted; unzip it and upload "
                                    "Connections.csv itself")
    if member.file_size > MAX_TEXT_BYTES:
        raise NotAConnectionsExport(f"{member.filename} in the archive expands to {member.file_size:,} bytes, "
                                    f"larger than the {MAX_TEXT_BYTES:,} a Connections export can be")
    if member.file_size > 1_000_000 and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1):
        raise NotAConnectionsExport(f"{member.filename} in the archive is compressed {member.file_size // max(member.compress_size, 1):,} "
                                    f"times (a real export about 5); refused as a possible zip bomb")


def parse(data: bytes, today: date | None = None) -> ParsedFile:
    """Read a Connections export. Refuses (NotAConnectionsExport) a file that isn't one or that
    can't be read (the message names the line); otherwise every data row is a connection
    (perhaps with a warning about a field left out), a counted blank, or an invalid row."""
    text, encoding, source, warnings = read_text(data)
    del data
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    del text
    previous_end = None
    try:
        header, header_line, columns = _find_header(reader)
        parsed = ParsedFile(header_line=header_line, layout="current" if "URL" in columns else "older",
                            encoding=encoding, source=source, warnings=list(warnings))
        previous_end = reader.line_num
        for row in reader:
            line, previous_end = previous_end + 1, reader.line_num
            try:
                connection = _connection(row, line, header, columns, today, parsed.warnings)
            except InvalidInput as exc:
                parsed.invalid.append({"line": line, "reason": f"{exc.field}: {exc.message}"})
                continue
            if connection is None:
                parsed.skipped_blank += 1
            else:
                parsed.connections.append(connection)
    except csv.Error as exc:              # a field past the csv module's limit, a NUL...
        line = max(reader.line_num, 1) if previous_end is None else previous_end + 1
        raise NotAConnectionsExport(f"line {line} can't be read as CSV ({_csv_reason(exc)}); "
                                    "nothing was imported") from None
    parsed.warnings.sort(key=lambda w: w["line"])
    return parsed


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a field is longer than {csv.field_size_limit():,} characters"
    if "NUL" in text:
        return "it holds a NUL character"
    return text


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
                today: date | None, warnings: list[dict]) -> Connection | None:
    """A row as a connection. Only a row without a name (nor a URL to name it from) is
    refused; an optional field that can't be used (an email like urn:li:member:..., a date
    that doesn't parse or lies in the future, a broken URL, an over-long company) is left
    out, and the line is listed in `warnings`."""
    if not any(cell.strip() for cell in row):
        return None
    extra = row[len(header):]
    if len(row) < len(header) or any(cell.strip() for cell in extra):
        raise InvalidInput("row", f"has {len(row)} fields where the header has {len(header)} "
                                  "(a comma outside quotes?)")

    def raw(name: str) -> str | None:
        index = columns.get(name)
        value = row[index].strip() if index is not None else ""
        return value or None

    def optional(name: str, check: Callable[[str], object]) -> object:
        value = raw(name)
        if value is None:
            return None
        try:
            if len(value) > MAX_FIELD:
                raise InvalidInput(name, f"is {len(value):,} characters long; the limit is {MAX_FIELD}")
            return check(value)
        except InvalidInput as exc:
            warnings.append({"line": line, "reason": f"{name}: {exc.message}; imported without it"})
            return None

    first, last = raw("First Name"), raw("Last Name")
    for part, label in ((first, "First Name"), (last, "Last Name")):
        if part and len(part) > MAX_FIELD:
            raise InvalidInput(label, f"is {len(part):,} characters long; the limit is {MAX_FIELD}")
    name = " ".join(part for part in (first, last) if part)
    raw_url = raw("URL")
    if not name and not raw_url:
        if any(cell.strip() for cell in row):
            raise InvalidInput("row", "has no name (First Name, Last Name) and no profile URL to name it from")
        return None
    url = optional("URL", lambda v: network.normalise_linkedin(v, "URL"))
    if not name:
        if url is None:
            raise InvalidInput("row", "has no name (First Name, Last Name) and no usable profile URL")
        name = network.name_from_linkedin(url)
    return Connection(line=line, name=name, linkedin_url=url,
                      email=optional("Email Address", _email),
                      company=optional("Company", lambda v: v), position=optional("Position", lambda v: v),
                      connected_on=optional("Connected On", lambda v: _date(v, today)))


def _email(text: str) -> str | None:
    if text.lower().startswith("urn:li:"):
        raise InvalidInput("Email Address", f"{text!r} is a LinkedIn member id (older exports), not an email "
                                            "address")
    return network.normalise_email(text, "Email Address")


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
            cur.insert_frame("contacts", frame)
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
