"""Read-only tables: an empty text cell is empty, never the word None (issue 17 item 4)."""
import pandas as pd

from lib.ui.widgets import blank_missing


def test_empty_text_cells_never_read_none():
    frame = pd.DataFrame({"Name": ["Ada", None], "Organisation": pd.Series([None, "Contoso"], dtype="string"),
                          "Requests": [1, 2]})
    shown = blank_missing(frame)
    assert shown["Name"].tolist() == ["Ada", ""] and shown["Organisation"].tolist() == ["", "Contoso"]
    assert shown["Requests"].tolist() == [1, 2]
