"""The CSV export cannot be turned into formulas by a spreadsheet: not at the start of a
cell, not after a separator a spreadsheet may split on (, ; tab, line break), not with
fullwidth signs or leading whitespace (issue 16 item 4). LibreOffice itself checks the
result in tests/reliability/test_csv_in_a_spreadsheet.py."""
import csv
import io
import re

import pytest

from lib import exports

TRIGGERS = "=+-@＝＋－＠"


def dangerous_segments(cell: str) -> list[str]:
    """Pieces of a cell a spreadsheet could read as a formula, however it splits and trims."""
    return [piece for piece in re.split(r"[,;\t\r\n]", cell) if piece.strip() and piece.strip()[0] in TRIGGERS]


@pytest.mark.parametrize("text", [
    "x;=1007+0;y", "x,=1007+0,y", "x\t=1007+0", "x\n=1007+0", "x\r\n+1007", "a;-1007+0", "a,@SUM(1007)",
    " =1007+0", "\u3000=1007+0", "\u00a0+1007", "＝1007+0", "x;＋1007", "x; －1007", "＠SUM(1)", ";=1;=2;=3",
    "=1007+0", "@SUM(A1)", "x; \t =1007",
])
def test_every_piece_a_spreadsheet_could_split_off_is_text(text):
    cell = exports.neutralise(text)
    assert dangerous_segments(cell) == []
    assert cell.replace("'", "") == text.replace("'", "")        # only apostrophes were added


@pytest.mark.parametrize("text", ["Plain", "a=b", "Ada Lovelace", "x;y", "1,5", "e-mail", "well-known", ""])
def test_harmless_text_is_unchanged(text):
    assert exports.neutralise(text) == text


def test_the_csv_quotes_every_field_so_no_separator_splits_it():
    out = io.StringIO()
    exports.write_rows(out, [["x;=1007+0;y", "plain"]])
    assert out.getvalue() == "\"x;'=1007+0;y\",\"plain\"\r\n"
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["x;'=1007+0;y", "plain"]]
