"""A local PostgreSQL server in a folder, for the tests, `make cluster` and `make bench`.

    python -m tools.postgres start DIR    # prints postgresql://postgres@127.0.0.1:PORT/coffeechat
    python -m tools.postgres stop DIR
    python -m tools.postgres status DIR   # prints the URL when running, exit 3 when not

In Python, `temporary_server()` is a context manager that yields the URL and always stops the
server (and removes its temporary folder) on the way out, also when the block raises.

It runs Debian's PostgreSQL 15 binaries (/usr/lib/postgresql/15/bin; `apt-get install
postgresql`, or COFFEECHAT_PG_BIN for another folder). initdb and pg_ctl refuse to run as root,
so as root they run as the `postgres` user (runuser) in a folder that user owns; as anyone else
they run as that user. The cluster trusts every local connection (`initdb -A trust`), listens on
127.0.0.1 only, on a free port, with fsync off: it is for tests and benchmarks on one machine,
never for data that must survive a power cut.

Layout of DIR: data/ (the cluster), log (the server's log), port (the port it was started on),
sock/ (its Unix socket, when the path is short enough; else a folder under /tmp).
"""
from __future__ import annotations

import argparse
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

BIN_ENV = "COFFEECHAT_PG_BIN"
DEFAULT_BIN = Path("/usr/lib/postgresql/15/bin")
DATABASE = "coffeechat"
SUPERUSER = "postgres"
OS_USER = "postgres"                 # who runs initdb/pg_ctl when we are root
START_SECONDS = 60                   # pg_ctl -w -t: how long a start or stop may take
COMMAND_SECONDS = 180                # any one command (initdb is the slowest: a few seconds)
PORT_TRIES = 3                       # a free port can be taken between choosing and binding
SOCKET_PATH_MAX = 90                 # a Unix socket path must stay under 108 bytes
INSTALL_HINT = "apt-get install postgresql (Debian's PostgreSQL 15 server)"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries (or the user to run them as) are missing."""


class PostgresFailed(RuntimeError):
    """initdb, pg_ctl or createdb failed; the message carries the end of the server's log."""


class FolderUnreachable(PostgresFailed):
    """We are root and the postgres user cannot reach the folder (a parent is closed, 0700)."""


def bin_dir() -> Path:
    return Path(os.environ.get(BIN_ENV) or DEFAULT_BIN)


def missing() -> str | None:
    """Why a server cannot be started here (binaries or the postgres user missing), or None."""
    folder = bin_dir()
    for name in ("initdb", "pg_ctl", "psql", "createdb"):
        if not os.access(folder / name, os.X_OK):
            return f"{folder / name} is missing: {INSTALL_HINT}"
    if _is_root():
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            return f"the '{OS_USER}' user is missing (initdb refuses root): {INSTALL_HINT}"
        if not shutil.which("runuser"):
            return "runuser is missing (util-linux): it runs initdb and pg_ctl as the postgres user"
    return None


def url_for(port: int, database: str = DATABASE) -> str:
    return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{database}"


# ---------------------------------------------------------------------------------------------
# start / stop / status

def start(folder: Path | str) -> str:
    """Start the server in `folder` (creating the cluster and the `coffeechat` database the
    first time) and return its URL. When it is already running there, just return its URL."""
    folder = Path(folder).resolve()
    reason = missing()
    if reason:
        raise PostgresUnavailable(reason)
    port = running_port(folder)
    if port is None:
        _prepare(folder)
        port = _start(folder)
    _create_database(port)
    return url_for(port)


def stop(folder: Path | str) -> bool:
    """Stop the server in `folder` (fast: open sessions are ended). False when none was running."""
    folder = Path(folder).resolve()
    data = folder / "data"
    if not (data / "PG_VERSION").exists() or missing():
        return False
    if running_port(folder) is None:
        return False
    result = _run_as_owner([str(bin_dir() / "pg_ctl"), "-D", str(data), "-m", "fast",
                            "-w", "-t", str(START_SECONDS), "stop"], cwd=folder)
    if result.returncode != 0 and running_port(folder) is not None:
        raise PostgresFailed(f"pg_ctl stop failed in {folder}:\n{result.stdout}{_log_tail(folder)}")
    return True


def running_port(folder: Path | str) -> int | None:
    """The port of the server running in `folder`, or None (pg_ctl status, then postmaster.pid)."""
    folder = Path(folder).resolve()
    data = folder / "data"
    if not (data / "PG_VERSION").exists() or missing():
        return None
    result = _run_as_owner([str(bin_dir() / "pg_ctl"), "-D", str(data), "status"], cwd=folder)
    if result.returncode != 0:
        return None
    try:
        lines = (data / "postmaster.pid").read_text().splitlines()
        return int(lines[3])                                  # line 4 of postmaster.pid: the port
    except (OSError, IndexError, ValueError):
        return None


@contextmanager
def temporary_server(folder: Path | None = None) -> Iterator[str]:
    """A server for the length of a `with` block: yields its URL; stops it afterwards, also when
    the block raises or is interrupted. Without `folder` it lives in a new folder under the
    temp dir, removed at the end; a given `folder` is kept (its log stays for reading)."""
    own_folder = folder is None
    path = Path(tempfile.mkdtemp(prefix="coffeechat-pg-")) if own_folder else Path(folder)
    try:
        url = start(path)
        try:
            yield url
        finally:
            stop(path)
    finally:
        if own_folder:
            shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# the parts

def _is_root() -> bool:
    return os.geteuid() == 0


def _run_as_owner(command: list[str], cwd: Path, timeout: float = COMMAND_SECONDS) -> subprocess.CompletedProcess:
    """Run a server command as the cluster's owner: the postgres user when we are root."""
    if _is_root():
        command = ["runuser", "-u", OS_USER, "--", *command]
    try:
        return subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise PostgresFailed(f"{shlex.join(command)} took longer than {timeout:.0f} s") from None


def _prepare(folder: Path) -> None:
    """Create `folder`, give it to the postgres user when we are root, and initdb data/ once."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PostgresFailed(f"cannot create {folder}: {exc.strerror or exc}") from None
    if _is_root():
        owner = pwd.getpwnam(OS_USER)
        for path in (folder, *folder.rglob("*")):
            os.chown(path, owner.pw_uid, owner.pw_gid, follow_symlinks=False)
        check = _run_as_owner(["test", "-w", str(folder), "-a", "-x", str(folder)], cwd=Path("/"))
        if check.returncode != 0:
            raise FolderUnreachable(f"the '{OS_USER}' user cannot reach {folder}: a folder above it is closed to "
                                 "other users (mode 0700?). Choose a folder every user can pass through, "
                                 "or leave it to temporary_server() (a new folder under /tmp)")
    data = folder / "data"
    if (data / "PG_VERSION").exists():
        return
    result = _run_as_owner([str(bin_dir() / "initdb"), "-D", str(data), "-A", "trust", "-U", SUPERUSER,
                            "--no-sync", "-E", "UTF8", f"--locale={_locale()}"], cwd=folder)
    if result.returncode != 0:
        raise PostgresFailed(f"initdb failed in {folder}:\n{result.stdout}")


def _locale() -> str:
    """C.UTF-8 when the system has it (Debian always does); else C, which takes any encoding."""
    try:
        names = subprocess.run(["locale", "-a"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, timeout=30).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return "C"
    normalised = {name.lower().replace("-", "") for name in names}
    return "C.UTF-8" if "c.utf8" in normalised else "C"


def _socket_dir(folder: Path) -> Path:
    sock = folder / "sock"
    if len(str(sock / ".s.PGSQL.65535")) > SOCKET_PATH_MAX:
        sock = Path(tempfile.mkdtemp(prefix="pgsock-", dir="/tmp"))
    sock.mkdir(exist_ok=True)
    if _is_root():
        owner = pwd.getpwnam(OS_USER)
        os.chown(sock, owner.pw_uid, owner.pw_gid)
    return sock


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(folder: Path) -> int:
    sock = _socket_dir(folder)
    log = folder / "log"
    failure = ""
    for _ in range(PORT_TRIES):
        port = _free_port()
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {shlex.quote(str(sock))} "
                   "-c fsync=off -c max_connections=200")
        result = _run_as_owner([str(bin_dir() / "pg_ctl"), "-D", str(folder / "data"), "-o", options,
                                "-l", str(log), "-w", "-t", str(START_SECONDS), "start"], cwd=folder)
        if result.returncode == 0:
            (folder / "port").write_text(f"{port}\n")
            return port
        failure = f"{result.stdout}{_log_tail(folder)}"
        if "already in use" not in failure:
            break
        _run_as_owner([str(bin_dir() / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "-w",
                       "-t", "10", "stop"], cwd=folder)             # in case it half-started
    raise PostgresFailed(f"the PostgreSQL server did not start in {folder}:\n{failure}")


def _psql(port: int, sql: str, database: str = "postgres") -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir() / "psql"), "-X", "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER,
                           "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=COMMAND_SECONDS,
                          stdin=subprocess.DEVNULL, env={**os.environ, "PGCONNECT_TIMEOUT": "10"})


def _create_database(port: int) -> None:
    exists = _psql(port, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")
    if exists.returncode != 0:
        raise PostgresFailed(f"psql could not reach the server on port {port}:\n{exists.stdout}")
    if exists.stdout.strip() == "1":
        return
    created = _psql(port, f'CREATE DATABASE "{DATABASE}" ENCODING \'UTF8\' TEMPLATE template0')
    if created.returncode != 0 and "already exists" not in created.stdout:
        raise PostgresFailed(f"could not create the {DATABASE} database:\n{created.stdout}")


def _log_tail(folder: Path, lines: int = 20) -> str:
    try:
        text = (folder / "log").read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(["--- end of the server log ---", *text[-lines:]])


# ---------------------------------------------------------------------------------------------
# command line

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.postgres",
                                     description="A local PostgreSQL server in a folder (tests, cluster, bench)")
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("folder", metavar="DIR", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            print(start(args.folder))
        elif args.action == "stop":
            stopped = stop(args.folder)
            print(f"stopped the server in {args.folder}" if stopped else f"no server was running in {args.folder}",
                  file=sys.stderr)
        else:
            port = running_port(args.folder)
            if port is None:
                print(f"no server is running in {args.folder}", file=sys.stderr)
                return 3
            print(url_for(port))
    except (PostgresUnavailable, PostgresFailed) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
