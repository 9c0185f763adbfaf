"""make bench: how fast the app is, at student, cohort and career-centre scale.

Builds demo databases (1, 50 and 2,000 students by default) and measures on this machine:
- the server-side rerun of every page and tab (median of repeated AppTest runs after a
  warm-up, app.py's sidebar included) against an empty Streamlit page run the same way,
  the floor no Streamlit app can beat; and the Plotly JSON each view sends;
- `python -m lib stats` for one student and for the whole cohort;
- a 30,000-row LinkedIn import (parse, preview, commit; and through the CLI);
- a served app under 30 sessions at once, through the agent API on loopback, with think time,
  in workshop mode and on the 2,000-student file;
- the same 30 sessions with no pauses on one DuckDB process and on PostgreSQL with 1, 2 and
  4 processes behind nginx, latency and server CPU per action side by side (bench/scaling.py);
- click to finished run in Chromium for every page and tab at 2,000 students, beside an empty
  three-page Streamlit app served in the same run (bench/feel.py, bench/floor_app.py).
Prints Markdown tables and writes them to bench/results/latest.md (and the figures to
latest.json); the processes and browser tables also go into the README between the
BENCH:... markers. Figures only: nothing here asserts a timing; the targets are compared at
the end for the reader.
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

from bench import feel, insights, load, pages, scaling  # noqa: E402  (after the path: run as a script)

AS_OF = date(2026, 11, 20)
IMPORT_ROWS = 30_000
TARGET_MS = {50: 100, 2000: 300}          # page rerun targets by scale (issue 9)
TARGET_CHART_KB, TARGET_P95_MS, TARGET_IMPORT_S = 500, 1500, 3.0
README = ROOT / "README.md"
MARKERS = {"processes": ("<!-- BENCH:processes -->", "<!-- /BENCH:processes -->"),
           "browser": ("<!-- BENCH:browser -->", "<!-- /BENCH:browser -->")}


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


def served_demo(folder: Path, big: int) -> tuple[Path, list[str]]:
    """The demo cohort the served rooms and the browser use (2,000 students by default), and
    its students' labels as the sidebar shows them."""
    from lib import demo
    from lib.db import Database
    from lib.students import list_students
    demo_file = folder / "served-demo" / "demo.duckdb"
    demo_file.parent.mkdir(parents=True)
    demo.load_file(demo_file, students=big, as_of=AS_OF)
    with Database(demo_file, read_only=True) as db:
        labels = list_students(db)["label"].tolist()
    return demo_file, labels


def bench_load(folder: Path, demo_file: Path, labels: list[str], sessions: int, think_s: float,
               deadline_s: float) -> list[load.LoadFigure]:
    """The rooms with think time (the rooms without pauses are in the processes table)."""
    return [load.workshop_room(folder / f"workshop-{think_s:g}", AS_OF, sessions, think_s, deadline_s),
            load.career_centre(folder / f"centre-{think_s:g}", demo_file, labels, AS_OF, sessions, think_s,
                               deadline_s)]


def bench_browser(folder: Path, demo_file: Path, rounds: int) -> dict:
    """Chromium on every page and tab of app.py serving a copy of the big demo (DuckDB, one
    process, as make run), as its busiest student; the floor app first."""
    from lib.db import Database
    from lib.students import list_students
    where = folder / "browser"
    where.mkdir(parents=True)
    scaling._copy_db(demo_file, str(where / "coffeechat.duckdb"))
    student_id, _, _ = _busiest_student(demo_file)
    with Database(demo_file, read_only=True) as db:
        students = list_students(db)
    label = students.loc[students["id"].astype(str) == student_id, "label"].iloc[0]
    result = feel.measure(folder, where / "coffeechat.duckdb", label, AS_OF, rounds=rounds,
                          say=lambda text: print(text, file=sys.stderr, flush=True))
    result["student"] = label
    return result


def report(floor_ms: float, scales: list[dict], imported: dict, rooms: list[load.LoadFigure], runs: int,
           elapsed_s: float, rows: list[scaling.Row] | None = None, loadavg: tuple = ()) -> str:
    rows = rows or []
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    out = [f"Machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
           f"{platform.system()}. Run {datetime.now():%Y-%m-%d %H:%M}, took {elapsed_s / 60:.1f} min. "
           "Command: `make bench`." + (f" Load average at the start (1, 5, 15 min): "
                                       f"{', '.join(f'{x:.1f}' for x in loadavg)}." if loadavg else ""), ""]
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
            "Think time: a pause of 0.5–1.5× between actions. The same rooms without pauses: the processes "
            "table below.", "",
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
    out += [line for line in scaling_targets(rows) if line]
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


def scaling_targets(rows: list[scaling.Row]) -> list[str]:
    """Issue 19: p95 ≤ 1.5 s with no pauses at 2 processes, and p95 falling as processes are added."""
    out = []
    for room in ("career centre", "workshop"):
        served = sorted((r for r in rows if r.room == room and r.via == "nginx"), key=lambda r: r.processes)
        two = next((r for r in served if r.processes == 2), None)
        if two:
            p95, errors = two.figure.percentile(95), len(two.figure.errors)
            out.append(f"| {two.figure.sessions} sessions, no pauses, p95 ≤ {TARGET_P95_MS / 1000:g} s at 2 processes, "
                       f"0 errors: {room} ({two.store}) | p95 {p95:.0f} ms, {errors} errors | "
                       f"{'yes' if p95 <= TARGET_P95_MS and not errors else '**no**'} |")
        if len(served) > 1:
            p95s = [r.figure.percentile(95) for r in served]
            falls = all(later < earlier for earlier, later in zip(p95s, p95s[1:]))
            out.append(f"| p95 falls as processes are added: {room} ({served[0].store}) | "
                       + " → ".join(f"{r.processes}: {v:.0f} ms" for r, v in zip(served, p95s))
                       + f" | {'yes' if falls else '**no**'} |")
    return out


def busy_note(loadavg: tuple) -> str:
    cores = os.cpu_count()
    return (f" Load average when the run started (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in loadavg)} on "
            f"{cores} cores{' (other work was competing for the cores: every figure here is slower for it)' if loadavg[0] > cores or loadavg[1] > cores else ''}."
            if loadavg else "")


def processes_section(rows: list[scaling.Row], students: int, when: str, loadavg: tuple = ()) -> str:
    if not rows:
        return ""
    cores = os.cpu_count()
    out = [f"{rows[0].figure.sessions} sessions at once with no pauses (each fires its next action the moment "
           f"the last one returns), measured {when} by `make bench` on {cores} cores.{busy_note(loadavg)} *Career centre*: the "
           f"{students:,}-student demo cohort copied into the app's own database (`python -m lib copy`; a fresh "
           "PostgreSQL copy for each row), students on their own pages, every fifth session a coach "
           "flipping between students. *Workshop*: each session its own DuckDB copy of the demo "
           "(workshop copies stay DuckDB), walking the student workflow. One process on DuckDB is "
           "served directly (`make run`); every multi-process row, and PostgreSQL with 1 process, goes "
           "through nginx (`make cluster`, tools/cluster.py), each session keeping the route cookie "
           "nginx sets, so all its requests reach one process (an answer from another would count as "
           "an error). Latency per action, from request to finished run (agent API). CPU per action: "
           "utime + stime of the Streamlit processes (and of the PostgreSQL server) during the room, "
           "divided by its actions.", "", scaling.table(rows), "",
           f"The machine has {cores} cores: beyond {cores} processes nothing more can run at once, so 4 "
           "processes cannot beat 2 by much. The bench's PostgreSQL runs with fsync=off (tools/postgres.py), "
           "so a commit costs no disk flush here; a production server with fsync on pays one per write."]
    errors = [(r, e) for r in rows for e in r.figure.errors[:2]]
    if errors:
        out += ["", "Errors (first 2 per row): " + "; ".join(
            f"{r.room}, {r.store}, {r.processes} process{'es' if r.processes > 1 else ''}: {e[:400]}" for r, e in errors)]
    return "\n".join(out)


def browser_section(result: dict | None, students: int, when: str, loadavg: tuple = ()) -> str:
    if not result:
        return ""
    return "\n".join([
        f"What a person feels: Chromium (Playwright) clicking through every page and tab of the app "
        f"serving the {students:,}-student demo (a DuckDB copy, one process, as `make run`), as its busiest "
        f"student ({result['student']}), the Coach page as a coach; {feel.ROUNDS} rounds, each view's "
        f"median shown; beside an empty three-page Streamlit app (bench/floor_app.py) served in the same "
        f"run, {when}. A click counts from its pointerdown to the second animation frame after the "
        "run's last `script_finished` message on Streamlit's websocket (the frame that draws it has "
        "been painted), once no other run has started for "
        f"{feel.QUIET_MS} ms; the app must then read `notRunning` with no stale element and no "
        "exception. Plotly's drawing after its element arrives is not waited for." + busy_note(loadavg), "",
        feel.table(result)])


def write_readme(sections: dict[str, str]) -> list[str]:
    """Put each generated section between its markers in README.md; returns the sections written."""
    text = README.read_text()
    written = []
    for name, body in sections.items():
        start, end = MARKERS[name]
        if not body or start not in text or end not in text:
            continue
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{body}\n{end}{tail}"
        written.append(name)
    README.write_text(text)
    return written


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
    parser.add_argument("--processes", default="1,2,4", help="PostgreSQL processes to compare (default 1,2,4)")
    parser.add_argument("--browser-rounds", type=int, default=feel.ROUNDS, help="clicks per view in Chromium")
    parser.add_argument("--skip-load", action="store_true", help="leave out the served-app load and processes")
    parser.add_argument("--skip-browser", action="store_true", help="leave out Chromium")
    parser.add_argument("--no-readme", action="store_true", help="do not write the tables into README.md")
    args = parser.parse_args()
    try:
        scales = [int(n) for n in args.scales.split(",")]
        processes = tuple(int(n) for n in args.processes.split(","))
    except ValueError:
        parser.error(f"--scales and --processes take whole numbers separated by commas")
    if any(n < 1 for n in scales) or args.runs < 1 or args.sessions < 1 or args.think < 0 or args.deadline <= 0:
        parser.error("--scales, --runs and --sessions must be at least 1, --think at least 0, --deadline above 0")
    if any(n < 1 or n > 16 for n in processes) or args.browser_rounds < 1:
        parser.error("--processes from 1 to 16, --browser-rounds at least 1")
    os.environ["COFFEECHAT_TODAY"] = AS_OF.isoformat()
    began = time.perf_counter()
    loadavg = os.getloadavg()
    when = f"{datetime.now():%Y-%m-%d}"
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
        rooms, rows, browser = [], [], None
        if not (args.skip_load and args.skip_browser):
            demo_file, labels = served_demo(folder, max(scales))
        if not args.skip_load:
            print(f"… {args.sessions} sessions on a served app, think time {args.think:g} s", file=sys.stderr, flush=True)
            rooms = bench_load(folder, demo_file, labels, args.sessions, args.think, args.deadline)
            rows = scaling.run(folder / "processes", demo_file, labels, AS_OF, args.sessions, args.deadline,
                               processes, say=lambda text: print(text, file=sys.stderr, flush=True))
        browser_failed = None
        if not args.skip_browser:
            try:
                browser = bench_browser(folder, demo_file, args.browser_rounds)
            except Exception as exc:       # Chromium missing, the app not starting: the rest still stands
                browser_failed = f"{type(exc).__name__}: {str(exc)[:1000]}"
                print(f"Chromium figures failed: {browser_failed}", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - began
    sections = {"processes": processes_section(rows, max(scales), when, loadavg),
                "browser": browser_section(browser, max(scales), when, loadavg)
                or (f"Chromium figures failed: {browser_failed}" if browser_failed else "")}
    text = (report(floor_ms, results, imported, rooms, args.runs, elapsed, rows, loadavg)
            + "".join(f"\n\n### {title}\n\n{sections[name]}" for name, title in
                      (("processes", "No pauses: one DuckDB process, PostgreSQL with 1, 2 and 4 processes"),
                       ("browser", "In Chromium: click to finished run")) if sections[name])
            + "\n" + learning_report(learning))
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(text + "\n")
    figures = {"run": datetime.now().isoformat(timespec="seconds"), "took_s": elapsed, "cores": os.cpu_count(),
               "loadavg_at_start": loadavg, "processes": [row.as_dict() for row in rows],
               "browser": feel.as_dict(browser) if browser else None,
               "think_rooms": [{"room": r.room, "think_s": r.think_s, "p50_ms": r.percentile(50),
                                "p95_ms": r.percentile(95), "errors": len(r.errors)} for r in rooms]}
    (out / "latest.json").write_text(json.dumps(figures, indent=1, default=str) + "\n")
    if not args.no_readme:
        written = write_readme({"processes": sections["processes"],           # measured figures only
                                "browser": browser_section(browser, max(scales), when, loadavg)})
        print(f"\nREADME.md: {', '.join(written) if written else 'nothing written (markers missing or no figures)'}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
