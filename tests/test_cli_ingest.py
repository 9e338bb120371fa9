"""`mediaframes corpus add` and `corpus export` from the command line (run in-process).

``--store`` is given after the command: the command-level option also reads MEDIAFRAMES_STORE
(set for every test by conftest), which would override a group-level ``--store``.

Inputs are synthetic (tests/fixtures/ingest/); their domains are invented, so the tests pass
--outlet and --country, which apply to records whose domain is not registered.
"""

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mediaframes import progress
from mediaframes.cli import main
from mediaframes.store import Store

from helpers import snapshot

FIX = Path(__file__).parent / "fixtures" / "ingest"
OUTLET = ["--outlet", "Synthetic Outlet", "--country", "GB"]
ARTICLE_FIELDS = ["doc_id", "url", "canonical_url", "domain", "outlet", "country", "publisher_country", "wire",
                  "published", "month", "language", "n_words", "content_hash", "near_duplicate_of", "collection"]


@pytest.fixture
def cli(capsys):
    def run(*args):
        with pytest.raises(SystemExit) as info:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        return info.value.code, captured.out, captured.err
    return run


def articles(path, collection=None):
    with Store(path) as store:
        frame = store.articles(collection)
        return frame


def features(path, collection=None):
    with Store(path) as store:
        frame = store.articles(collection)
        indptr, term_ids, counts = store.feature_arrays(frame["article_id"].tolist())
        terms = store.terms()
        return {doc: dict(zip(terms[term_ids[a:b]], counts[a:b].tolist()))
                for doc, a, b in zip(frame["doc_id"], indptr[:-1], indptr[1:])}


def codes(path, collection=None):
    with Store(path) as store:
        frame = store.codes().merge(store.articles(collection)[["article_id", "doc_id"]])
        return {row.pop("doc_id"): {k: v for k, v in row.items() if k != "article_id" and v == v}
                for row in frame.to_dict("records")}


# -- add ------------------------------------------------------------------------------------------
def test_help_documents_formats_policy_and_exit_codes(cli):
    code, out, _ = cli("corpus", "add", "--help")
    assert code == 0
    text = " ".join(out.split())
    for phrase in ["All or nothing", "nothing is written", "Ctrl-C", "--replace", "Exit codes: 0", "1 problems",
                   "2 usage error", "130 interrupted", "JSON array", "metadata.csv", ".meta.json",
                   "corpus/outlets.csv", "--outlet and --country", "Jaccard >= 0.7"]:
        assert phrase in text, phrase


def test_add_every_format_then_again_changes_nothing(cli, store_path):
    code, out, err = cli("corpus", "add", "--store", store_path, FIX, *OUTLET, "--collection", "syn", "--quiet")
    assert code == 0, err
    # records 2 + 2, pages 3, texts 2, scraped 3, feeds 4 = 16 articles
    assert "collection syn: 16 added, 0 unchanged" in out
    assert len(articles(store_path, "syn")) == 16 and len(articles(store_path)) == 464 + 16
    before = snapshot(store_path)
    code, out, err = cli("corpus", "add", "--store", store_path, FIX, *OUTLET, "--collection", "syn", "--quiet")
    assert code == 0
    assert "0 added, 16 unchanged - the store already held all of this input; nothing changed" in out
    assert snapshot(store_path) == before
    assert "warning: fields not stored" in err  # author/source of the scraper files, named once


def test_domain_learnt_from_options_needs_no_options_next_time(cli, store_path, tmp_path):
    first = tmp_path / "a.jsonl"
    first.write_text(json.dumps({"url": "https://new-outlet.example/1", "bow": {"water": 1}}) + "\n")
    assert cli("corpus", "add", "--store", store_path, first, *OUTLET, "-q")[0] == 0
    second = tmp_path / "b.jsonl"
    second.write_text(json.dumps({"url": "https://new-outlet.example/2", "bow": {"bridge": 1}}) + "\n")
    code, out, _ = cli("corpus", "add", "--store", store_path, second, "-q")
    assert code == 0 and "1 added" in out
    assert set(articles(store_path, "user")["outlet"]) == {"Synthetic Outlet"}


def test_registered_domain_resolves_without_options(cli, store_path, tmp_path):
    # tribune.com.pk is in corpus/outlets.csv; the text is our own
    path = tmp_path / "pk.jsonl"
    path.write_text(json.dumps({"url": "https://tribune.com.pk/story/999999/synthetic-test-record",
                                "text": "A synthetic sentence written for the tests.", "published": "2025-01-02"}))
    code, out, err = cli("corpus", "add", "--store", store_path, path, "-q")
    assert code == 0, err
    row = articles(store_path, "user").iloc[0]
    assert (row["domain"], row["country"]) == ("tribune.com.pk", "PK")


def test_dry_run_writes_nothing(cli, store_path):
    before = snapshot(store_path)
    code, out, _ = cli("corpus", "add", "--store", store_path, FIX / "feeds", *OUTLET, "--dry-run", "-q")
    assert code == 0 and out.startswith("dry run, nothing written: collection user: 4 would be added")
    assert snapshot(store_path) == before


def test_replace_overwrites_and_says_so(cli, store_path, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "r1", "url": "https://new-outlet.example/1", "bow": {"old": 1}}) + "\n")
    cli("corpus", "add", "--store", store_path, path, *OUTLET, "-q")
    path.write_text(json.dumps({"id": "r1", "url": "https://new-outlet.example/1", "bow": {"new": 3}}) + "\n")
    code, out, _ = cli("corpus", "add", "--store", store_path, path, *OUTLET, "--replace", "-q")
    assert code == 0 and "0 added, 0 unchanged, 1 replaced" in out
    assert features(store_path, "user") == {"r1": {"new": 3}}


def test_near_duplicates_are_listed(cli, store_path, tmp_path):
    words = [f"word{k}" for k in range(50)]
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"url": "https://new-outlet.example/original", "bow": {w: 1 for w in words[:40]}},
        # 38 shared of 42 distinct terms: J = 0.90
        {"url": "https://new-outlet.example/copy", "bow": {w: 1 for w in words[:38] + words[45:47]}},
    ]) + "\n")
    code, out, _ = cli("corpus", "add", "--store", store_path, path, *OUTLET, "-q")
    assert code == 0
    assert "1 flagged as duplicates (kept)" in out
    assert "duplicate (jaccard 0.90): https://new-outlet.example/copy\n    of https://new-outlet.example/original" in out


@pytest.mark.parametrize("args, message", [
    (["--outlet", "Only Outlet"], "--outlet and --country go together"),
    (["--outlet", "X", "--country", "ZZ"], "'ZZ' has no group in corpus/country_groups.csv"),
    (["--published", "2025-02-30"], "invalid date '2025-02-30'"),
    (["--collection", "balochistan-v1"], "balochistan-v1 is the shipped corpus"),
    (["--collection", "bad name!"], "use letters, digits"),
    (["--format", "docx"], "'docx' is not one of"),
])
def test_usage_errors_exit_2(cli, store_path, args, message):
    before = snapshot(store_path)
    code, _, err = cli("corpus", "add", "--store", store_path, FIX / "feeds", *args)
    assert code == 2
    assert message in " ".join(err.split())
    assert snapshot(store_path) == before


def test_missing_path_is_a_usage_error(cli, store_path, tmp_path):
    code, _, err = cli("corpus", "add", "--store", store_path, tmp_path / "nowhere.jsonl")
    assert code == 2 and "does not exist" in err


class RecordingBar:
    """Stands in for a tqdm bar: remembers how it was made and what it counted."""

    def __init__(self, total=None, desc="", unit="it", quiet=False):
        self.total, self.desc, self.quiet, self.n = total, desc, quiet, 0

    def update(self, n=1):
        self.n += n

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_progress_bars_for_reading_and_importing(cli, store_path, monkeypatch):
    made = []
    monkeypatch.setattr(progress, "bar", lambda **kw: made.append(RecordingBar(**kw)) or made[-1])
    assert cli("corpus", "add", "--store", store_path, FIX / "feeds", *OUTLET)[0] == 0
    bars = {bar.desc: (bar.total, bar.quiet, bar.n) for bar in made}
    # two feed files read, four entries imported; not quiet
    assert bars["reading"] == (2, False, 2)
    assert bars["importing"] == (None, False, 4)
    made.clear()
    assert cli("corpus", "add", "--store", store_path, FIX / "feeds", *OUTLET, "--quiet")[0] == 0
    assert {bar.desc for bar in made} >= {"reading", "importing"}
    assert {bar.quiet for bar in made} == {True}


# -- export ---------------------------------------------------------------------------------------
def test_jsonl_export_round_trip(cli, store_path, template, tmp_path):
    assert cli("corpus", "add", "--store", store_path, FIX, *OUTLET, "--collection", "syn", "-q")[0] == 0
    out = tmp_path / "export.jsonl"
    code, text, _ = cli("corpus", "export", "--store", store_path, "--collection", "syn", "--out", out, "-q")
    assert code == 0 and text.strip() == f"wrote 16 articles to {out}"
    lines = out.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)          # ordered by id
    assert not any("text" in r or "title" in r for r in records)                   # no text without --with-text
    # into a fresh store
    fresh = tmp_path / "fresh.sqlite"
    shutil.copyfile(template, fresh)
    code, text, err = cli("corpus", "add", "--store", fresh, out, "--collection", "syn", "-q")
    assert code == 0, err
    assert "16 added" in text and err == ""      # the export carries no field the importer ignores noisily
    original, copy = articles(store_path, "syn"), articles(fresh, "syn")
    assert copy[ARTICLE_FIELDS].equals(original[ARTICLE_FIELDS])
    assert features(fresh, "syn") == features(store_path, "syn")
    assert codes(fresh, "syn") == codes(store_path, "syn")
    # and re-adding the export to the store it came from changes nothing
    code, text, _ = cli("corpus", "add", "--store", store_path, out, "--collection", "syn", "-q")
    assert code == 0 and "0 added, 16 unchanged" in text


def test_export_is_deterministic(cli, store_path, tmp_path):
    for fmt in ("jsonl", "parquet"):
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        assert cli("corpus", "export", "--store", store_path, "--format", fmt, "--out", a, "-q")[0] == 0
        assert cli("corpus", "export", "--store", store_path, "--format", fmt, "--out", b, "-q")[0] == 0
        assert a.read_bytes() == b.read_bytes(), fmt


def test_shipped_corpus_export_matches_its_source(cli, store_path, tmp_path):
    out = tmp_path / "shipped.jsonl"
    assert cli("corpus", "export", "--store", store_path, "--collection", "balochistan-v1", "--out", out, "-q")[0] == 0
    exported = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    shipped = {r["id"]: r for r in map(json.loads, (Path(__file__).parents[1] / "corpus" / "balochistan-v1" /
                                                     "articles.jsonl").read_text(encoding="utf-8").splitlines())}
    assert exported.keys() == shipped.keys() and len(exported) == 464
    for doc_id, record in shipped.items():
        got = exported[doc_id]
        for name in ("url", "outlet", "country", "wire", "published", "month", "n_words", "bow",
                     "primary_frame", "events", "coder", "near_duplicate_of"):
            assert got.get(name) == record.get(name), (doc_id, name)


def test_parquet_export(cli, store_path, tmp_path):
    assert cli("corpus", "add", "--store", store_path, FIX / "records", *OUTLET, "--collection", "syn", "-q")[0] == 0
    out = tmp_path / "syn.parquet"
    assert cli("corpus", "export", "--store", store_path, "--format", "parquet", "--collection", "syn",
               "--out", out, "-q")[0] == 0
    table = pq.read_table(out)
    assert table.num_rows == 4 and "text" not in table.column_names
    bow_type, events_type = table.schema.field("bow").type, table.schema.field("events").type
    assert pa.types.is_map(bow_type) and (bow_type.key_type, bow_type.item_type) == (pa.string(), pa.int64())
    assert pa.types.is_list(events_type) and events_type.value_type == pa.string()
    rows = {r["id"]: r for r in table.to_pylist()}
    assert dict(rows["syn-002"]["bow"]) == {"bridge": 2, "opened": 1, "river": 1, "traffic": 1}
    assert rows["syn-001"]["events"] == ["other"] and rows["syn-002"]["stance_bla"] == "neutral"
    assert rows["syn-001"]["bla_terms"] is None and rows["syn-001"]["collection"] == "syn"


def test_export_with_text(cli, store_path, tmp_path):
    assert cli("corpus", "add", "--store", store_path, FIX / "texts", *OUTLET, "-q")[0] == 0
    out = tmp_path / "t.jsonl"
    code, text, _ = cli("corpus", "export", "--store", store_path, "--collection", "user", "--with-text",
                        "--out", out, "-q")
    assert code == 0 and "do not share it" in text
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["title"] for r in records) == ["Clinic opens", "Road repairs begin"]
    assert all(r["text"].strip() for r in records)
    parquet = tmp_path / "t.parquet"
    assert cli("corpus", "export", "--store", store_path, "--format", "parquet", "--collection", "user",
               "--with-text", "--out", parquet, "-q")[0] == 0
    assert "text" in pq.read_table(parquet).column_names


def test_export_unknown_collection_is_a_usage_error(cli, store_path, tmp_path):
    code, _, err = cli("corpus", "export", "--store", store_path, "--collection", "nope", "--out", tmp_path / "x")
    assert code == 2 and "no articles in collection 'nope'" in err and "balochistan-v1" in err
    assert not (tmp_path / "x").exists()


def test_stats_still_builds_the_shipped_corpus(cli, tmp_path):
    # a fresh store: the first command builds the shipped corpus (with its near-duplicate index)
    path = tmp_path / "new.sqlite"
    code, out, err = cli("corpus", "stats", "--store", path, "--quiet")
    assert code == 0, err
    assert out.startswith(f"464 articles in {path}")
    with Store(path) as store:
        assert store.conn.execute("SELECT count(*) FROM minhash").fetchone()[0] == 464
