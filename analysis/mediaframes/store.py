"""The corpus store: one SQLite file holding outlets, articles, features, texts and codes.

* ``articles``: one row per canonical URL, with outlet, country, dates, collection and provenance
  (``import_id`` -> ``imports``: how, from which files and when the row entered).
* ``features``: each article's bag of words as two packed arrays (term ids, counts), so a
  document-feature matrix of hundreds of thousands of articles loads in seconds.
* ``texts``: optional full text; it only ever lives in a user's local store.
* ``annotations``: coded variables, one row per article, coder and variable (value as JSON).

The schema is versioned with ``PRAGMA user_version`` and upgraded by :data:`MIGRATIONS`; the
database runs in WAL mode; every import is one transaction (:meth:`Store.transaction`), so a crash or
Ctrl-C leaves the store as it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import MediaframesError

#: Schema migrations: ``MIGRATIONS[v]`` upgrades a store from version ``v - 1`` to ``v``.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE outlets (
        domain TEXT PRIMARY KEY,
        outlet TEXT NOT NULL,
        country TEXT NOT NULL,
        ownership TEXT NOT NULL DEFAULT 'unknown',
        notes TEXT NOT NULL DEFAULT '',
        registered_from TEXT NOT NULL
    );
    CREATE TABLE imports (
        import_id INTEGER PRIMARY KEY,
        collection TEXT NOT NULL,
        method TEXT NOT NULL,
        sources TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        n_added INTEGER NOT NULL DEFAULT 0,
        n_unchanged INTEGER NOT NULL DEFAULT 0,
        n_flagged INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE articles (
        article_id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        canonical_url TEXT NOT NULL UNIQUE,
        domain TEXT NOT NULL REFERENCES outlets(domain),
        outlet TEXT NOT NULL,
        country TEXT NOT NULL,
        publisher_country TEXT,
        wire TEXT,
        published TEXT,
        month TEXT,
        language TEXT NOT NULL DEFAULT 'en',
        n_words INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        near_duplicate_of TEXT,
        collection TEXT NOT NULL,
        import_id INTEGER NOT NULL REFERENCES imports(import_id),
        source_file TEXT NOT NULL,
        source_record INTEGER
    );
    CREATE INDEX articles_collection ON articles(collection);
    CREATE INDEX articles_hash ON articles(content_hash);
    CREATE TABLE terms (term_id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
    CREATE TABLE features (
        article_id INTEGER PRIMARY KEY REFERENCES articles(article_id) ON DELETE CASCADE,
        term_ids BLOB NOT NULL,
        counts BLOB NOT NULL,
        n_terms INTEGER NOT NULL
    );
    CREATE TABLE texts (
        article_id INTEGER PRIMARY KEY REFERENCES articles(article_id) ON DELETE CASCADE,
        title TEXT,
        text TEXT NOT NULL,
        source TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE TABLE annotations (
        article_id INTEGER NOT NULL REFERENCES articles(article_id) ON DELETE CASCADE,
        coder TEXT NOT NULL,
        variable TEXT NOT NULL,
        value TEXT NOT NULL,
        is_primary INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (article_id, coder, variable)
    );
    CREATE TABLE hydration (
        article_id INTEGER PRIMARY KEY REFERENCES articles(article_id) ON DELETE CASCADE,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        http_status INTEGER,
        final_url TEXT,
        error TEXT,
        updated_at TEXT NOT NULL
    );
    """,
    # 2: MinHash signatures of the bags of words, banded for locality-sensitive hashing, so that
    # near-duplicate detection (mediaframes.dedup) compares a new article with a few candidates
    # instead of every stored article. Filled lazily: an article without a row is indexed on demand,
    # and set_features() drops the row of an article whose bag of words changes.
    2: """
    CREATE TABLE minhash (
        article_id INTEGER PRIMARY KEY REFERENCES articles(article_id) ON DELETE CASCADE,
        bands BLOB NOT NULL
    );
    """,
}
SCHEMA_VERSION = max(MIGRATIONS)

#: Article columns returned by :meth:`Store.articles`, in order.
ARTICLE_COLUMNS = ("article_id", "doc_id", "url", "canonical_url", "domain", "outlet", "country",
                   "publisher_country", "wire", "published", "month", "language", "n_words",
                   "content_hash", "near_duplicate_of", "collection", "import_id", "source_file",
                   "source_record")

_ID_DTYPE = np.dtype("<u4")
_COUNT_DTYPE = np.dtype("<u4")


class StoreError(MediaframesError):
    """The store file is unusable (newer schema, not a mediaframes store, locked)."""


def now() -> str:
    """UTC timestamp for provenance columns (never written to ``results/``)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """A corpus store wrapping one SQLite connection.

    Parameters
    ----------
    path : str, Path or sqlite3.Connection, default ":memory:"
        File to open (created and migrated when new), or an open connection (tests).
    """

    def __init__(self, path: str | Path | sqlite3.Connection = ":memory:"):
        if isinstance(path, sqlite3.Connection):
            self.path, self.conn = ":memory:", path
        else:
            self.path = str(path)
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        try:
            self.conn.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise StoreError(f"{self.path} is not a SQLite database ({exc}); "
                             "point --store at a mediaframes store or a new file") from None
        self._term_cache: dict[str, int] = {}
        self.migrate()

    # -- lifecycle -------------------------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema to :data:`SCHEMA_VERSION`, one transaction per step."""
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a SQLite database ({exc}); "
                             "point --store at a mediaframes store or a new file") from None
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {version}, newer than this mediaframes "
                             f"({SCHEMA_VERSION}); upgrade mediaframes")
        if version == 0 and self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise StoreError(f"{self.path} is a SQLite database but not a mediaframes store; "
                             "choose another --store path")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {int(step)}")

    @contextmanager
    def transaction(self):
        """One atomic unit of work: everything inside commits together or not at all."""
        if self.conn.in_transaction:  # nested use joins the outer transaction
            yield self
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path} cannot be written ({exc}): another mediaframes command may be "
                             "writing to it; wait for it to finish and try again") from None
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            self._term_cache.clear()
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def savepoint(self, name: str = "work"):
        """A nested atomic unit inside a transaction: an exception undoes only this block.

        Yields a callable; calling it undoes the block on exit even without an exception
        (``corpus add --dry-run`` does everything, then rolls back).
        """
        assert name.isidentifier()  # identifiers come from the caller's code, never from input
        undo = []
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield lambda: undo.append(True)
        except BaseException:
            self._rollback_to(name)
            raise
        if undo:
            self._rollback_to(name)
        else:
            self.conn.execute(f"RELEASE {name}")

    def _rollback_to(self, name: str) -> None:
        self.conn.execute(f"ROLLBACK TO {name}")
        self.conn.execute(f"RELEASE {name}")
        self._term_cache.clear()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- meta ------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # -- outlets ---------------------------------------------------------------------------
    def register_outlet(self, domain: str, outlet: str, country: str, ownership: str = "unknown",
                        notes: str = "", registered_from: str = "cli") -> None:
        """Add or update one outlet domain."""
        self.conn.execute(
            "INSERT INTO outlets(domain, outlet, country, ownership, notes, registered_from) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(domain) DO UPDATE SET outlet = excluded.outlet, "
            "country = excluded.country, ownership = excluded.ownership, notes = excluded.notes, "
            "registered_from = excluded.registered_from",
            (domain, outlet, country, ownership, notes, registered_from))

    def outlets(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT domain, outlet, country, ownership, notes, registered_from "
                                 "FROM outlets ORDER BY domain", self.conn)

    # -- imports ---------------------------------------------------------------------------
    def start_import(self, collection: str, method: str, sources: Iterable[str]) -> int:
        from . import __version__
        cur = self.conn.execute(
            "INSERT INTO imports(collection, method, sources, tool_version, started_at) VALUES (?, ?, ?, ?, ?)",
            (collection, method, json.dumps(sorted(set(map(str, sources)))), __version__, now()))
        return cur.lastrowid

    def finish_import(self, import_id: int, n_added: int, n_unchanged: int, n_flagged: int) -> None:
        self.conn.execute("UPDATE imports SET finished_at = ?, n_added = ?, n_unchanged = ?, n_flagged = ? "
                          "WHERE import_id = ?", (now(), n_added, n_unchanged, n_flagged, import_id))

    def imports(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM imports ORDER BY import_id", self.conn)

    # -- articles --------------------------------------------------------------------------
    def lookup_urls(self, canonical_urls: Iterable[str]) -> dict[str, tuple[int, str]]:
        """canonical URL -> (article_id, content_hash) for those already stored."""
        return self._lookup("canonical_url", canonical_urls, "article_id, content_hash",
                            lambda row: (row[1], row[2]))

    def lookup_hashes(self, hashes: Iterable[str]) -> dict[str, str]:
        """content hash -> canonical URL of the first stored article with that content."""
        return self._lookup("content_hash", hashes, "canonical_url", lambda row: row[1])

    def lookup_doc_ids(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """doc_id -> canonical URL for those already stored."""
        return self._lookup("doc_id", doc_ids, "canonical_url", lambda row: row[1])

    def _lookup(self, column: str, keys: Iterable[str], select: str, value) -> dict:
        assert column in ("canonical_url", "content_hash", "doc_id")  # identifiers come from an allow-list
        keys, found = list(dict.fromkeys(keys)), {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(f"SELECT {column}, {select} FROM articles WHERE {column} IN ({marks}) "
                                     "ORDER BY article_id", chunk)
            for row in rows:
                found.setdefault(row[0], value(row))
        return found

    def insert_article(self, row: Mapping) -> int:
        """Insert one article (keys of :data:`ARTICLE_COLUMNS` but ``article_id``); returns its id."""
        cols = [c for c in ARTICLE_COLUMNS if c != "article_id"]
        cur = self.conn.execute(f"INSERT INTO articles({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                [row.get(c) for c in cols])
        return cur.lastrowid

    def update_article(self, article_id: int, **values) -> None:
        cols = [c for c in values if c in ARTICLE_COLUMNS and c != "article_id"]
        if cols:
            self.conn.execute(f"UPDATE articles SET {', '.join(c + ' = ?' for c in cols)} WHERE article_id = ?",
                              [values[c] for c in cols] + [article_id])

    def delete_collection(self, collection: str) -> int:
        """Remove every article of a collection (features, texts and codes follow); returns the count."""
        return self.conn.execute("DELETE FROM articles WHERE collection = ?", (collection,)).rowcount

    def articles(self, collection: str | None = None) -> pd.DataFrame:
        """Article metadata, one row per article, ordered by ``doc_id`` (stable across rebuilds)."""
        sql = f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles"
        params: tuple = ()
        if collection:
            sql += " WHERE collection = ?"
            params = (collection,)
        return pd.read_sql_query(sql + " ORDER BY doc_id", self.conn, params=params)

    def count(self, collection: str | None = None) -> int:
        if collection:
            return self.conn.execute("SELECT count(*) FROM articles WHERE collection = ?", (collection,)).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    # -- features --------------------------------------------------------------------------
    def term_ids(self, terms: Iterable[str]) -> list[int]:
        """Ids of ``terms``, adding unseen terms to the vocabulary."""
        terms = list(terms)
        missing = [t for t in dict.fromkeys(terms) if t not in self._term_cache]
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            rows = self.conn.execute(f"SELECT term, term_id FROM terms WHERE term IN ({','.join('?' * len(chunk))})",
                                     chunk)
            self._term_cache.update(rows)
        for term in missing:
            if term not in self._term_cache:
                self._term_cache[term] = self.conn.execute("INSERT INTO terms(term) VALUES (?)", (term,)).lastrowid
        return [self._term_cache[t] for t in terms]

    def set_features(self, article_id: int, bow: Mapping[str, int]) -> None:
        """Store an article's bag of words (replacing any earlier one)."""
        items = sorted((t, int(c)) for t, c in bow.items() if c > 0)
        ids = np.asarray(self.term_ids(t for t, _ in items), dtype=_ID_DTYPE)
        counts = np.asarray([c for _, c in items], dtype=_COUNT_DTYPE)
        self.conn.execute("INSERT INTO features(article_id, term_ids, counts, n_terms) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT(article_id) DO UPDATE SET term_ids = excluded.term_ids, "
                          "counts = excluded.counts, n_terms = excluded.n_terms",
                          (article_id, ids.tobytes(), counts.tobytes(), len(items)))
        # a changed bag of words invalidates its near-duplicate signature (re-indexed on demand)
        self.conn.execute("DELETE FROM minhash WHERE article_id = ?", (article_id,))

    def feature_arrays(self, article_ids: Iterable[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR parts for the given articles, in that order: ``indptr``, term ids, counts.

        Term ids are the store's own; :func:`mediaframes.dfm.dfm_from_store` maps them to columns.
        """
        article_ids = list(article_ids)
        blobs = {}
        for start in range(0, len(article_ids), 900):
            chunk = article_ids[start:start + 900]
            rows = self.conn.execute("SELECT article_id, term_ids, counts FROM features WHERE article_id IN "
                                     f"({','.join('?' * len(chunk))})", chunk)
            for aid, ids, counts in rows:
                blobs[aid] = (ids, counts)
        lengths = np.zeros(len(article_ids) + 1, dtype=np.int64)
        id_parts, count_parts = [], []
        for i, aid in enumerate(article_ids):
            ids, counts = blobs.get(aid, (b"", b""))
            id_parts.append(ids)
            count_parts.append(counts)
            lengths[i + 1] = len(ids) // _ID_DTYPE.itemsize
        indptr = np.cumsum(lengths)
        term_ids = np.frombuffer(b"".join(id_parts), dtype=_ID_DTYPE).astype(np.int64)
        counts = np.frombuffer(b"".join(count_parts), dtype=_COUNT_DTYPE).astype(np.int64)
        return indptr, term_ids, counts

    def terms(self) -> pd.Series:
        """term_id -> term for the whole vocabulary."""
        rows = self.conn.execute("SELECT term_id, term FROM terms").fetchall()
        return pd.Series({tid: term for tid, term in rows}, dtype=object)

    # -- texts -----------------------------------------------------------------------------
    def set_text(self, article_id: int, text: str, title: str | None = None, source: str = "import") -> None:
        self.conn.execute("INSERT INTO texts(article_id, title, text, source, added_at) VALUES (?, ?, ?, ?, ?) "
                          "ON CONFLICT(article_id) DO UPDATE SET title = excluded.title, text = excluded.text, "
                          "source = excluded.source, added_at = excluded.added_at",
                          (article_id, title, text, source, now()))

    def texts(self, article_ids: Iterable[int] | None = None) -> pd.DataFrame:
        """Full texts held locally (columns ``article_id, title, text, source``)."""
        frame = pd.read_sql_query("SELECT article_id, title, text, source FROM texts ORDER BY article_id", self.conn)
        if article_ids is not None:
            frame = frame[frame["article_id"].isin(list(article_ids))]
        return frame.reset_index(drop=True)

    # -- annotations -----------------------------------------------------------------------
    def set_codes(self, article_id: int, coder: str, codes: Mapping[str, object], primary: bool = True) -> None:
        """Store coded variables of one article by one coder (values kept as JSON)."""
        self.conn.executemany(
            "INSERT INTO annotations(article_id, coder, variable, value, is_primary) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(article_id, coder, variable) DO UPDATE SET value = excluded.value, "
            "is_primary = excluded.is_primary",
            [(article_id, coder, var, json.dumps(val, ensure_ascii=False, sort_keys=True), int(primary))
             for var, val in codes.items()])

    def codes(self, primary_only: bool = True) -> pd.DataFrame:
        """Wide table of codes: one row per (article, coder), one column per variable.

        Lists (``bla_terms``, ``events``) stay Python lists; a variable a coder left out is NaN.
        """
        sql = "SELECT article_id, coder, variable, value FROM annotations"
        if primary_only:
            sql += " WHERE is_primary = 1"
        long = pd.read_sql_query(sql, self.conn)
        if long.empty:
            return pd.DataFrame(columns=["article_id", "coder"])
        long["value"] = long["value"].map(json.loads)
        wide = long.pivot(index=["article_id", "coder"], columns="variable", values="value").reset_index()
        wide.columns.name = None
        return wide.sort_values(["article_id", "coder"]).reset_index(drop=True)

    # -- hydration -------------------------------------------------------------------------
    def hydration_queue(self, collection: str | None = None) -> pd.DataFrame:
        """Every article with what hydration needs to plan a run, ordered by ``doc_id``.

        Columns ``article_id, doc_id, url, domain, state`` (``None`` when never tried) and
        ``text_source`` (``None`` when the article holds no full text).
        """
        sql = ("SELECT a.article_id, a.doc_id, a.url, a.domain, h.state, t.source AS text_source "
               "FROM articles a LEFT JOIN hydration h ON h.article_id = a.article_id "
               "LEFT JOIN texts t ON t.article_id = a.article_id")
        params: tuple = ()
        if collection:
            sql += " WHERE a.collection = ?"
            params = (collection,)
        return pd.read_sql_query(sql + " ORDER BY a.doc_id", self.conn, params=params)

    def set_hydration(self, article_id: int, state: str, *, attempts: int = 0, http_status: int | None = None,
                      final_url: str | None = None, error: str | None = None) -> None:
        """Record the hydration state of one article (``pending``, ``ok`` or ``failed``).

        ``attempts`` adds to the attempts of earlier runs; the other columns are replaced.
        """
        if state not in ("pending", "ok", "failed"):
            raise ValueError(f"hydration state {state!r} is not one of pending, ok, failed")
        self.conn.execute(
            "INSERT INTO hydration(article_id, state, attempts, http_status, final_url, error, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE SET state = excluded.state, "
            "attempts = hydration.attempts + excluded.attempts, http_status = excluded.http_status, "
            "final_url = excluded.final_url, error = excluded.error, updated_at = excluded.updated_at",
            (article_id, state, int(attempts), http_status, final_url, error, now()))

    def hydration(self, collection: str | None = None) -> pd.DataFrame:
        """The hydration record of every article tried so far, ordered by ``doc_id``.

        Columns ``article_id, doc_id, url, state, attempts, http_status, final_url, error, updated_at``.
        """
        sql = ("SELECT h.article_id, a.doc_id, a.url, h.state, h.attempts, h.http_status, h.final_url, "
               "h.error, h.updated_at FROM hydration h JOIN articles a ON a.article_id = h.article_id")
        params: tuple = ()
        if collection:
            sql += " WHERE a.collection = ?"
            params = (collection,)
        return pd.read_sql_query(sql + " ORDER BY a.doc_id", self.conn, params=params)
