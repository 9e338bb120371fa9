"""Shared fixtures. Tests never touch the user's default store: MEDIAFRAMES_STORE points at a temp file.

Fixtures named ``synthetic_*`` are data we wrote ourselves for tests; they are not coverage.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from mediaframes.embedded import open_store
from mediaframes.store import Store


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIAFRAMES_STORE", str(tmp_path / "default-store.sqlite"))


@pytest.fixture
def store(tmp_path):
    """An empty store in a temporary file."""
    with Store(tmp_path / "store.sqlite") as s:
        yield s


@pytest.fixture(scope="session")
def embedded_store(tmp_path_factory):
    """A store holding the shipped corpus, built once per test session (read-only use, please)."""
    s = open_store(tmp_path_factory.mktemp("embedded") / "store.sqlite")
    yield s
    s.close()


@pytest.fixture(scope="session")
def template(embedded_store, tmp_path_factory):
    """A store file holding the shipped corpus, to copy (copying is faster than rebuilding)."""
    path = tmp_path_factory.mktemp("template") / "store.sqlite"
    target = sqlite3.connect(path)
    embedded_store.conn.backup(target)
    target.close()
    return path


@pytest.fixture
def store_path(template, tmp_path):
    """A fresh copy of the shipped-corpus store for one test to change."""
    path = tmp_path / "store.sqlite"
    shutil.copyfile(template, path)
    return path
