"""Figures the reliability tests measure, gathered in build/reliability.json and printed at
the end of the run (the README's Reliability table quotes them)."""
import json

from tests.conftest import ROOT

FILE = ROOT / "build" / "reliability.json"


def record(name: str, **values) -> None:
    FILE.parent.mkdir(parents=True, exist_ok=True)
    figures = json.loads(FILE.read_text()) if FILE.exists() else {}
    figures[name] = values
    FILE.write_text(json.dumps(figures, indent=2))
