"""The store: versioned schema, WAL mode, atomic transactions, clear errors for foreign files."""

import sqlite3
from collections import Counter

import pytest

from mediaframes.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError


def _article(doc_id="d1", url="https://news.example/a", import_id=1):
    return {"doc_id": doc_id, "url": url, "canonical_url": url, "domain": "news.example", "outlet": "News",
            "country": "GB", "language": "en", "n_words": 3, "content_hash": "h-" + doc_id, "collection": "c",
            "import_id": import_id, "source_file": "synthetic.jsonl", "source_record": 1}


def _add_one(store, doc_id="d1", url="https://news.example/a"):
    store.register_outlet("news.example", "News", "GB")
    import_id = store.start_import("c", "test", ["synthetic.jsonl"])
    article_id = store.insert_article(_article(doc_id, url, import_id))
    store.set_features(article_id, {"council": 2, "water": 1})
    return article_id


def test_new_store_has_the_current_schema_version(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"meta", "outlets", "imports", "articles", "terms", "features", "texts", "annotations",
            "hydration", "minhash"} <= tables


def test_schema_version_counts_the_migrations():
    # versions are 1..N without gaps, and the current one is the last
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))
    assert SCHEMA_VERSION >= 2


def test_version_1_store_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[1] + "; PRAGMA user_version = 1;")
    conn.execute("INSERT INTO outlets VALUES ('news.example', 'News', 'GB', 'unknown', '', 'test')")
    conn.execute("INSERT INTO imports(import_id, collection, method, sources, tool_version, started_at) "
                 "VALUES (1, 'c', 'test', '[]', '0', 'now')")
    conn.execute("INSERT INTO articles(doc_id, url, canonical_url, domain, outlet, country, n_words, "
                 "content_hash, collection, import_id, source_file) VALUES ('d1', 'https://news.example/a', "
                 "'https://news.example/a', 'news.example', 'News', 'GB', 3, 'h', 'c', 1, 'f')")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.count() == 1
        # migration 2 created the (empty, lazily filled) signature table
        assert store.conn.execute("SELECT count(*) FROM minhash").fetchone()[0] == 0


def test_reopening_a_current_store_runs_no_migration(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        _add_one(store)
    with Store(path) as store:
        assert store.count() == 1
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_store_runs_in_wal_mode(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_rolled_back_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            _add_one(store)
            assert store.count() == 1
            raise RuntimeError("crash in the middle of an import")
    assert store.count() == 0
    for table in ("outlets", "imports", "terms", "features"):
        assert store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    # the vocabulary cache forgot the rolled-back terms: they get fresh ids that really exist
    with store.transaction():
        article_id = _add_one(store)
    indptr, term_ids, counts = store.feature_arrays([article_id])
    assert sorted(store.terms()[term_ids].tolist()) == ["council", "water"]


def test_keyboard_interrupt_rolls_back_too(store):
    with pytest.raises(KeyboardInterrupt):
        with store.transaction():
            _add_one(store)
            raise KeyboardInterrupt
    assert store.count() == 0


def test_savepoint_undoes_only_its_block(store):
    with store.transaction():
        _add_one(store, "d1", "https://news.example/a")
        with store.savepoint("inner") as undo:
            store.insert_article(_article("d2", "https://news.example/b"))
            undo()
        with pytest.raises(ValueError):
            with store.savepoint("inner"):
                store.insert_article(_article("d3", "https://news.example/c"))
                raise ValueError
    assert store.articles()["doc_id"].tolist() == ["d1"]


def test_newer_store_is_refused(tmp_path):
    path = tmp_path / "future.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 1}, newer.*upgrade mediaframes"):
        Store(path)


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a mediaframes store"):
        Store(path)
    # and it was not touched
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["invoices"]
    conn.close()


def test_non_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("synthetic: these are notes, not a database\n" * 200)
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store(path)


def test_locked_store_gives_a_store_error(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path) as writer, Store(path) as other:
        other.conn.execute("PRAGMA busy_timeout = 0")
        with writer.transaction():
            with pytest.raises(StoreError, match="cannot be written"):
                with other.transaction():
                    pass


def test_features_round_trip(store):
    bows = [Counter({"council": 2, "water": 1, "balochistan_liberation_army": 3}),
            Counter({"water": 5}),
            Counter({"plan": 1, "council": 1})]
    with store.transaction():
        store.register_outlet("news.example", "News", "GB")
        import_id = store.start_import("c", "test", [])
        ids = []
        for k, bow in enumerate(bows):
            ids.append(store.insert_article(_article(f"d{k}", f"https://news.example/{k}", import_id)))
            store.set_features(ids[-1], bow)
    indptr, term_ids, counts = store.feature_arrays(list(reversed(ids)))
    terms = store.terms()
    # rows come back in the order asked for: 1 term, 1 term... (3rd, 2nd, 1st article)
    assert indptr.tolist() == [0, 2, 3, 6]
    back = [Counter(dict(zip(terms[term_ids[a:b]], counts[a:b].tolist())))
            for a, b in zip(indptr[:-1], indptr[1:])]
    assert back == list(reversed(bows))


def test_replacing_features_drops_the_near_duplicate_signature(store):
    from mediaframes.dedup import index_articles

    with store.transaction():
        article_id = _add_one(store)
        index_articles(store, [article_id])
        assert store.conn.execute("SELECT count(*) FROM minhash").fetchone()[0] == 1
        store.set_features(article_id, {"other": 1})
        assert store.conn.execute("SELECT count(*) FROM minhash").fetchone()[0] == 0


def test_deleting_an_article_cascades(store):
    from mediaframes.dedup import index_articles

    with store.transaction():
        article_id = _add_one(store)
        index_articles(store, [article_id])
        store.set_text(article_id, "synthetic text", "synthetic title")
        store.set_codes(article_id, "c1", {"primary_frame": "political_process"})
        store.delete_collection("c")
    for table in ("articles", "features", "texts", "annotations", "minhash"):
        assert store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_lookup_doc_ids(store):
    with store.transaction():
        _add_one(store, "d1", "https://news.example/a")
    assert store.lookup_doc_ids(["d1", "d9"]) == {"d1": "https://news.example/a"}
