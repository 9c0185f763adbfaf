"""tools/postgres.py: a throwaway PostgreSQL server for the tests, the cluster and the bench.
Starts one, connects with psycopg, and checks that it is stopped afterwards (also when the
`with` block raises) and that `start` is idempotent."""
from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tools import postgres

needs_server = pytest.mark.skipif(postgres.missing() is not None,
                                reason=f"no PostgreSQL server here: {postgres.missing()}")


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@needs_server
def test_temporary_server_serves_the_coffeechat_database_and_stops():
    psycopg = pytest.importorskip("psycopg")
    with postgres.temporary_server() as url:
        parts = urlsplit(url)
        assert (parts.scheme, parts.hostname, parts.username, parts.path) == \
            ("postgresql", "127.0.0.1", "postgres", "/coffeechat")
        with psycopg.connect(url, connect_timeout=10) as conn:
            conn.execute("CREATE TABLE t (id integer PRIMARY KEY, name text)")
            conn.execute("INSERT INTO t VALUES (1, 'Zoë 김')")
            assert conn.execute("SELECT name FROM t").fetchone() == ("Zoë 김",)
            encoding, = conn.execute("SHOW server_encoding").fetchone()
            assert encoding == "UTF8"
            assert conn.execute("SHOW fsync").fetchone() == ("off",)
            assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert _accepts(parts.port)
    assert not _accepts(parts.port)


@needs_server
def test_the_server_stops_when_the_block_raises():
    with pytest.raises(RuntimeError, match="the test failed"):
        with postgres.temporary_server() as url:
            port = urlsplit(url).port
            assert _accepts(port)
            raise RuntimeError("the test failed")
    assert not _accepts(port)


@needs_server
def test_start_is_idempotent_and_stop_ends_it():
    # Not under pytest's own tmp folder: that one is closed to other users (0700), and the server
    # runs as the postgres user when we are root.
    parent = Path(tempfile.mkdtemp(prefix="coffeechat-pg-test-"))
    parent.chmod(0o755)
    folder = parent / "server"
    try:
        url = postgres.start(folder)
        assert postgres.start(folder) == url                     # already running: the same URL
        assert postgres.running_port(folder) == urlsplit(url).port
        assert postgres.main(["status", str(folder)]) == 0
        assert postgres.stop(folder) is True
        assert postgres.running_port(folder) is None
        assert postgres.stop(folder) is False                    # nothing left to stop
        assert postgres.main(["status", str(folder)]) == 3
        again = postgres.start(folder)                           # the same cluster starts again
        assert urlsplit(again).path == "/coffeechat"
    finally:
        postgres.stop(folder)
        shutil.rmtree(parent, ignore_errors=True)


def test_missing_binaries_are_reported_with_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setenv(postgres.BIN_ENV, str(tmp_path / "nowhere"))
    assert "apt-get install postgresql" in postgres.missing()
    with pytest.raises(postgres.PostgresUnavailable, match="apt-get install postgresql"):
        postgres.start(tmp_path / "server")
