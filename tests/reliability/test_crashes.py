"""Crash durability: a process writing through the app's write door is killed with SIGKILL,
again and again; the database must reopen every time with every acknowledged write in it.
An import killed half-way must leave none of its rows."""
import os
import random
import signal
import subprocess
import sys
import time

from lib.db import Database
from tests.conftest import ROOT
from tests.reliability.figures import record

TRIALS = 20
WRITER = """
import sys
from datetime import datetime
from lib.db import Database
from lib.network import ContactInput, add_contact
from lib.students import create_student
db = Database(sys.argv[1])
sid = db.scalar("SELECT CAST(id AS VARCHAR) FROM students LIMIT 1") or create_student(db, "Writer")
n = 0
while True:
    n += 1
    cid = add_contact(db, sid, ContactInput(name=f"{sys.argv[2]}-{n}", source="other"), datetime(2026, 11, 20, 12))
    print(cid, flush=True)          # acknowledged: the transaction committed before this line
"""
IMPORTER = """
import sys
from datetime import date, datetime
from lib import linkedin
from lib.db import Database
from lib.students import create_student
db = Database(sys.argv[1])
sid = create_student(db, "Importer")
rows = "\\n".join(f"P{i},Q,https://www.linkedin.com/in/p{i},Org {i % 900},Role,06 Dec 2023" for i in range(60000))
parsed = linkedin.parse(("First Name,Last Name,URL,Company,Position,Connected On\\n" + rows).encode(), date(2026, 11, 20))
def progress(done, total):
    print(f"progress {done}", flush=True)
linkedin.commit(db, sid, parsed, filename="big.csv", now=datetime(2026, 11, 20, 12), progress=progress)
print("committed", flush=True)
"""


def run(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_sigkill_loses_no_acknowledged_write(tmp_path):
    path = str(tmp_path / "crash.duckdb")
    rng = random.Random(11)
    acknowledged: list[str] = []
    for trial in range(TRIALS):
        proc = run(WRITER, path, f"t{trial}")
        first = proc.stdout.readline().strip()          # wait for one committed write, then a little more
        assert first, proc.stderr.read()
        acknowledged.append(first)
        time.sleep(rng.uniform(0.02, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate()
        acknowledged += [line for line in rest.splitlines() if line.strip()]
        with Database(path) as db:                       # reopens (WAL replayed) every time
            present = {cid for (cid,) in db.rows("SELECT CAST(id AS VARCHAR) FROM contacts")}
        missing = [cid for cid in acknowledged if cid not in present]
        assert missing == [], f"trial {trial}: {len(missing)} acknowledged writes lost"
    record("kill trials", trials=TRIALS, acknowledged_writes=len(acknowledged), lost=0)
    print(f"\nreliability: {TRIALS} kill trials, {len(acknowledged)} acknowledged writes, 0 lost")


def test_an_import_killed_half_way_leaves_none_of_its_rows(tmp_path):
    path = str(tmp_path / "import.duckdb")
    proc = run(IMPORTER, path)
    line = ""
    while not line.startswith("progress"):                # the commit is under way: some chunks inserted
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM contacts") == 0
        assert db.scalar("SELECT count(*) FROM imports") == 0
        assert db.scalar("SELECT count(*) FROM organisations") == 0
    record("import killed mid-commit", rows_left=0)
