"""The shipped corpus (``corpus/``): what a fresh clone builds, and the guards that keep it clean.

The expected figures come from the source data set's README (``../shared/data/balochistan-coverage``):
464 records, IN 144 + PK 142 + INTL 149 + BAL 29 = 464. Corrupted records below are our own edits of a
temporary copy; no article text is involved anywhere.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mediaframes import config, embedded
from mediaframes.codebook import Codebook
from mediaframes.errors import InputErrors
from mediaframes.ingest import RECORD_FIELDS, Origin, RecordValidator
from mediaframes.registry import OUTLET_COLUMNS, OWNERSHIP, OutletRegistry, assign_groups, read_country_groups
from mediaframes.store import Store

N_RECORDS = 464  # source README: 144 (IN) + 142 (PK) + 149 (INTL) + 29 (BAL)
SHARED_ARTICLES = config.SHARED_DATA_DIR / "articles.jsonl"
#: Fields a vendored record may carry: metadata, bag of words, codes. Nothing that holds wording.
VENDORED_FIELDS = {"id", "url", "domain", "outlet", "country", "publisher_country", "wire", "published", "month",
                   "n_words", "bow", "coder", "near_duplicate_of", "bla_terms", "bla_terms_quoted_only",
                   "india_role", "primary_frame", "stance_bla", "events"}


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def vendored() -> list[dict]:
    return _read_jsonl(config.EMBEDDED_ARTICLES)


# -- what a fresh store holds ------------------------------------------------------------------
def test_fresh_store_holds_exactly_the_vendored_records(embedded_store, vendored):
    stored = embedded_store.articles(config.EMBEDDED_COLLECTION)
    assert len(vendored) == N_RECORDS
    assert len(stored) == N_RECORDS
    assert embedded_store.count() == N_RECORDS  # nothing but the embedded collection
    assert stored["url"].is_unique
    assert set(stored["url"]) == {r["url"] for r in vendored}
    assert set(stored["doc_id"]) == {r["id"] for r in vendored}


def test_fresh_store_holds_every_record_of_the_shared_data_set(embedded_store):
    if not SHARED_ARTICLES.is_file():
        pytest.skip(f"{SHARED_ARTICLES} is absent (a clone without ../shared); the vendored file is checked above")
    shared = _read_jsonl(SHARED_ARTICLES)
    stored = embedded_store.articles(config.EMBEDDED_COLLECTION)
    assert len(shared) == N_RECORDS
    assert set(stored["url"]) == {r["url"] for r in shared}
    assert set(stored["doc_id"]) == {r["id"] for r in shared}


def test_groups_of_the_fresh_store_match_the_source_readme(embedded_store):
    articles = assign_groups(embedded_store.articles(config.EMBEDDED_COLLECTION), read_country_groups())
    assert articles["group"].value_counts().to_dict() == {"INTL": 149, "IN": 144, "PK": 142, "BAL": 29}
    # INTL 149 = WEST 90 + MIDEAST 33 + REGIONAL 22 + OTHER 4 (source README: "West 90, Middle East and
    # Turkey 33, regional 22, other 4")
    intl = articles.loc[articles["group"] == "INTL", "group_fine"].value_counts().to_dict()
    assert intl == {"WEST": 90, "MIDEAST": 33, "REGIONAL": 22, "OTHER": 4}


def test_a_built_store_is_not_rebuilt(embedded_store):
    # ensure_embedded returns None when the fingerprint of corpus/ is current: opening the default store
    # costs one metadata read, not a re-import
    assert embedded.ensure_embedded(embedded_store) is None


# -- the vendored file carries no wording ------------------------------------------------------
def test_vendored_records_have_no_search_queries_and_no_text(vendored):
    for record in vendored:
        assert "found_by" not in record, record["id"]
        assert not {"text", "title", "headline", "body", "content", "lead"} & set(record), record["id"]
        assert set(record) <= VENDORED_FIELDS, (record["id"], set(record) - VENDORED_FIELDS)
    assert set(embedded.NOT_VENDORED) == {"found_by"}


def test_vendored_file_is_ordered_by_id_and_has_no_duplicate(vendored):
    ids = [r["id"] for r in vendored]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids) == N_RECORDS
    assert len({r["url"] for r in vendored}) == N_RECORDS


def test_vendored_fields_are_known_to_ingest():
    codebook = Codebook.from_yaml()
    assert VENDORED_FIELDS <= set(RECORD_FIELDS) | set(codebook.variables)


# -- registry and groups -----------------------------------------------------------------------
def test_every_domain_is_registered(vendored):
    registry = OutletRegistry.from_csv()
    unregistered = sorted({r["domain"] for r in vendored} - set(registry.outlets))
    assert unregistered == []
    for record in vendored:
        assert registry.resolve(record["url"]).domain == record["domain"], record["id"]


def test_outlets_csv_has_the_documented_columns_and_ownership_values():
    with open(config.OUTLETS_CSV, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == OUTLET_COLUMNS
        rows = list(reader)
    assert rows, "outlets.csv is empty"
    bad = [(r["domain"], r["ownership"]) for r in rows if r["ownership"] not in OWNERSHIP]
    assert bad == []
    domains = [r["domain"] for r in rows]
    assert len(domains) == len(set(domains))
    assert all(r["outlet"].strip() and r["country"].strip() for r in rows)


def test_country_groups_cover_every_country(vendored):
    groups = read_country_groups()
    mapped = set(groups["country"])
    countries = {r["country"] for r in vendored} | {r["publisher_country"] for r in vendored if r["publisher_country"]}
    countries |= {o.country for o in OutletRegistry.from_csv().outlets.values()}
    assert sorted(countries - mapped) == []
    assert set(groups["group"]) == {"PK", "IN", "INTL", "BAL"}
    assert set(groups.loc[groups["group"] == "INTL", "group_fine"]) == {"WEST", "MIDEAST", "REGIONAL", "OTHER"}
    # outside INTL the fine group is the group itself
    rest = groups[groups["group"] != "INTL"]
    assert (rest["group"] == rest["group_fine"]).all()


# -- a corrupted corpus fails loudly -----------------------------------------------------------
def _corrupt_copy(tmp_path: Path, edits: dict[int, object]) -> Path:
    """A copy of the vendored file with some lines (1-based) replaced: a dict is dumped, a str kept."""
    lines = config.EMBEDDED_ARTICLES.read_text(encoding="utf-8").splitlines()
    for line_no, new in edits.items():
        lines[line_no - 1] = new if isinstance(new, str) else json.dumps(new)
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_corrupted_records_fail_the_build_naming_file_line_and_field(tmp_path, monkeypatch, vendored):
    first = dict(vendored[0])
    bad_code = dict(vendored[2], primary_frame="not_a_frame")
    unregistered = dict(vendored[4], url="https://unregistered.example/story", domain="unregistered.example")
    bad_date = dict(vendored[7], published="2025-02-30")
    duplicate = dict(vendored[9], url=first["url"])
    path = _corrupt_copy(tmp_path, {3: bad_code, 5: unregistered, 8: bad_date, 10: duplicate})
    monkeypatch.setattr(config, "EMBEDDED_ARTICLES", path)
    with Store(tmp_path / "store.sqlite") as store:
        with pytest.raises(InputErrors) as caught:
            embedded.ensure_embedded(store)
        problems = {(p.line, p.field) for p in caught.value.problems}
        assert problems == {(3, "primary_frame"), (5, "domain"), (8, "published"), (10, "url")}
        assert all(p.file.endswith("articles.jsonl") for p in caught.value.problems)
        assert "not_a_frame" in str(caught.value) and "unregistered.example" in str(caught.value)
        # all or nothing: the store holds no article and no fingerprint, so the next run retries
        assert store.count() == 0
        assert store.get_meta(embedded.FINGERPRINT_KEY) is None


def test_a_malformed_line_fails_the_build_naming_its_line(tmp_path, monkeypatch):
    path = _corrupt_copy(tmp_path, {4: '{"id": "bc0004", "url": '})
    monkeypatch.setattr(config, "EMBEDDED_ARTICLES", path)
    with Store(tmp_path / "store.sqlite") as store:
        with pytest.raises(InputErrors) as caught:
            embedded.ensure_embedded(store)
        assert [(p.line, "malformed JSON" in p.message) for p in caught.value.problems] == [(4, True)]
        assert store.count() == 0


def test_the_validator_rejects_codes_outside_the_codebook(vendored):
    validator = RecordValidator(OutletRegistry.from_csv(), Codebook.from_yaml(),
                                set(read_country_groups()["country"]), require_registered=True)
    article, problems = validator.validate(dict(vendored[0]), Origin("articles.jsonl", 1))
    assert problems == [] and article.doc_id == vendored[0]["id"]
    record = dict(vendored[0], stance_bla="admiring", events=["herof_2024", "moon_landing"],
                  bla_terms_quoted_only=["gunmen_not_listed"])
    article, problems = validator.validate(record, Origin("articles.jsonl", 1))
    assert article is None
    assert sorted(p.field for p in problems) == ["bla_terms_quoted_only", "events", "stance_bla"]


# -- no article text in corpus/ ----------------------------------------------------------------
_SENTENCE_END = re.compile(r"[^\W_][.!?][\"'\u201d\u2019)]*\s+[\"'\u201c\u2018(]*[A-Z]")


def prose_lines(text: str, min_length: int = 200, min_sentences: int = 3) -> list[int]:
    """Line numbers of lines that look like running prose: long, with several sentence ends."""
    return [i for i, line in enumerate(text.splitlines(), start=1)
            if len(line) > min_length and len(_SENTENCE_END.findall(line)) >= min_sentences]


def _corpus_files() -> list[Path]:
    """Files of corpus/ that git tracks or would track (not ignored); every file when git is unavailable."""
    root = config.PROJ_ROOT
    git = shutil.which("git")
    if git and (root / ".git").exists():
        listed = subprocess.run([git, "ls-files", "--cached", "--others", "--exclude-standard", "-z", "corpus"],
                                cwd=root, capture_output=True, check=True).stdout.decode()
        return [root / name for name in listed.split("\0") if name and (root / name).is_file()]
    return [p for p in config.CORPUS_DIR.rglob("*") if p.is_file() and not p.name.startswith("store.sqlite")]


def test_the_prose_guard_flags_running_text():
    # synthetic: our own three sentences, repeated to pass 200 characters
    line = "We wrote this line for the test. It quotes nobody at all. It only checks the guard. " * 3
    assert prose_lines("short line\n" + line) == [2]
    assert prose_lines("x" * 300) == []  # long but no sentences (a bag of words)
    assert prose_lines("A short line. Another one. And a third.") == []  # sentences but short


def test_no_file_in_corpus_holds_running_prose():
    files = _corpus_files()
    assert config.EMBEDDED_ARTICLES in files
    offenders = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary files cannot hold an article's sentences in readable form
        offenders += [f"{path.relative_to(config.PROJ_ROOT)}:{n}" for n in prose_lines(text)]
    assert offenders == []


def test_no_bag_of_words_term_looks_like_a_phrase(vendored):
    # a term is one token (words joined with "_"): spaces or sentence punctuation would mean wording leaked in
    bad = sorted({t for r in vendored for t in r["bow"] if not re.fullmatch(r"[^\W_]+(?:_[^\W_]+)*", t)})
    assert bad == []

