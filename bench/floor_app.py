"""The floor for `make bench`'s browser figures: a three-page Streamlit app that does nothing.

Served beside app.py in the same run, clicking between its pages in Chromium costs what any
Streamlit app costs on this machine (the websocket round trip, a script run, React drawing
the page): the least a click in Coffee Chat Coach could cost.
"""
import streamlit as st


def _page(number: int):
    def page() -> None:
        st.title(f"Page {number}")
        st.write(f"An empty page, number {number}.")
    page.__name__ = f"page_{number}"
    return page


st.navigation([st.Page(_page(n), title=f"Page {n}", url_path=f"page{n}", default=n == 1) for n in (1, 2, 3)]).run()
