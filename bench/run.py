"""make bench: how fast the app is, at student, cohort and career-centre scale.

Builds demo databases (1, 50 and 2,000 students by default), then measures on this
machine: the server-side rerun time of each page (median of repeated AppTest runs after a
warm-up) against an empty Streamlit page run the same way (the floor); `python -m lib
stats` per student and for the cohort; a 30,000-row LinkedIn import; and the bytes of
Plotly JSON each page sends. Prints a table and writes bench/results/latest.md.
Figures only: nothing here asserts a timing.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AS_OF = date(2026, 11, 20)
PAGES = ("pages/home.py", "pages/network.py", "pages/outreach.py", "pages/prep.py", "pages/follow_up.py",
         "pages/coach.py")


def rerun_ms(page: str | None, runs: int, state: dict) -> tuple[float, int]:
    """Median server-side rerun time of `page` (None: an empty page) and its Plotly bytes."""
    from streamlit.testing.v1 import AppTest
    if page is None:
        at = AppTest.from_string("import streamlit as st\nst.write('')", default_timeout=120)
        at.run()
    else:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page(page)
        for key, value in state.items():
            at.session_state[key] = value
        at.run()                                   # warm-up: caches filled
    times = []
    for _ in range(runs):
        for key, value in state.items():
            at.session_state[key] = value
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    chart_bytes = sum(len(c.proto.spec) for c in at.get("plotly_chart")) if page else 0
    return statistics.median(times), chart_bytes


def bench_scale(students: int, runs: int, folder: Path) -> dict:
    from lib import demo
    demo_file = folder / f"demo-{students}.duckdb"
    start = time.perf_counter()
    demo.load_file(demo_file, students=students, as_of=AS_OF)
    built = time.perf_counter() - start
    cli = [sys.executable, "-m", "lib", "stats", "--db", str(demo_file), "--today", AS_OF.isoformat()]
    start = time.perf_counter()
    subprocess.run(cli, check=True, capture_output=True, cwd=ROOT)
    cohort_s = time.perf_counter() - start
    first = json.loads(subprocess.run([sys.executable, "-m", "lib", "students", "--db", str(demo_file), "--json"],
                                      check=True, capture_output=True, text=True, cwd=ROOT).stdout)[0]["id"]
    start = time.perf_counter()
    subprocess.run(cli + ["--student", first], check=True, capture_output=True, cwd=ROOT)
    student_s = time.perf_counter() - start
    # the CLI ran first: once AppTest opens the file, this process holds it
    os.environ["COFFEECHAT_DB"] = str(folder / f"real-{students}.duckdb")
    os.environ["COFFEECHAT_DEMO_DB"] = str(demo_file)
    pages = {page: rerun_ms(page, runs, {"dataset": "demo", "role": "coach" if page.endswith("coach.py")
                                         else "student"}) for page in PAGES}
    return {"students": students, "build_s": built, "pages": pages, "stats_cohort_s": cohort_s,
            "stats_student_s": student_s}


def bench_import(folder: Path, rows: int = 30_000) -> float:
    from lib import linkedin
    from lib.db import Database
    from lib.students import create_student
    lines = ["First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    lines += [f"F{i},L{i},https://www.linkedin.com/in/f-l-{i},,\"Company {i % 4000}, Inc\",Analyst,06 Dec 2023"
              for i in range(rows)]
    data = "\n".join(lines).encode()
    with Database(folder / "import.duckdb") as db:
        sid = create_student(db, "Importer")
        start = time.perf_counter()
        parsed = linkedin.parse(data, AS_OF)
        linkedin.commit(db, sid, parsed, filename="Connections.csv", now=datetime(2026, 11, 20, 12))
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,50,2000")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ["COFFEECHAT_TODAY"] = AS_OF.isoformat()
    with tempfile.TemporaryDirectory(prefix="coffeechat-bench-") as tmp:
        folder = Path(tmp)
        floor_ms, _ = rerun_ms(None, args.runs, {})
        results = [bench_scale(int(n), args.runs, folder) for n in args.scales.split(",")]
        import_s = bench_import(folder)
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"{datetime.now():%Y-%m-%d %H:%M}. Command: `make bench`.", "",
             f"Empty Streamlit page rerun (the floor): {floor_ms:.1f} ms. LinkedIn import of 30,000 rows: "
             f"{import_s:.2f} s.", "",
             "| Students | Page | Rerun (median ms) | × floor | Plotly JSON (KB) |", "| --- | --- | --- | --- | --- |"]
    for result in results:
        for page, (ms, chart_bytes) in result["pages"].items():
            lines.append(f"| {result['students']:,} | {Path(page).stem} | {ms:.0f} | {ms / floor_ms:.1f} | "
                         f"{chart_bytes / 1024:.0f} |")
    lines += ["", "| Students | Demo build (s) | `stats` one student (s) | `stats` cohort (s) |", "| --- | --- | --- | --- |"]
    lines += [f"| {r['students']:,} | {r['build_s']:.1f} | {r['stats_student_s']:.2f} | {r['stats_cohort_s']:.2f} |"
              for r in results]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
