"""Hostile LinkedIn uploads: zip bombs (honest and lying headers, nested names, several
Connections.csv), oversized CSV fields, NULs, mixed and broken encodings, rows with unusable
optional fields. Each is refused with a message naming the line or member, or imported with
warnings naming the lines; nothing raises anything else. Counts go to the README."""
import io
import struct
import tracemalloc
import zipfile

from lib import linkedin
from tests.conftest import TODAY
from tests.reliability.figures import record

HEADER = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
ROW = b"Ada,Byron,https://www.linkedin.com/in/ada,,Contoso,Analyst,06 Dec 2023\n"


def zipped(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def lying(data: bytes, size: int) -> bytes:
    """The same archive with the central directory's uncompressed size replaced."""
    data = bytearray(data)
    at = data.rfind(b"PK\x01\x02")
    data[at + 24:at + 28] = struct.pack("<I", size)
    return bytes(data)


def bombs():
    big = HEADER + b"a" * 200_000_000
    yield "200 MB in one member", zipped({"Connections.csv": big})
    yield "200 MB, header says 100 bytes", lying(zipped({"Connections.csv": big}), 100)
    yield "60 MB of rows (ratio)", zipped({"Connections.csv": HEADER + ROW * 850_000})
    yield "bomb in a folder", zipped({"Basic_LinkedInDataExport/Connections.csv": big})


def malformed():
    yield "field of 131,073 characters", HEADER + b'B,"' + b"x" * 131_073 + b'",,,X,Y,06 Dec 2023\n'
    yield "field of 5 MB", HEADER + ROW + b'B,"' + b"x" * 5_000_000 + b'",,,X,Y,06 Dec 2023\n'
    yield "unclosed quote to the end", HEADER + ROW + b'B,"' + b"x" * 200_000
    yield "NUL in a name", HEADER + ROW + b"B\x00,Two,,,X,Y,06 Dec 2023\n"
    yield "mixed UTF-8 and Windows-1252", HEADER + "Zoë,D,,,X,Y,06 Dec 2023\n".encode() + \
        "Rémi,Müller,,,Société,Ingénieur,06 Dec 2023\n".encode("cp1252") * 5
    yield "UTF-16 BOM then odd bytes", b"\xff\xfe" + "First Name".encode("utf-16-le") + b"\x00"
    yield "damaged zip", zipped({"Connections.csv": HEADER + ROW * 100})[:200]
    yield "zip without Connections.csv", zipped({"Profile.csv": b"First Name\nMe\n"})
    yield "encrypted-flag zip", _encrypted_flag(zipped({"Connections.csv": HEADER + ROW}))


def _encrypted_flag(data: bytes) -> bytes:
    data = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        data[at + offset] |= 1
    return bytes(data)


def warned():
    rows = [b"Ada,Byron,,urn:li:member:12345,X,Y,06 Dec 2023", b"Ada,Two,,ada at example,X,Y,06 Dec 2023",
            b"Ada,Three,,,X,Y,31 Feb 2023", b"Ada,Four,,,X,Y,21 Nov 2026", b"Ada,Five,,,X,Y,01 Jan 1999",
            b"Ada,Six,not a url,,X,Y,06 Dec 2023", b"Ada,Seven,,,X," + b"p" * 400 + b",06 Dec 2023",
            b"Bad\xff,Byte,,,Cr\xc3\xa9dit,Y,06 Dec 2023"]
    yield "unusable optional fields and one bad byte", HEADER + b"\n".join(rows) + b"\n"


def test_hostile_uploads_figure():
    tried = refused = imported_with_warnings = tracebacks = 0
    peak = 0
    for name, data in bombs():
        tried += 1
        tracemalloc.start()
        try:
            linkedin.parse(data, TODAY)
        except linkedin.NotAConnectionsExport as exc:
            refused += 1
            assert "Connections.csv" in str(exc), (name, exc)
        except Exception as exc:                  # noqa: BLE001
            tracebacks += 1
            raise AssertionError(f"{name}: {exc!r}")
        else:
            raise AssertionError(f"{name} was not refused")
        finally:
            peak = max(peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
    for name, data in malformed():
        tried += 1
        try:
            linkedin.parse(data, TODAY)
        except linkedin.NotAConnectionsExport as exc:
            refused += 1
            assert str(exc), name
        except Exception as exc:                  # noqa: BLE001
            tracebacks += 1
            raise AssertionError(f"{name}: {exc!r}")
        else:
            raise AssertionError(f"{name} was not refused")
    tried += 1                                     # a bomb beside the real file: the real one is read, and named
    parsed = linkedin.parse(zipped({"a/Connections.csv": HEADER + b"a" * 200_000_000,
                                    "Connections.csv": HEADER + ROW}), TODAY)
    assert len(parsed.connections) == 1 and "a/Connections.csv" in parsed.source and "not used" in parsed.source
    for name, data in warned():
        parsed = linkedin.parse(data, TODAY)
        tried += len(parsed.connections)
        imported_with_warnings += len({w["line"] for w in parsed.warnings})
        assert len(parsed.connections) == 8 and parsed.invalid == [], name
        assert [w["line"] for w in parsed.warnings] == list(range(2, 10)), parsed.warnings
    record("hostile LinkedIn uploads", tried=tried, refused_with_a_message=refused,
           imported_with_a_warning_naming_the_line=imported_with_warnings, tracebacks=tracebacks,
           peak_memory_bytes_for_the_bombs=peak)
    assert peak < 30_000_000
