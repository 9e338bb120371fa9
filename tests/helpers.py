"""Helpers shared by the test modules (plain functions; fixtures live in conftest.py)."""

import sqlite3

from mediaframes.store import Store


def snapshot(store_or_path):
    """Every row of every table of a store (a Store or a file): equal snapshots mean an unchanged store."""
    if isinstance(store_or_path, Store):
        conn, own = store_or_path.conn, False
    else:
        conn, own = sqlite3.connect(store_or_path), True
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        if own:
            conn.close()
