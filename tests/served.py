"""`streamlit run app.py` as a child process on loopback, and the agent API's interact call.
Shared by the browser tests, the served-concurrency test and `make bench`."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent


class ServerDidNotStart(RuntimeError):
    pass


class Server(NamedTuple):
    url: str
    pid: int

    def rss_mb(self) -> float:
        """The server process's resident memory now, in MB (Linux /proc)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(folder: Path, *options: str, today: date, env: dict[str, str] | None = None,
          script: Path = ROOT / "app.py"):
    """Serve the app (or another `script`, e.g. the bench's empty floor app) on a free loopback port, on `folder`/coffeechat.duckdb at the frozen date
    `today` (plus any `env`); yield the Server (URL and pid), stop it afterwards. The log is
    `folder`/server.log."""
    port = free_port()
    environment = {**os.environ, "COFFEECHAT_DB": str(folder / "coffeechat.duckdb"),
                   "COFFEECHAT_TODAY": today.isoformat(), **(env or {})}
    log_path = folder / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false", *options],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart("streamlit did not start:\n" + log_path.read_text())
            time.sleep(0.3)
        yield Server(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def interact(url: str, body: dict, timeout: float = 120) -> dict:
    """One agent-API request (server started with --server.enableAgentApi=true): set widgets,
    press a trigger or open a page; returns the finished run's snapshot."""
    request = urllib.request.Request(f"{url}/_stcore/agent/interact", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())
