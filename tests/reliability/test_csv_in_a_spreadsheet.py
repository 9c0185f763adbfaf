"""The contacts CSV opened by a real spreadsheet (LibreOffice Calc, headless) with formulas
evaluated, split on commas, semicolons, tabs or all three, with spaces trimmed, then saved
as values: no cell may come out computed (issue 16 item 4). The same payloads written
without neutralising are checked too, so the test shows it can see a formula run."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess

import pytest

from lib import exports, network
from lib.network import ContactInput
from lib.students import create_student
from tests.reliability.figures import record

# Each payload computes a number ending in 1007 (or an error) if a spreadsheet evaluates it.
PAYLOADS = [
    "=1007+0", "+1007+0", "-1007+0", "@SUM(1007)", "=SUM(1007;0)",
    "x;=1007+0;y", "x,=1007+0,y", "x\t=1007+0", "x\n=1007+0", "x\r\n=1007+0", "a;-1007+0", "a,@SUM(1007)",
    " =1007+0", "\u3000=1007+0", "\u00a0+1007+0", "＝1007+0", "x;＋1007+0", "x; －1007+0", "＠SUM(1007)",
    ";=1007+0;=2014+0", "x; \t =1007+0", '=HYPERLINK("http://x.example/1007";"1007")', "=1007+0;", "\t=1007+0",
    "'=1007+0", "x;'=1007+0",
]
SEPARATORS = {"comma": "44", "semicolon": "59", "tab": "9", "comma, semicolon and tab": "44/59/9"}
COMPUTED = re.compile(r"^\s*-?\d*1007(\.0+)?\s*$|^\s*-?2014\s*$|^Err:|^#")


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        message = ("LibreOffice is missing: install it with `sudo apt-get install libreoffice-calc-nogui` "
                   "(`make test` does this when run as root)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def as_values(tmp_path, name: str, text: str, separator: str) -> list[str]:
    """Open `text` as CSV in LibreOffice (formulas evaluated, spaces trimmed), save the values."""
    source = tmp_path / f"{name}.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / f"out-{name}"
    # import: separators, quote ", UTF-8, line 1, -, -, quoted as text: no, detect numbers: yes,
    # -, -, trim spaces: yes, -, evaluate formulas: yes.  export: values as shown, not formulas.
    result = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
         f"--infilter=CSV:{separator},34,76,1,,0,false,true,false,false,true,0,true",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,false,true,false,false",
         "--outdir", str(out), str(source)], capture_output=True, text=True, timeout=180)
    produced = out / f"{name}.csv"
    assert produced.exists(), result.stdout + result.stderr
    return [cell for row in csv.reader(io.StringIO(produced.read_text(encoding="utf-8"))) for cell in row]


def raw_csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def test_no_cell_of_the_export_is_computed_by_libreoffice(tmp_path, db, now):
    soffice()
    student = create_student(db, "Ada Lovelace")
    for i, payload in enumerate(PAYLOADS):          # through the app's own export of contacts
        network.add_contact(db, student, ContactInput(name=f"Person {i}", source="alumni", role=payload,
                                                      how_met=payload), now)
    exported = exports.contacts_csv(db, student, now.date())
    assert sum(p in exported for p in ("x;'=1007+0;y",)) == 1
    cells = computed = control_computed = 0
    for label, separator in SEPARATORS.items():
        values = as_values(tmp_path, f"export-{separator.replace('/', '_')}", exported, separator)
        cells += len(values)
        bad = [v for v in values if COMPUTED.search(v)]
        computed += len(bad)
        assert bad == [], f"{label}: {bad}"
        control = as_values(tmp_path, f"control-{separator.replace('/', '_')}",
                            raw_csv([[p] for p in PAYLOADS]), separator)
        control_computed += sum(bool(COMPUTED.search(v)) for v in control)
    assert control_computed > 0, "LibreOffice evaluated nothing: the check would see no formula"
    record("CSV export in LibreOffice", payloads=len(PAYLOADS), separators_tried=len(SEPARATORS),
           cells_read_back=cells, cells_computed=computed,
           cells_computed_without_neutralising=control_computed)
