"""Figure builders: user text stays inert, warm and cold keep their colours, and the
network map stays small and unlabelled at career-centre scale."""
import pandas as pd

from lib import charts
from lib.models import SOURCES


def nodes(n: int) -> pd.DataFrame:
    sources = list(SOURCES)
    frame = pd.DataFrame({
        "id": [f"c{i}" for i in range(n)],
        "name": [f"Person <b>{i}</b>" for i in range(n)],
        "warmth": ["warm" if i % 3 else "cold" for i in range(n)],
        "source": [sources[i % len(sources)] for i in range(n)],
        "organisation": [f"Org & Co {i % 40}" for i in range(n)],
        "referred_by": [f"c{i - 1}" if i % 10 == 0 and i else None for i in range(n)],
        "requests": [i % 3 for i in range(n)], "conversations": [i % 2 for i in range(n)],
    })
    return frame.assign(engagement=frame["requests"] + frame["conversations"])


def test_plain_escapes_markup_but_keeps_quotes():
    assert charts.plain('<b>"Green" & co</b>') == '&lt;b&gt;"Green" &amp; co&lt;/b&gt;'
    assert charts.plain(None) == "" and charts.plain(float("nan")) == ""


def test_small_network_map_is_labelled_and_coloured():
    fig = charts.network_map(nodes(12), "Ada <i>L</i>", SOURCES)
    by_name = {trace.name: trace for trace in fig.data}
    assert by_name["Warm contact"].marker.color == charts.WARMTH_COLOURS["warm"]
    assert by_name["Cold contact"].marker.color == charts.WARMTH_COLOURS["cold"]
    assert "Person &lt;b&gt;1&lt;/b&gt;" in by_name["Warm contact"].text
    assert by_name["You"].text == ("Ada &lt;i&gt;L&lt;/i&gt;",)
    edges = by_name["Referred (who introduced whom)"]
    assert sum(x is None for x in edges.x) == 1          # one referral: c9 -> c10
    points = list(zip(by_name["Warm contact"].x, by_name["Warm contact"].y))
    assert all(0.2 <= (x * x + y * y) ** 0.5 <= 1.0 for x, y in points)


def test_network_map_at_2000_contacts_drops_labels_and_stays_small():
    fig = charts.network_map(nodes(2000), "Ada", SOURCES)
    marks = [t for t in fig.data if t.name in ("Warm contact", "Cold contact")]
    assert sum(len(t.x) for t in marks) == 2000
    assert all(t.text is None for t in marks)
    assert len(fig.layout.annotations) == len(SOURCES)    # one label per category
    assert len(fig.to_json()) < 400_000


def test_warmth_bars_label_axes_and_keep_the_order_given():
    frame = pd.DataFrame({"source": ["Alumni", "LinkedIn", "Alumni"], "warmth": ["warm", "cold", "cold"],
                          "contacts": [3, 5, 1]})
    fig = charts.warmth_bars(frame, "source", "Where they come from", order=["LinkedIn", "Alumni"])
    assert fig.layout.xaxis.title.text == "Contacts (people)"
    assert fig.layout.yaxis.title.text == "Where they come from"
    warm, cold = fig.data
    assert (warm.name, list(warm.y), list(warm.x)) == ("Warm", ["LinkedIn", "Alumni"], [0, 3])
    assert (cold.marker.color, list(cold.x)) == (charts.WARMTH_COLOURS["cold"], [5, 1])
    assert charts.warmth_bars(frame.iloc[0:0], "source", "x").layout.annotations[0].text == "No contacts yet."
