"""Coffee Chat Coach engine: plain Python, DuckDB, pandas and Plotly (no Streamlit but lib/ui.py)."""
