"""make bench: how fast the app is, at student, cohort and career-centre scale.

Builds demo databases (1, 50 and 2,000 students by default) and measures on this machine:
- the server-side rerun of every page and tab (median of repeated AppTest runs after a
  warm-up, app.py's sidebar included) against an empty Streamlit page run the same way,
  the floor no Streamlit app can beat; and the Plotly JSON each view sends;
- `python -m lib stats` for one student and for the whole cohort;
- a 30,000-row LinkedIn import (parse, preview, commit; and through the CLI);
- a served app under 30 sessions at once, through the agent API on loopback, in a burst
  and with think time, in workshop mode and on the 2,000-student file.
Prints Markdown tables and writes them to bench/results/latest.md. Figures only: nothing
here asserts a timing; the targets are compared at the end for the reader.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import insights, load, pages  # noqa: E402  (after the path: run as a script)

AS_OF = date(2026, 11, 20)
IMPORT_ROWS = 30_000
TARGET_MS = {50: 100, 2000: 300}          # page rerun targets by scale (issue 9)
TARGET_CHART_KB, TARGET_P95_MS, TARGET_IMPORT_S = 500, 1500, 3.0


def _cli(*args: str) -> tuple[float, str]:
    """Run `python -m lib ...`; return its wall time (interpreter start included) and output."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "lib", *args], check=True, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, done.stdout


def _busiest_student(demo_file: Path) -> tuple[str, str, int]:
    """(id, name, contacts) of the student with the most contacts: the slowest pages."""
    from lib.db import Database
    with Database(demo_file, read_only=True) as db:
        row = db.rows("""SELECT CAST(s.id AS VARCHAR), s.name, count(c.id) AS n FROM students s
                         LEFT JOIN contacts c ON c.student_id = s.id AND c.archived_at IS NULL
                         GROUP BY s.id, s.name ORDER BY n DESC, s.id LIMIT 1""")[0]
    return row[0], row[1], int(row[2])


def bench_scale(students: int, runs: int, folder: Path) -> dict:
    from lib import demo
    demo_file = folder / f"demo-{students}.duckdb"
    start = time.perf_counter()
    demo.load_file(demo_file, students=students, as_of=AS_OF)
    built_s = time.perf_counter() - start
    student_id, name, contacts = _busiest_student(demo_file)
    # the CLI runs first: once AppTest opens the file, this process holds it
    cohort_s, _ = _cli("stats", "--db", str(demo_file), "--today", AS_OF.isoformat())
    student_s, _ = _cli("stats", "--db", str(demo_file), "--today", AS_OF.isoformat(), "--student", student_id)
    os.environ["COFFEECHAT_DB"] = str(folder / f"real-{students}.duckdb")
    os.environ["COFFEECHAT_DEMO_DB"] = str(demo_file)
    views = pages.page_figures(student_id, runs)
    return {"students": students, "build_s": built_s, "views": views, "stats_cohort_s": cohort_s,
            "stats_student_s": student_s, "student": name, "contacts": contacts}


def bench_import(folder: Path) -> dict:
    from lib import linkedin
    from lib.db import Database
    from lib.students import create_student
    lines = ["First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    lines += [f"F{i},L{i},https://www.linkedin.com/in/f-l-{i},f{i}@example.org,\"Company {i % 4000}, Inc\","
              f"Analyst,06 Dec 2023" for i in range(IMPORT_ROWS)]
    data = "\n".join(lines).encode()
    csv_file = folder / "Connections.csv"
    csv_file.write_bytes(data)
    figures = {}
    with Database(folder / "import.duckdb") as db:
        sid = create_student(db, "Importer")
        start = time.perf_counter()
        parsed = linkedin.parse(data, AS_OF)
        figures["parse_s"] = time.perf_counter() - start
        start = time.perf_counter()
        previewed = linkedin.plan(db, sid, parsed)
        figures["preview_s"] = time.perf_counter() - start
        start = time.perf_counter()
        _, done = linkedin.commit(db, sid, parsed, filename=csv_file.name, now=datetime(2026, 11, 20, 12))
        figures["commit_s"] = time.perf_counter() - start
        figures["imported"] = len(done.new)
        if len(previewed.new) != IMPORT_ROWS or len(done.new) != IMPORT_ROWS:
            raise RuntimeError(f"import bench: {len(done.new)} of {IMPORT_ROWS} rows imported")
        create_student(db, "Importer by CLI")
    figures["total_s"] = figures["parse_s"] + figures["preview_s"] + figures["commit_s"]
    figures["cli_s"], out = _cli("import-linkedin", "--db", str(folder / "import.duckdb"), "--student",
                                 "Importer by CLI", "--json", str(csv_file))
    if json.loads(out)["new"] != IMPORT_ROWS:
        raise RuntimeError(f"import bench (CLI): {out}")
    return figures


def bench_load(folder: Path, sessions: int, think_s: float, deadline_s: float, big: int) -> list[load.LoadFigure]:
    from lib import demo
    from lib.db import Database
    from lib.students import list_students
    demo_file = folder / "served-demo" / "demo.duckdb"
    demo_file.parent.mkdir(parents=True)
    demo.load_file(demo_file, students=big, as_of=AS_OF)
    with Database(demo_file, read_only=True) as db:
        labels = list_students(db)["label"].tolist()
    figures = []
    for think in (0.0, think_s):
        figures.append(load.workshop_room(folder / f"workshop-{think:g}", AS_OF, sessions, think, deadline_s))
        figures.append(load.career_centre(folder / f"centre-{think:g}", demo_file, labels, AS_OF, sessions, think,
                                          deadline_s))
    return figures


def report(floor_ms: float, scales: list[dict], imported: dict, rooms: list[load.LoadFigure], runs: int,
           elapsed_s: float) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    out = [f"Machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
           f"{platform.system()}. Run {datetime.now():%Y-%m-%d %H:%M}, took {elapsed_s / 60:.1f} min. "
           "Command: `make bench`.", ""]
    out += ["### Page reruns", "",
            f"Server-side rerun, median of {runs} AppTest runs after a warm-up, app.py's sidebar included; "
            f"× floor = times an empty Streamlit page's rerun ({floor_ms:.1f} ms). Shown: the student with the "
            "most contacts (" + ", ".join(f"{s['students']:,} students: {s['contacts']}" for s in scales) +
            "); the Coach page as a coach. Plotly KB: chart JSON the view sends, largest over the scales.", ""]
    out.append("| Page | Tab | " + " | ".join(f"{s['students']:,} student{'s' if s['students'] > 1 else ''}"
                                              for s in scales) + " | Plotly KB |")
    out.append("| --- | --- |" + " --- |" * len(scales) + " --- |")
    for index, view in enumerate(scales[0]["views"]):
        cells = [f"{s['views'][index].median_ms:.0f} ms ({s['views'][index].median_ms / floor_ms:.0f}×)"
                 for s in scales]
        chart_kb = max(s["views"][index].chart_bytes for s in scales) / 1024
        out.append(f"| {view.page} | {view.tab or '–'} | " + " | ".join(cells) + f" | {chart_kb:.0f} |")
    out += ["", "### Command line", "",
            "| Students | Demo build | `stats` one student | `stats` whole cohort |", "| --- | --- | --- | --- |"]
    out += [f"| {s['students']:,} | {s['build_s']:.1f} s | {s['stats_student_s']:.2f} s | {s['stats_cohort_s']:.2f} s |"
            for s in scales]
    out += ["", "`stats` times are wall time, Python start-up included.", "",
            f"LinkedIn import of {IMPORT_ROWS:,} rows: parse {imported['parse_s']:.2f} s + preview "
            f"{imported['preview_s']:.2f} s + commit {imported['commit_s']:.2f} s = **{imported['total_s']:.2f} s**; "
            f"`python -m lib import-linkedin` {imported['cli_s']:.2f} s wall.", ""]
    out += ["### Served app, sessions at once", "",
            "Agent API on loopback: each request is one action, timed from send to the finished run. "
            "Think time: a pause of 0.5–1.5× between actions.", "",
            "| Room | Sessions | Think | Actions | p50 | p95 | Max | Errors | Wall | Server memory |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for room in rooms:
        out.append(f"| {room.room} | {room.sessions} | {room.think_s:g} s | {len(room.latencies_ms)} | "
                   f"{room.percentile(50):.0f} ms | {room.percentile(95):.0f} ms | "
                   f"{max(room.latencies_ms, default=float('nan')):.0f} ms | {len(room.errors)} | "
                   f"{room.wall_s:.0f} s | {room.server_rss_mb:.0f} MB |")
    out += ["", "Slowest actions (median): " + "; ".join(
        f"{room.room}, think {room.think_s:g} s: " + ", ".join(f"{action} {ms:.0f} ms" for action, ms in room.slowest())
        for room in rooms)] if rooms else []
    for room in rooms:
        if room.errors:
            out += ["", f"Errors, {room.room}, think {room.think_s:g} s (first 3 of {len(room.errors)}): "
                    + "; ".join(room.errors[:3])]
    out += ["", "### Targets (issue 9)", "", "| Target | Measured | Met |", "| --- | --- | --- |"]
    for scale in scales:
        limit = TARGET_MS.get(scale["students"])
        if limit:
            worst = max(scale["views"], key=lambda v: v.median_ms)
            out.append(f"| Every page ≤ {limit} ms at {scale['students']:,} students | slowest "
                       f"{worst.page} / {worst.tab or '–'}: {worst.median_ms:.0f} ms | "
                       f"{'yes' if worst.median_ms <= limit else '**no**'} |")
    biggest = max((v for s in scales for v in s["views"]), key=lambda v: v.chart_bytes)
    out.append(f"| ≤ {TARGET_CHART_KB} KB chart JSON per page | largest {biggest.page} / {biggest.tab or '–'}: "
               f"{biggest.chart_bytes / 1024:.0f} KB | {'yes' if biggest.chart_bytes <= TARGET_CHART_KB * 1024 else '**no**'} |")
    for room in rooms:
        met = room.percentile(95) <= TARGET_P95_MS and not room.errors
        out.append(f"| {room.sessions} sessions, p95 ≤ {TARGET_P95_MS / 1000:g} s, 0 errors: {room.room}, think "
                   f"{room.think_s:g} s | p95 {room.percentile(95):.0f} ms, {len(room.errors)} errors | "
                   f"{'yes' if met else '**no**'} |")
    out.append(f"| {IMPORT_ROWS:,}-row import < {TARGET_IMPORT_S:g} s | {imported['total_s']:.2f} s | "
               f"{'yes' if imported['total_s'] < TARGET_IMPORT_S else '**no**'} |")
    return "\n".join(out)


def learning_report(learning: dict) -> str:
    """What I'm learning: the engine's quality on labelled notes, and the page at 50 conversations."""
    out = ["", "### What I'm learning", "",
           "Precision and recall on hand-labelled notes (`tests/fixtures/insights`): *labelled* tuned the "
           "vocabulary; *held out* was written afterwards.", "",
           "| Notes | n | Skills P | Skills R | Advice pairs | Advice P | Advice R | Resources P | Resources R |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, label in (("notes", "labelled"), ("heldout", "held out")):
        q = learning["quality"][name]
        out.append(f"| {label} | {q['notes']} | {q['skill_precision']:.2f} | {q['skill_recall']:.2f} | "
                   f"{q['advice_pairs']} | {q['advice_precision']:.2f} | {q['advice_recall']:.2f} | "
                   f"{q['resource_precision']:.2f} | {q['resource_recall']:.2f} |")
    f = learning["fifty"]
    out += ["", f"A student with {f['conversations']} conversations held ({f['skills']} skills, {f['advice']} pieces "
            f"of advice): the engine {f['engine_ms']:.0f} ms; page reruns "
            + ", ".join(f"{tab} {ms:.0f} ms" for tab, ms in f["tabs_ms"].items()) + "."]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,50,2000", help="demo cohort sizes (default 1,50,2000)")
    parser.add_argument("--runs", type=int, default=7, help="timed reruns per page and tab (default 7)")
    parser.add_argument("--sessions", type=int, default=30, help="sessions at once on the served app (default 30)")
    parser.add_argument("--think", type=float, default=10.0, help="mean think time in seconds (default 10)")
    parser.add_argument("--deadline", type=float, default=90.0, help="seconds a load run may last (default 90)")
    parser.add_argument("--skip-load", action="store_true", help="leave out the served-app load")
    args = parser.parse_args()
    try:
        scales = [int(n) for n in args.scales.split(",")]
    except ValueError:
        parser.error(f"--scales takes whole numbers separated by commas, got {args.scales!r}")
    if any(n < 1 for n in scales) or args.runs < 1 or args.sessions < 1 or args.think < 0 or args.deadline <= 0:
        parser.error("--scales, --runs and --sessions must be at least 1, --think at least 0, --deadline above 0")
    os.environ["COFFEECHAT_TODAY"] = AS_OF.isoformat()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="coffeechat-bench-") as tmp:
        folder = Path(tmp)
        floor_ms = pages.floor_ms(args.runs)
        results = []
        for students in scales:
            print(f"… {students:,} students", file=sys.stderr, flush=True)
            results.append(bench_scale(students, args.runs, folder))
        print("… import", file=sys.stderr, flush=True)
        imported = bench_import(folder)
        print("… what I'm learning", file=sys.stderr, flush=True)
        learning = {"quality": insights.quality(), "fifty": insights.fifty(folder, args.runs, AS_OF)}
        rooms = []
        if not args.skip_load:
            print(f"… {args.sessions} sessions on a served app", file=sys.stderr, flush=True)
            rooms = bench_load(folder, args.sessions, args.think, args.deadline, max(scales))
    text = report(floor_ms, results, imported, rooms, args.runs, time.perf_counter() - began) + learning_report(learning)
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
