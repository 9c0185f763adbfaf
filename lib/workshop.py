"""Workshop mode (COFFEECHAT_WORKSHOP=1): every browser session works on its own private
copy of the demo cohort, so a room of 30 can click and write at once without seeing each
other's changes. Copies live in one temporary folder that is deleted when the server stops:
nothing persists."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from datetime import date
from pathlib import Path

from lib import demo

WORKSHOP_ENV = "COFFEECHAT_WORKSHOP"
_lock = threading.Lock()
_folder: Path | None = None


def enabled() -> bool:
    return os.environ.get(WORKSHOP_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _workspace() -> Path:
    global _folder
    with _lock:
        if _folder is None:
            _folder = Path(tempfile.mkdtemp(prefix="coffeechat-workshop-"))
            atexit.register(shutil.rmtree, _folder, True)
        return _folder


def template(as_of: date) -> Path:
    """The demo cohort built once per server (and per 'as of' date), never opened by a session."""
    path = _workspace() / f"template-{as_of.isoformat()}.duckdb"
    with _lock:
        if not path.exists():
            building = path.with_suffix(".building")
            demo.load_file(building, as_of=as_of)      # opened, written, closed: safe to copy
            building.rename(path)
    return path


_origins: dict[str, str] = {}


def session_copy(session_key: str, generation: int, as_of: date) -> Path:
    """This session's private copy (a new one for each reset)."""
    path = _workspace() / f"session-{session_key}-{generation}.duckdb"
    if not path.exists():
        source = template(as_of)
        shutil.copyfile(source, path)
        _origins[str(path)] = str(source)
    return path


def origin_of(path: str | Path) -> str | None:
    """The template a session's copy was made from (None for any other file): until the
    session changes something, its copy reads exactly as the template does."""
    return _origins.get(str(path))
