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
    assert by_name["Warm"].marker.color == charts.WARMTH_COLOURS["warm"]
    assert by_name["Cold"].marker.color == charts.WARMTH_COLOURS["cold"]
    assert "Person &lt;b&gt;8&lt;/b&gt;" in by_name["Warm"].text     # names that fit, escaped
    assert by_name["You"].text == ("Ada &lt;i&gt;L&lt;/i&gt;",)
    edges = by_name["Introduced"]
    assert sum(x is None for x in edges.x) == 1          # one referral: c9 -> c10
    points = list(zip(by_name["Warm"].x, by_name["Warm"].y))
    assert all(0.2 <= (x * x + y * y) ** 0.5 <= 1.0 for x, y in points)


def test_network_map_at_2000_contacts_drops_labels_and_stays_small():
    fig = charts.network_map(nodes(2000), "Ada", SOURCES)
    marks = [t for t in fig.data if t.name in ("Warm", "Cold")]
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


# --- issue 15 ----------------------------------------------------------------------------------

def test_hours_to_thank_you_shows_every_point_or_marks_it_beyond_the_axis():
    frame = pd.DataFrame({
        "contact": ["Quick", "Late", "Weeks <b>old</b>"], "warmth": ["warm", "cold", "warm"],
        "ended_at": pd.to_datetime(["2026-10-01 10:30", "2026-10-20 10:30", "2026-09-01 10:30"]),
        "hours": [5.0, 30.0, 1900.0], "sent": [True, True, False]})
    fig = charts.thank_you_chart(frame)
    top = fig.layout.yaxis.range[1]
    drawn = [(y, symbol) for trace in fig.data
             for y, symbol in zip(trace.y, trace.marker.symbol if isinstance(trace.marker.symbol, tuple)
                                  else [trace.marker.symbol] * len(trace.y))]
    assert len(drawn) == len(frame)                                   # every conversation is a point
    assert all(0 <= y <= top for y, _ in drawn)                       # ...inside the axis
    assert [s for y, s in drawn if y == top] == ["triangle-up"]       # the one beyond it sits on the edge, marked
    assert any("beyond" in a.text and "1900" in a.text for a in fig.layout.annotations)
    weeks = next(t for t in fig.data if t.name == "Warm contact: not sent yet")
    assert weeks.customdata[0][1] == 1900.0 and weeks.customdata[0][0] == "Weeks &lt;b&gt;old&lt;/b&gt;"


def test_same_named_people_are_separate_rows_in_the_touch_gaps_chart():
    frame = pd.DataFrame({"contact_id": ["a", "b"], "contact": ["Sam Lee", "Sam Lee"],
                          "organisation": ["Acme", "Birch"], "warmth": ["warm", "cold"], "target_days": [182, 182],
                          "days_since_last": [10.0, 200.0], "gaps": [[1.0], [3.0]]})
    from lib.followup import person_labels
    frame["label"] = person_labels(frame)
    fig = charts.touch_gap_chart(frame)
    assert set(fig.data[0].y) == {"Sam Lee (Acme)", "Sam Lee (Birch)"}
    assert len(fig.data[2].y) == 2 and len(set(fig.data[2].y)) == 2     # a diamond on each person's row


def test_layout_fixes_of_issue_17():
    """Reply-rate panels stacked (no overlap at 390 px), channel names as written ('LinkedIn'),
    a lone week drawn as a visible bar, and a thank-you axis of days, never clock times."""
    from datetime import datetime
    from lib import charts
    rates = pd.DataFrame({"dimension": ["Warmth", "Channel"], "group": ["warm", "linkedin"],
                          "label": ["warm", "LinkedIn message"], "n": [4, 3], "replied": [2, 1],
                          "rate": [0.5, 1 / 3], "low": [0.1, 0.05], "high": [0.9, 0.8]})
    fig = charts.reply_rate_chart(rates)
    top, bottom = fig.layout.yaxis.domain, fig.layout.yaxis2.domain
    assert bottom[1] < top[0] and fig.layout.xaxis.domain == fig.layout.xaxis2.domain == (0, 1)
    assert any(y.startswith("LinkedIn message") for y in fig.data[1].y)
    week = pd.DataFrame({"week": [pd.Timestamp("2026-11-09")], "rate": [0.5], "low": [0.1], "high": [0.9],
                         "n": [2], "replied": [1], "pending": [0]})
    bars = charts.reply_rate_week_chart(week)
    assert bars.data[0].width[0] == 5 * charts.DAY_MS and bars.layout.xaxis.range is not None
    hours = pd.DataFrame({"ended_at": [datetime(2026, 11, 18, 10), datetime(2026, 11, 18, 15)], "hours": [5.0, 30.0],
                          "warmth": ["warm", "cold"], "sent": [True, True], "contact": ["A", "B"]})
    thanks = charts.thank_you_chart(hours)
    assert thanks.layout.xaxis.tickformat == "%d %b" and thanks.layout.xaxis.dtick == charts.DAY_MS


def test_network_map_keeps_its_promise_warm_nearest_the_centre():
    fig = charts.network_map(nodes(40), "Ada", SOURCES)
    by_name = {trace.name: trace for trace in fig.data}

    def radii(name):
        return [(x * x + y * y) ** 0.5 for x, y in zip(by_name[name].x, by_name[name].y)]
    assert max(radii("Warm")) < min(radii("Cold"))


def test_network_map_labels_never_overlap_at_phone_width():
    """Names and category labels, as boxes in map units at a 390-px phone's scale (the
    narrowest the map is drawn at): no two overlap, and no name covers a category column."""
    for n in (5, 12, 25, 40):
        fig = charts.network_map(nodes(n), "Ada", SOURCES)
        boxes = []
        for trace in fig.data:
            if trace.name in ("Warm", "Cold"):
                for x, y, text, where, size in zip(trace.x, trace.y, trace.text, trace.textposition, trace.marker.size):
                    if text:
                        raw = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                        spot = {v: k for k, v in charts.MAP_SPOTS.items()}[where]
                        boxes.append(charts._text_box(x, y, raw, spot, size / 2 / charts.MAP_UNIT_PX))
        assert all(not charts._overlaps(a, boxes[i + 1:]) for i, a in enumerate(boxes)), n
        assert all(abs(b[0]) < charts.MAP_LABEL_X and abs(b[2]) < charts.MAP_LABEL_X for b in boxes)
        for side in (1, -1):                                          # each column's labels stand apart
            column = sorted(((a.y, a.text.count("<br>") + 1) for a in fig.layout.annotations if a.x * side > 0),
                            reverse=True)
            for (y1, lines1), (y2, lines2) in zip(column, column[1:]):
                assert y1 - y2 >= (lines1 + lines2) / 2 * charts.MAP_LINE - 1e-9, (n, column)
            assert all(abs(y) <= fig.layout.yaxis.range[1] for y, _ in column)


def test_empty_reply_rates_and_funnel_say_so_instead_of_drawing_bare_axes():
    """A student with nothing settled saw two empty panels whose tick labels ran into each other at 390 px."""
    rates = pd.DataFrame({"dimension": ["Warmth", "Channel"], "group": ["warm", "email"], "n": [0, 0],
                          "replied": [0, 0], "rate": [None, None], "low": [None, None], "high": [None, None]})
    for fig in (charts.reply_rate_chart(rates), charts.reply_rate_chart(rates.iloc[0:0]),
                charts.funnel_chart(pd.DataFrame({"warmth": [], "stage": [], "people": []}), ["In network", "Met"])):
        assert not fig.data and "yet" in fig.layout.annotations[0].text
