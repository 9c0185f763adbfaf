"""Helpers that run outside the app: a local PostgreSQL server (tools/postgres.py) and the
nginx-fronted cluster of Streamlit processes (tools/cluster.py)."""
