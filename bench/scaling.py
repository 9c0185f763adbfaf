"""The 30-session no-pause rooms on one DuckDB process and on PostgreSQL with 1, 2 and 4
processes behind nginx (issue 19), side by side.

- Career centre: the 2,000-student demo cohort copied (`python -m lib copy`) into the app's
  own database: a DuckDB file served by one process (`make run`, direct), or a PostgreSQL
  database (a fresh copy for each row) served by N processes through nginx (tools/cluster.py,
  N = 1 too, so every PostgreSQL row pays the same proxy hop). Sessions are students on their
  own pages, every fifth a coach flipping between students, as in bench/load.py.
- Workshop: every session on its own DuckDB copy of the demo cohort (workshop copies stay
  DuckDB, issue 19): one process direct, then N processes through nginx (CLUSTER_DB=workshop).

Every session keeps its own cookie jar, so the route cookie nginx sets sends all its requests
to one process (checked: an answer from another process counts as an error). Each process
is warmed by one visit first, directly. CPU: utime + stime from /proc/PID/stat of the
Streamlit processes (and of the PostgreSQL server: the postmaster and its children, their
exited children included) sampled after the warm-up and after the room, divided by actions.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = (1, 2, 4)
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Row:
    room: str               # "career centre" / "workshop"
    store: str              # what holds the data
    processes: int
    via: str                # "direct" / "nginx"
    figure: load.LoadFigure

    def as_dict(self) -> dict:
        f = self.figure
        actions = len(f.latencies_ms)
        return {"room": self.room, "store": self.store, "processes": self.processes, "via": self.via,
                "sessions": f.sessions, "actions": actions, "errors": len(f.errors), "first_errors": f.errors[:5],
                "p50_ms": f.percentile(50), "p95_ms": f.percentile(95), "max_ms": max(f.latencies_ms, default=None),
                "wall_s": f.wall_s, "cpu_s": f.cpu_s,
                "app_cpu_ms_per_action": 1000 * f.cpu_s.get("app", 0.0) / actions if actions else None,
                "db_cpu_ms_per_action": (1000 * f.cpu_s["db"] / actions) if actions and "db" in f.cpu_s else None,
                "sessions_per_process": f.upstreams, "slowest": f.slowest()}


# ---------------------------------------------------------------------------------------------
# CPU time from /proc

def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()        # fields from 3 (state) on: comm may hold spaces


def cpu_seconds(pid: int, children: bool = False) -> float:
    """utime + stime of one process (fields 14, 15), plus its waited-for children's (16, 17)."""
    try:
        fields = _stat(pid)
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / TICKS


def tree_cpu_seconds(root_pid: int) -> float:
    """A server and its live children (PostgreSQL: one process per connection, plus its workers),
    and the children that have already exited (the root's cutime/cstime)."""
    total = cpu_seconds(root_pid, children=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == root_pid:
                    total += cpu_seconds(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return total


def _postmaster_pid(pg_folder: Path) -> int:
    return int((pg_folder / "data" / "postmaster.pid").read_text().splitlines()[0])


# ---------------------------------------------------------------------------------------------
# the rooms

def _centre_opening(labels: list[str]):
    def opening(number: int) -> list[tuple[dict, str]]:
        return [({}, "My progress"), ({"widget_state": {"student_id": labels[(number * 7) % len(labels)]}}, "My progress")]
    return opening


def _centre_steps(number: int):
    return load.COACH_STEPS if number % 5 == 4 else load.STUDENT_STEPS


def _copy_db(source: Path, target: str) -> None:
    done = subprocess.run([sys.executable, "-m", "lib", "copy", "--from", str(source), "--to", target], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"python -m lib copy --to {target} failed:\n{done.stdout}{done.stderr}")


def _fresh_database(url: str, template: str, name: str) -> str:
    """A new database on the server, copied from the loaded one (CREATE DATABASE ... TEMPLATE)."""
    import psycopg
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return f"{base}/{name}"


def _room(room: str, sessions: int, deadline_s: float, url: str, warm: list[str], labels: list[str] | None,
          cpu) -> load.LoadFigure:
    if room == "workshop":
        figure = load.LoadFigure("workshop (own demo copy each)", sessions, 0.0)
        load._run_room(url, figure, lambda n: [({}, "My progress")], lambda n: load.STUDENT_STEPS, ["-"], 0.0,
                       deadline_s, warm_urls=warm, cpu=cpu)
    else:
        figure = load.LoadFigure(f"career centre ({len(labels):,} students)", sessions, 0.0)
        load._run_room(url, figure, _centre_opening(labels), _centre_steps, labels, 0.0, deadline_s,
                       warm_urls=warm, cpu=cpu)
    return figure


def run(folder: Path, demo_file: Path, labels: list[str], today: date, sessions: int, deadline_s: float,
        processes: tuple[int, ...] = PROCESSES, say=print) -> list[Row]:
    """Every row of the comparison; every server, proxy and PostgreSQL stopped on the way out."""
    from tests.served import serve
    from tools import cluster as cluster_tool
    from tools import postgres
    rows: list[Row] = []
    env = {"COFFEECHAT_TODAY": today.isoformat()}
    agent = ("--server.enableAgentApi=true",)

    # 1. One DuckDB process, direct (make run / make workshop).
    for room in ("career centre", "workshop"):
        where = folder / f"duckdb-{room.replace(' ', '-')}"
        where.mkdir(parents=True)
        extra = {"COFFEECHAT_WORKSHOP": "1"} if room == "workshop" else {}
        if room != "workshop":
            _copy_db(demo_file, str(where / "coffeechat.duckdb"))
        say(f"… {room}, DuckDB, 1 process")
        with serve(where, *agent, today=today, env=extra) as server:
            figure = _room(room, sessions, deadline_s, server.url, [server.url], labels,
                           lambda: {"app": cpu_seconds(server.pid, children=True)})
            figure.server_rss_mb = server.rss_mb()
        rows.append(Row(room, "DuckDB file" if room != "workshop" else "DuckDB copy per session", 1, "direct", figure))

    why = cluster_tool.missing(cluster_tool.WORKSHOP) or postgres.missing()
    if why:
        say(f"(no PostgreSQL / nginx rows: {why})")
        return rows

    # 2. PostgreSQL (and workshop copies) behind nginx. As root, nginx's workers run as nobody and
    # the server as postgres: both need folders they can reach, so not under the bench's 0700 temp.
    shared = Path(tempfile.mkdtemp(prefix="coffeechat-bench-pg-"))
    shared.chmod(0o755)
    try:
        pg_folder = shared / "postgres"
        with postgres.temporary_server(pg_folder) as url:
            say("… the demo cohort into PostgreSQL (python -m lib copy)")
            _copy_db(demo_file, url)
            template = url.rsplit("/", 1)[1]
            postmaster = _postmaster_pid(pg_folder)
            for count in processes:
                for room in ("career centre", "workshop"):
                    database = (_fresh_database(url, template, f"bench_{count}") if room != "workshop"
                                else cluster_tool.WORKSHOP)
                    say(f"… {room}, {'PostgreSQL' if room != 'workshop' else 'workshop copies'}, "
                        f"{count} process{'es' if count > 1 else ''} behind nginx")
                    with cluster_tool.cluster(processes=count, port=cluster_tool.free_port(), database=database,
                                              folder=shared / f"cluster-{count}-{room.replace(' ', '-')}",
                                              streamlit_options=agent, env=env, say=lambda text: None) as running:
                        apps = [running.pids[b] for b in running.backends]

                        def cpu() -> dict[str, float]:
                            parts = {"app": sum(cpu_seconds(pid, children=True) for pid in apps)}
                            if room != "workshop":
                                parts["db"] = tree_cpu_seconds(postmaster)
                            return parts
                        figure = _room(room, sessions, deadline_s, running.url,
                                       [f"http://{b}" for b in running.backends], labels, cpu)
                        figure.server_rss_mb = sum(load_rss(pid) for pid in apps)
                        problems = [b for b in running.backends if "Traceback" in running.log(b).read_text(errors="replace")]
                        for backend in problems:
                            text = running.log(backend).read_text(errors="replace")
                            first = text[text.index("Traceback"):].splitlines()
                            end = next((n for n, line in enumerate(first) if line and not line[0].isspace()
                                        and n > 0), len(first) - 1)
                            figure.errors.append(f"{backend} logged a traceback (its last lines): "
                                                 + "\n".join(first[max(0, end - 8):end + 1]))
                    rows.append(Row(room, "PostgreSQL" if room != "workshop" else "DuckDB copy per session",
                                    count, "nginx", figure))
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    return rows


def load_rss(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# ---------------------------------------------------------------------------------------------
# the report

def table(rows: list[Row]) -> str:
    out = ["| Room | Data in | Processes | Via | Actions | p50 | p95 | Max | App CPU / action | "
           "PostgreSQL CPU / action | Errors | Sessions per process |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    order = {"career centre": 0, "workshop": 1}
    for row in sorted(rows, key=lambda r: (order.get(r.room, 2), r.via != "direct", r.processes)):
        d = row.as_dict()

        def ms(value) -> str:
            return "–" if value is None or value != value else f"{value:,.0f} ms"
        spread = "/".join(str(n) for _, n in sorted(d["sessions_per_process"].items())) if row.via == "nginx" else "–"
        out.append(f"| {row.room.capitalize()} | {row.store} | {row.processes} | {row.via} | {d['actions']} | "
                   f"{ms(d['p50_ms'])} | {ms(d['p95_ms'])} | {ms(d['max_ms'])} | {ms(d['app_cpu_ms_per_action'])} | "
                   f"{ms(d['db_cpu_ms_per_action'])} | {d['errors']} | {spread} |")
    return "\n".join(out)
