"""`make cluster`: several Streamlit processes of app.py behind Debian's nginx, sticky by cookie.

    python -m tools.cluster [--processes 2] [--port 8501] [--backend-port 8601] [--address 127.0.0.1]
    python -m tools.cluster stop          # ends what a killed `make cluster` left running

Each browser keeps to one process: nginx gives it a `route` cookie (its own request id) on its
first request and hashes on it (`hash $route_value consistent`), so the page, its websocket
(/_stcore/stream) and its uploads (/_stcore/upload_file) all reach the process that holds the
session. A process that dies loses its sessions; their browsers reconnect to another one.

The processes share one database, so it must be a server: COFFEECHAT_DB=postgresql://... is used
as it is; anything else starts a local PostgreSQL server in build/cluster/postgres (tools/
postgres.py) and uses that. CLUSTER_DB=workshop serves workshop copies instead (every session on
its own throwaway DuckDB copy of the demo cohort, nothing shared): no server needed.

Everything lives under build/cluster/: the generated nginx.conf, nginx's pid, logs and temp
folders, one log per Streamlit process (app-PORT.log), pids.json. Ctrl-C or SIGTERM stops nginx,
the processes and the PostgreSQL server started here. Every process reads the same
.streamlit/secrets.toml (the sign-in cookie is signed with its cookie_secret: it must be the same
in every process, on every machine).

In Python: `with cluster(processes=2, port=..., folder=...) as c:` yields a Cluster (its URL, the
backends' addresses) and stops everything on the way out.
"""
from __future__ import annotations

import argparse
import grp
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import jinja2

from tools import postgres

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT / "build" / "cluster"
DB_ENV = "COFFEECHAT_DB"
CLUSTER_DB_ENV = "CLUSTER_DB"          # "workshop": workshop copies, no shared database
WORKSHOP_ENV = "COFFEECHAT_WORKSHOP"
WORKSHOP = "workshop"
LOCAL = "local"                        # start a PostgreSQL server in the cluster's folder
START_SECONDS = 120                    # every process answering /_stcore/health (2 cores, N starts)
PROXY_SECONDS = 20                     # nginx answering
STOP_SECONDS = 20                      # a process ending after SIGTERM, before SIGKILL
INIT_SECONDS = 300                     # python -m lib init (migrations)
STREAMLIT_DEFAULT_UPLOAD_MB = 200      # Streamlit's own default for server.maxUploadSize

NGINX_CONF = jinja2.Template("""\
# Written by tools/cluster.py (make cluster) on every start: edit the template there, not this file.
{% if user %}user {{ user }} {{ group }};
{% endif %}worker_processes 1;
daemon off;
pid {{ folder }}/nginx.pid;
error_log {{ folder }}/error.log warn;

events {
    worker_connections 1024;
}

http {
    log_format cluster '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                       'route=$route_value upstream=$upstream_addr time=$request_time';
    access_log {{ folder }}/access.log cluster;
    client_body_temp_path {{ folder }}/temp/body;
    proxy_temp_path {{ folder }}/temp/proxy;
    fastcgi_temp_path {{ folder }}/temp/fastcgi;
    uwsgi_temp_path {{ folder }}/temp/uwsgi;
    scgi_temp_path {{ folder }}/temp/scgi;
    server_tokens off;

    # A browser's route: its cookie, or (first request) this request's id, sent back as the cookie.
    map $cookie_route $route_value {
        ""      $request_id;
        default $cookie_route;
    }
    map $cookie_route $route_cookie {
        ""      "route=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ""      "";
    }

    upstream coffeechat {
        hash $route_value consistent;
{% for backend in backends %}        server {{ backend }} max_fails=1 fail_timeout=10s;
{% endfor %}        keepalive 16;
    }
{% macro forwarded() %}            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
{%- endmacro %}
    server {
        listen {{ address }}:{{ port }};
        server_name _;
        # Streamlit's server.maxUploadSize ({{ upload_mb }} MB, .streamlit/config.toml).
        client_max_body_size {{ upload_mb }}m;
        add_header Set-Cookie $route_cookie always;
        add_header X-Upstream $upstream_addr always;

        location / {
            proxy_pass http://coffeechat;
{{ forwarded() }}
            proxy_set_header Connection "";
        }

        # The session's websocket: upgraded, and open for as long as the browser tab is.
        location /_stcore/stream {
            proxy_pass http://coffeechat;
{{ forwarded() }}
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_buffering off;
        }

        # Uploads stream to the process that holds the session (same route cookie).
        location /_stcore/upload_file/ {
            proxy_pass http://coffeechat;
{{ forwarded() }}
            proxy_set_header Connection "";
            proxy_request_buffering off;
            proxy_read_timeout 300s;
            proxy_send_timeout 300s;
        }
    }
}
""", undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


class ClusterUnavailable(RuntimeError):
    """nginx or PostgreSQL is not installed here."""


class ClusterFailed(RuntimeError):
    """A part did not start; the message carries the end of its log."""


@dataclass
class Cluster:
    url: str                               # the proxy: http://ADDRESS:PORT
    backends: list[str]                    # the Streamlit processes: "127.0.0.1:8601", ...
    database: str                          # a postgresql:// URL, or "workshop"
    folder: Path
    pids: dict[str, int] = field(default_factory=dict)     # "nginx" / backend address -> pid
    procs: dict[str, subprocess.Popen] = field(default_factory=dict, repr=False)

    def log(self, backend: str) -> Path:
        return _app_log(self.folder, backend)

    def exited(self) -> list[str]:
        """The parts ("nginx", backend addresses) that have ended since the start."""
        return [name for name, proc in self.procs.items() if proc.poll() is not None]


def _app_log(folder: Path, backend: str) -> Path:
    return folder / f"app-{backend.rsplit(':', 1)[1]}.log"


# ---------------------------------------------------------------------------------------------
# what is needed

def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def missing(database: str | None = None) -> str | None:
    """Why a cluster cannot start here (nginx, or PostgreSQL when one must be started), or None."""
    if not nginx_binary():
        return "nginx is missing: apt-get install nginx (or make nginx)"
    if _database_choice(database) == LOCAL:
        return postgres.missing()
    return None


def upload_limit_mb(config: Path = ROOT / ".streamlit" / "config.toml") -> int:
    try:
        settings = tomllib.loads(config.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return STREAMLIT_DEFAULT_UPLOAD_MB
    return int(settings.get("server", {}).get("maxUploadSize", STREAMLIT_DEFAULT_UPLOAD_MB))


def _database_choice(database: str | None) -> str:
    """'workshop', a postgresql:// URL, or 'local' (start a server in the cluster's folder)."""
    if database is None:
        if os.environ.get(CLUSTER_DB_ENV, "").strip().lower() == WORKSHOP:
            return WORKSHOP
        database = os.environ.get(DB_ENV, "")
    if database == WORKSHOP or database.startswith(("postgresql://", "postgres://")):
        return database
    return LOCAL


def render_config(folder: Path, address: str, port: int, backends: list[str], upload_mb: int) -> str:
    user = group = None
    if os.geteuid() == 0:                         # nginx's workers drop to nobody when we are root
        nobody = pwd.getpwnam("nobody")
        user, group = nobody.pw_name, grp.getgrgid(nobody.pw_gid).gr_name
    return NGINX_CONF.render(folder=folder, address=address, port=port, backends=backends,
                             upload_mb=upload_mb, user=user, group=group)


# ---------------------------------------------------------------------------------------------
# the cluster

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_free(address: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError:
            return False
    return True


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    return "\n".join([f"--- end of {path} ---", *text[-lines:]])


def _stop_process(proc: subprocess.Popen, seconds: float = STOP_SECONDS) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=seconds)


def _check_reachable_by_nobody(folder: Path) -> None:
    """As root, nginx's workers (nobody) write request bodies under folder/temp."""
    if os.geteuid() != 0:
        return
    for parent in [folder, *folder.parents]:
        if not parent.stat().st_mode & 0o001:
            raise ClusterFailed(f"{parent} is closed to other users (mode {parent.stat().st_mode & 0o777:o}): "
                                f"nginx's workers (nobody) could not reach {folder}/temp. Choose another --folder")


def _leftovers(folder: Path) -> dict[str, int]:
    """Processes of an earlier cluster in `folder` that are still running (pids.json, checked
    against each process's command line so that a reused pid is never taken for ours)."""
    try:
        recorded = json.loads((folder / "pids.json").read_text())
    except (OSError, ValueError):
        return {}
    alive = {}
    for name, pid in recorded.items():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if ("nginx" in command and str(folder) in command) or ("streamlit" in command and "app.py" in command):
            alive[name] = int(pid)
    return alive


@contextmanager
def cluster(processes: int = 2, port: int = 8501, address: str = "127.0.0.1",
            backend_ports: list[int] | None = None, database: str | None = None,
            folder: Path = DEFAULT_FOLDER, streamlit_options: tuple[str, ...] = (),
            env: dict[str, str] | None = None, say: Callable[[str], None] = print) -> Iterator[Cluster]:
    """Start the cluster, yield it, stop everything (also when the block raises).

    `database`: None reads CLUSTER_DB / COFFEECHAT_DB (see the module doc); WORKSHOP; a
    postgresql:// URL; LOCAL (or any other text) starts a PostgreSQL server in folder/postgres.
    `backend_ports`: None picks free loopback ports."""
    if processes < 1:
        raise ValueError("at least one process")
    reason = missing(database)
    if reason:
        raise ClusterUnavailable(reason)
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if _leftovers(folder):
        raise ClusterFailed(f"a cluster is already running from {folder} (pids {sorted(_leftovers(folder).values())}): "
                            "stop it first (Ctrl-C, or python -m tools.cluster stop"
                            + ("" if folder == DEFAULT_FOLDER.resolve() else f" --folder {folder}") + ")")
    ports = list(backend_ports) if backend_ports else [free_port() for _ in range(processes)]
    if len(ports) != processes or len(set(ports)) != processes or port in ports:
        raise ValueError(f"{processes} distinct backend ports needed, other than {port}: got {ports}")
    for number in [port, *ports]:
        host = address if number == port else "127.0.0.1"
        if not _port_free(host, number):
            raise ClusterFailed(f"port {number} on {host} is in use (make run? another cluster?): choose another "
                                "(PORT=... for the proxy, --backend-port for the processes)")
    _check_reachable_by_nobody(folder)
    (folder / "temp").mkdir(exist_ok=True)
    os.chmod(folder / "temp", 0o755)
    backends = [f"127.0.0.1:{number}" for number in ports]
    environment = {**os.environ, **(env or {})}

    with ExitStack() as stack:
        # 1. The database.
        choice = _database_choice(database)
        if choice == WORKSHOP:
            environment[WORKSHOP_ENV] = "1"
            say("Workshop copies: every session works on its own throwaway DuckDB copy of the demo cohort.")
            db_url = WORKSHOP
        else:
            if choice == LOCAL:
                db_url = _local_postgres(folder, stack, say)
            else:
                db_url = choice
                say(f"Database: {_without_password(db_url)} (COFFEECHAT_DB)")
            environment[DB_ENV] = db_url
            environment.pop(WORKSHOP_ENV, None)
            init = subprocess.run([sys.executable, "-m", "lib", "init"], cwd=ROOT, env=environment, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=INIT_SECONDS,
                                  stdin=subprocess.DEVNULL)
            if init.returncode != 0:
                raise ClusterFailed(f"python -m lib init failed on {_without_password(db_url)}:\n{init.stdout.strip()}\n"
                                    f"(Until the app can open a postgresql:// database, try CLUSTER_DB=workshop.)")

        # 2. The Streamlit processes, all started at once, then waited for.
        procs: dict[str, subprocess.Popen] = {}

        def stop_processes() -> None:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.terminate()
            for proc in procs.values():
                _stop_process(proc)
        stack.callback(stop_processes)
        for backend in backends:
            number = backend.rsplit(":", 1)[1]
            with open(_app_log(folder, backend), "w") as log:
                procs[backend] = subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", number,
                     "--server.address", "127.0.0.1", "--server.headless", "true",
                     "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
                     *streamlit_options],
                    cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True)       # Ctrl-C reaches us; we stop them in order
        _write_pids(folder, {backend: proc.pid for backend, proc in procs.items()})
        stack.callback((folder / "pids.json").unlink, missing_ok=True)
        pending = list(backends)
        deadline = time.monotonic() + START_SECONDS
        while pending:
            for backend in list(pending):
                if procs[backend].poll() is not None:
                    raise ClusterFailed(f"the Streamlit process on {backend} exited "
                                        f"(code {procs[backend].returncode}):\n{_tail(_app_log(folder, backend))}")
                if _healthy(f"http://{backend}"):
                    pending.remove(backend)
            if pending and time.monotonic() > deadline:
                raise ClusterFailed(f"no answer from {', '.join(pending)} after {START_SECONDS} s:\n"
                                    + "\n".join(_tail(_app_log(folder, b)) for b in pending))
            if pending:
                time.sleep(0.3)
        say(f"{processes} Streamlit process{'es' if processes > 1 else ''} ready on {', '.join(backends)}")

        # 3. nginx in front.
        nginx = nginx_binary()
        conf = folder / "nginx.conf"
        conf.write_text(render_config(folder, address, port, backends, upload_limit_mb()))
        base = [nginx, "-p", f"{folder}/", "-c", str(conf), "-e", str(folder / "error.log")]
        check = subprocess.run([*base, "-t", "-q"], text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=30, stdin=subprocess.DEVNULL)
        if check.returncode != 0:
            raise ClusterFailed(f"nginx refused {conf}:\n{check.stdout}")
        with open(folder / "nginx.out", "w") as out:
            proxy = subprocess.Popen(base, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        stack.callback(_stop_process, proxy)
        _write_pids(folder, {"nginx": proxy.pid, **{b: p.pid for b, p in procs.items()}})
        url = f"http://{address}:{port}"
        deadline = time.monotonic() + PROXY_SECONDS
        while not _healthy(url):
            if proxy.poll() is not None or time.monotonic() > deadline:
                raise ClusterFailed(f"nginx did not answer on {url}:\n{_tail(folder / 'nginx.out')}\n"
                                    f"{_tail(folder / 'error.log')}")
            time.sleep(0.2)
        yield Cluster(url=url, backends=backends, database=db_url, folder=folder,
                      pids={"nginx": proxy.pid, **{b: p.pid for b, p in procs.items()}},
                      procs={"nginx": proxy, **procs})


def _local_postgres(folder: Path, stack: ExitStack, say: Callable[[str], None]) -> str:
    """Start (or reuse) a PostgreSQL server for the cluster; stop it at the end if we started it."""
    where = folder / "postgres"
    try:
        already = postgres.running_port(where) is not None
        url = postgres.start(where)
    except postgres.FolderUnreachable:
        import tempfile
        import hashlib
        digest = hashlib.sha256(str(folder).encode()).hexdigest()[:10]    # the same folder every run
        where = Path(tempfile.gettempdir()) / f"coffeechat-cluster-postgres-{os.getuid()}-{digest}"
        say(f"(the postgres user cannot reach {folder}: its server lives in {where})")
        already = postgres.running_port(where) is not None
        url = postgres.start(where)
    except postgres.PostgresFailed as exc:
        raise ClusterFailed(str(exc)) from None
    if not already:
        stack.callback(postgres.stop, where)
    say(f"COFFEECHAT_DB is not a postgresql:// URL: using a local PostgreSQL server in {where}\n"
        f"  {url}{' (already running; left running)' if already else ' (stopped with the cluster)'}")
    return url


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _write_pids(folder: Path, pids: dict[str, int]) -> None:
    (folder / "pids.json").write_text(json.dumps(pids, indent=1) + "\n")


def stop_leftovers(folder: Path = DEFAULT_FOLDER) -> list[int]:
    """End the processes a killed cluster left running (pids.json), and its PostgreSQL server."""
    folder = Path(folder).resolve()
    alive = _leftovers(folder)
    for pid in alive.values():
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + STOP_SECONDS
    for pid in alive.values():
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        if Path(f"/proc/{pid}").exists():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    (folder / "pids.json").unlink(missing_ok=True)
    if not postgres.missing():
        postgres.stop(folder / "postgres")
    return sorted(alive.values())


# ---------------------------------------------------------------------------------------------
# command line

def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", nargs="?", choices=("serve", "stop"), default="serve")
    parser.add_argument("--processes", type=int, default=2, help="Streamlit processes (default 2)")
    parser.add_argument("--port", type=int, default=8501, help="nginx's port (default 8501)")
    parser.add_argument("--address", default="127.0.0.1",
                        help="nginx's address (default 127.0.0.1; 0.0.0.0 only behind the HTTPS proxy)")
    parser.add_argument("--backend-port", type=int, default=8601,
                        help="the first process's port; the others follow (default 8601)")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="default build/cluster")
    args = parser.parse_args(argv)
    if args.action == "stop":
        stopped = stop_leftovers(args.folder)
        print(f"stopped {stopped}" if stopped else "no cluster process was running")
        return 0
    if not 1 <= args.processes <= 64:
        parser.error("--processes must be from 1 to 64")
    address = "127.0.0.1" if args.address == "localhost" else args.address
    signal.signal(signal.SIGINT, signal.default_int_handler)    # also when started in the background
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGHUP, _stop_on_sigterm)
    try:
        with cluster(processes=args.processes, port=args.port, address=address,
                     backend_ports=[args.backend_port + n for n in range(args.processes)],
                     folder=args.folder, say=lambda text: print(text, flush=True)) as running:
            print(f"Serving {running.url} (nginx, sticky by cookie) -> {', '.join(running.backends)}\n"
                  f"Logs in {running.folder}. Ctrl-C stops everything.", flush=True)
            warned: set[str] = set()
            while True:                                             # until Ctrl-C / SIGTERM
                time.sleep(1)
                for name in running.exited():
                    if name not in warned:
                        warned.add(name)
                        print(f"warning: {name} has exited; see the logs in {running.folder}", flush=True)
    except KeyboardInterrupt:
        print("Stopped.", flush=True)
        return 0
    except (ClusterUnavailable, ClusterFailed, postgres.PostgresFailed, postgres.PostgresUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
