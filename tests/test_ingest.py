"""add_records: every format imports; re-adding changes nothing; duplicates are flagged, not merged.

Inputs are synthetic (tests/fixtures/ingest/ or written here); the outlets are invented.
"""

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mediaframes.codebook import Codebook
from mediaframes.dedup import (THRESHOLD, candidate_pairs, flag_near_duplicates, index_articles, jaccard_pairs,
                               minhash)
from mediaframes.errors import InputErrors
from mediaframes.ingest import (Defaults, ImportReport, Origin, RecordValidator, add_records, content_hash,
                                export_records, outlet_registry)
from mediaframes.readers import read_paths
from mediaframes.registry import Outlet, OutletRegistry, read_country_groups
from mediaframes.store import Store

from helpers import snapshot

FIX = Path(__file__).parent / "fixtures" / "ingest"
REGISTRY = OutletRegistry([Outlet("valley-times.example", "Valley Times", "GB"),
                           Outlet("river-news.example", "River News", "IN"),
                           Outlet("hill-post.example", "Hill Post", "PK")], source="synthetic registry")
COUNTRIES = set(read_country_groups()["country"])
CODEBOOK = Codebook.from_yaml()


def validator(**defaults):
    return RecordValidator(REGISTRY, CODEBOOK, COUNTRIES, Defaults(**defaults))


def add(store, *paths, collection="syn", **options):
    return add_records(store, read_paths(paths), collection=collection, validator=validator(), method="test",
                       sources=[str(p) for p in paths], **options)


def add_dicts(store, records, collection="syn", **options):
    items = [(rec, Origin("synthetic.jsonl", k)) for k, rec in enumerate(records, start=1)]
    return add_records(store, items, collection=collection, validator=validator(), method="test", **options)


def bow_of(store, doc_id):
    article_id = store.conn.execute("SELECT article_id FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()[0]
    indptr, term_ids, counts = store.feature_arrays([article_id])
    return dict(zip(store.terms()[term_ids], counts.tolist()))


FORMATS = {  # fixture path -> URLs it holds
    "records/articles.jsonl": ["https://valley-times.example/news/2025/03/council-votes-water-plan",
                               "https://valley-times.example/news/2025/04/bridge-opens"],
    "records/articles.csv": ["https://hill-post.example/2025/05/market-reopens",
                             "https://hill-post.example/2025/05/school-term"],
    "pages": ["https://www.valley-times.example/news/2025/03/council-water-plan?utm_source=rss",
              "https://river-news.example/local/ferry-timetable", "https://river-news.example/local/library-hours"],
    "texts": ["https://hill-post.example/2025/07/clinic-opens", "https://hill-post.example/2025/07/road-repair"],
    "scraped": ["https://valley-times.example/culture/harvest-festival",
                "https://valley-times.example/sport/cricket-final", "https://river-news.example/local/bus-fares"],
    "feeds": ["https://river-news.example/local/bridge-lights", "https://river-news.example/local/fishing-season",
              "https://valley-times.example/business/orchard-cooperative",
              "https://valley-times.example/weather/pass-closed"],
}


@pytest.mark.parametrize("fixture", list(FORMATS))
def test_each_format_imports_and_readding_it_changes_nothing(store, fixture):
    first = add(store, FIX / fixture)
    assert first.added == len(FORMATS[fixture]) and first.unchanged == 0
    assert sorted(store.articles()["url"]) == sorted(FORMATS[fixture])
    before = snapshot(store)
    again = add(store, FIX / fixture)
    assert (again.added, again.unchanged, again.replaced, again.changed) == (0, len(FORMATS[fixture]), 0, False)
    assert again.import_id is None and "nothing changed" in again.summary()
    assert snapshot(store) == before   # not even an imports row


def test_metadata_resolution_and_codes(store):
    add(store, FIX / "records" / "articles.jsonl", FIX / "texts")
    arts = store.articles().set_index("doc_id")
    water = arts.loc["syn-001"]
    assert (water["outlet"], water["country"], water["published"], water["month"]) == \
        ("Valley Times", "GB", "2025-03-14", "2025-03")
    assert water["canonical_url"] == "https://valley-times.example/news/2025/03/council-votes-water-plan"
    assert pd.isna(arts.loc["syn-002", "published"]) and arts.loc["syn-002", "month"] == "2025-04"
    # text records: n_words counts all words of the text, function words included:
    # "The district council approved a new water plan on Friday after three weeks of debate." = 15 words,
    # "Members said the plan would bring piped water to twelve villages before the summer." = 14 words
    assert water["n_words"] == 29
    # a bow record's n_words defaults to the sum of its counts: 2 + 1 + 1 + 1
    assert arts.loc["syn-002", "n_words"] == 5
    codes = store.codes().merge(store.articles()[["article_id", "doc_id"]]).set_index("doc_id")
    assert codes.loc["syn-001", "coder"] == "syn-coder" and codes.loc["syn-001", "events"] == ["other"]
    assert codes.loc["syn-002", "coder"] == "user" and codes.loc["syn-002", "stance_bla"] == "neutral"
    # text is kept in the local store, with its title
    texts = store.texts().merge(store.articles()[["article_id", "doc_id"]])
    assert texts.set_index("doc_id").loc["syn-001", "title"] == "Council approves water plan"


def test_defaults_fill_in_what_records_lack(store):
    records = [{"url": "https://unregistered.example/a", "bow": {"water": 1}, "primary_frame": "political_process"}]
    report = add_records(store, [(records[0], Origin("x.jsonl", 1))], collection="syn", method="test",
                         validator=validator(outlet="Unregistered Daily", country="ca", published="2025-02",
                                             coder="coder-7"))
    assert report.added == 1
    row = store.articles().iloc[0]
    assert (row["outlet"], row["country"], row["month"]) == ("Unregistered Daily", "CA", "2025-02")
    assert store.codes().iloc[0]["coder"] == "coder-7"
    # the store learnt the outlet: a later import of that domain needs no options
    registry = outlet_registry(store)
    assert registry.resolve("https://unregistered.example/b").outlet == "Unregistered Daily"


def test_default_date_does_not_override_a_records_month(store):
    report = add_records(store, [({"url": "https://valley-times.example/m", "bow": {"x": 1}, "month": "2024-11"},
                                  Origin("x.jsonl", 1)),
                                 ({"url": "https://valley-times.example/d", "bow": {"y": 1}}, Origin("x.jsonl", 2))],
                         collection="syn", method="test", validator=validator(published="2025-01-05"))
    assert report.added == 2
    dates = dict(store.conn.execute("SELECT url, published || ' ' || month FROM articles WHERE published IS NOT NULL"))
    months = dict(store.conn.execute("SELECT url, month FROM articles"))
    assert months == {"https://valley-times.example/m": "2024-11", "https://valley-times.example/d": "2025-01"}
    assert dates == {"https://valley-times.example/d": "2025-01-05 2025-01"}


def test_registry_row_wins_over_defaults(store):
    add_records(store, [({"url": "https://valley-times.example/x", "bow": {"x": 1}}, Origin("x.jsonl", 1))],
                collection="syn", method="test", validator=validator(outlet="Other", country="PK"))
    assert tuple(store.articles().iloc[0][["outlet", "country"]]) == ("Valley Times", "GB")


def test_text_and_bow_of_one_article_have_one_content_hash(store):
    text = "The council's water plan, the council said, is ready."
    tokens = Counter({"council": 2, "water": 1, "plan": 1, "said": 1, "ready": 1})
    report = add_dicts(store, [{"url": "https://valley-times.example/text", "text": text},
                               {"url": "https://river-news.example/bow", "bow": dict(tokens)}])
    assert content_hash(tokens) == store.articles().set_index("url").loc["https://valley-times.example/text",
                                                                         "content_hash"]
    # the second is kept and flagged as a copy of the first
    assert report.added == 2
    assert report.flagged == [("https://river-news.example/bow", "https://valley-times.example/text",
                               "identical content")]


def test_all_or_nothing_every_problem_in_input_order(store, tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join([
        json.dumps({"url": "https://valley-times.example/1", "bow": {"good": 1}}),
        json.dumps({"url": "https://valley-times.example/2", "bow": {"good": 1}, "published": "2025-13-01"}),
        '{"url": broken',
        json.dumps({"url": "https://valley-times.example/4", "bow": {"good": 1}, "primary_frame": "nonsense"}),
    ]) + "\n", encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(InputErrors) as info:
        add(store, path)
    assert [(p.line, p.field) for p in info.value.problems] == [(2, "published"), (3, None), (4, "primary_frame")]
    assert snapshot(store) == before
    assert "nothing was imported" in str(info.value)


def test_duplicate_url_within_a_batch_names_the_first(store):
    with pytest.raises(InputErrors) as info:
        add_dicts(store, [{"url": "https://valley-times.example/a", "bow": {"x": 1}},
                          {"url": "http://www.valley-times.example/a/?utm_source=feed", "bow": {"y": 1}}])
    [problem] = info.value.problems
    assert (problem.line, problem.field) == (2, "url") and "first at synthetic.jsonl:1" in problem.message


def test_doc_id_clash_within_a_batch_and_with_the_store(store):
    add_dicts(store, [{"id": "d1", "url": "https://valley-times.example/a", "bow": {"x": 1}}])
    before = snapshot(store)
    with pytest.raises(InputErrors) as info:
        add_dicts(store, [{"id": "d2", "url": "https://valley-times.example/b", "bow": {"x": 1}},
                          {"id": "d2", "url": "https://valley-times.example/c", "bow": {"y": 1}},
                          {"id": "d1", "url": "https://valley-times.example/d", "bow": {"z": 1}}])
    assert [(p.line, p.field) for p in info.value.problems] == [(2, "id"), (3, "id")]
    assert "also the id of https://valley-times.example/b" in info.value.problems[0].message
    assert "already used in the store by https://valley-times.example/a" in info.value.problems[1].message
    assert snapshot(store) == before


def test_same_url_other_content_needs_replace(store):
    add_dicts(store, [{"id": "d1", "url": "https://valley-times.example/a", "bow": {"old": 1},
                       "primary_frame": "political_process"}])
    with pytest.raises(InputErrors) as info:
        add_dicts(store, [{"id": "d1", "url": "https://valley-times.example/a", "bow": {"new": 2}}])
    assert "--replace" in info.value.problems[0].fix
    report = add_dicts(store, [{"id": "d1", "url": "https://valley-times.example/a", "bow": {"new": 2}}],
                       replace=True)
    assert (report.added, report.replaced) == (0, 1)
    assert bow_of(store, "d1") == {"new": 2}
    assert store.count() == 1 and store.codes().empty   # the old codes went with the old version


def test_dry_run_reports_and_writes_nothing(store):
    before = snapshot(store)
    report = add(store, FIX / "feeds", dry_run=True)
    assert report.added == 4 and report.dry_run and report.import_id is None
    assert report.summary().startswith("dry run, nothing written: collection syn: 4 would be added")
    assert snapshot(store) == before
    # and the vocabulary cache did not keep ids of rolled-back terms
    assert add(store, FIX / "feeds").added == 4
    assert bow_of(store, store.articles()["doc_id"].iloc[0])


def test_add_records_is_atomic_inside_an_outer_transaction(store):
    with store.transaction():
        add_dicts(store, [{"url": "https://valley-times.example/ok", "bow": {"x": 1}}])
        with pytest.raises(InputErrors):
            add_dicts(store, [{"url": "https://valley-times.example/b", "bow": {"x": 1}},
                              {"url": "https://valley-times.example/c", "bow": {"Bad": 1}}])
    assert store.articles()["url"].tolist() == ["https://valley-times.example/ok"]


def test_unknown_fields_are_reported_as_warnings(store):
    report = add(store, FIX / "scraped")
    # author is in both objects of articles.json and in newsapi.json; source in one of each
    assert report.warnings == ["fields not stored (neither record fields nor coded variables): "
                               "author (3 records), source (2 records)"]


# -- near duplicates --------------------------------------------------------------------------------
WORDS = [f"w{k:03d}" for k in range(200)]


def bow(terms):
    return {t: 1 for t in terms}


def test_near_duplicate_copy_is_kept_and_flagged(store):
    original = WORDS[:40]
    copy = WORDS[:38] + WORDS[100:102]        # 38 shared of 42 distinct: J = 38 / 42 = 0.90
    rewrite = WORDS[:20] + WORDS[120:140]     # 20 shared of 60 distinct: J = 20 / 60 = 0.33
    report = add_dicts(store, [{"url": "https://valley-times.example/original", "bow": bow(original)},
                               {"url": "https://river-news.example/copy", "bow": bow(copy)},
                               {"url": "https://hill-post.example/rewrite", "bow": bow(rewrite)}])
    assert report.added == 3 and store.count() == 3                 # kept, not merged
    assert report.flagged == [("https://river-news.example/copy", "https://valley-times.example/original",
                               "jaccard 0.90")]
    flags = store.articles().set_index("url")["near_duplicate_of"]
    assert flags["https://river-news.example/copy"] == "https://valley-times.example/original"
    assert flags.isna().sum() == 2


def test_threshold_is_inclusive_on_exact_jaccard(store):
    base = WORDS[:17]
    at = WORDS[:14] + WORDS[150:153]          # 14 shared, 17 + 17 - 14 = 20 distinct: J = 14 / 20 = 0.70
    below = WORDS[:13] + WORDS[160:164]       # 13 shared, 17 + 17 - 13 = 21 distinct: J = 13 / 21 = 0.62
    report = add_dicts(store, [{"url": "https://valley-times.example/base", "bow": bow(base)},
                               {"url": "https://river-news.example/at", "bow": bow(at)},
                               {"url": "https://hill-post.example/below", "bow": bow(below)}])
    assert THRESHOLD == 0.7
    assert [(url, how) for url, _, how in report.flagged] == [("https://river-news.example/at", "jaccard 0.70")]


def test_most_similar_earlier_article_wins(store):
    a, b = WORDS[:40], WORDS[:39] + WORDS[199:]
    add_dicts(store, [{"url": "https://valley-times.example/a", "bow": bow(a)},
                      {"url": "https://valley-times.example/b", "bow": bow(b)}])
    # the new article has b's terms (other counts): J(new, b) = 40 / 40 = 1.00, J(new, a) = 39 / 41 = 0.95
    new = dict(bow(b), w000=3)
    report = add_dicts(store, [{"url": "https://river-news.example/new", "bow": new}], collection="later")
    assert report.flagged == [("https://river-news.example/new", "https://valley-times.example/b", "jaccard 1.00")]


def test_given_flags_are_kept(store):
    report = add_dicts(store, [{"url": "https://valley-times.example/a", "bow": bow(WORDS[:40])},
                               {"url": "https://river-news.example/b", "bow": bow(WORDS[:40] + WORDS[90:91]),
                                "near_duplicate_of": "https://elsewhere.example/z"}])
    assert report.flagged == []
    assert store.articles().set_index("url").loc["https://river-news.example/b", "near_duplicate_of"] == \
        "https://elsewhere.example/z"


def test_replace_never_takes_an_article_out_of_the_shipped_corpus(embedded_store, tmp_path):
    copy = Store(tmp_path / "copy.sqlite")
    embedded_store.conn.backup(copy.conn)
    url = copy.articles("balochistan-v1")["url"].iloc[0]
    before = snapshot(copy)
    with pytest.raises(InputErrors) as info:
        add_dicts(copy, [{"url": url, "text": "Our own synthetic text for this address.", "outlet": "X",
                          "country": "GB"}], replace=True)
    [problem] = info.value.problems
    assert problem.field == "url" and "belongs to the shipped corpus (balochistan-v1)" in problem.message
    assert "corpus hydrate" in problem.fix
    assert snapshot(copy) == before
    copy.close()


def test_shipped_near_duplicate_flags_are_never_changed(embedded_store, tmp_path):
    copy = Store(tmp_path / "copy.sqlite")
    embedded_store.conn.backup(copy.conn)
    shipped = copy.articles("balochistan-v1")[["doc_id", "near_duplicate_of"]]
    assert shipped["near_duplicate_of"].notna().sum() == 3          # the coders' own flags
    # re-add two shipped bags of words under new URLs: both are flagged, the shipped rows stay as they were
    rows = copy.articles("balochistan-v1").head(2)
    indptr, term_ids, counts = copy.feature_arrays(rows["article_id"].tolist())
    terms = copy.terms()
    records = [{"url": f"https://valley-times.example/re/{k}",
                "bow": dict(zip(terms[term_ids[indptr[k]:indptr[k + 1]]], counts[indptr[k]:indptr[k + 1]].tolist()))}
               for k in range(2)]
    report = add_dicts(copy, records)
    assert [how for _, _, how in report.flagged] == ["identical content", "identical content"]
    assert copy.articles("balochistan-v1")[["doc_id", "near_duplicate_of"]].equals(shipped)
    copy.close()


def test_minhash_agreement_estimates_jaccard():
    # 100 pairs of random 60-term sets sharing 40 terms: J = 40 / (60 + 60 - 40) = 0.5.
    # Each of the 160 hash values agrees with probability J, so the mean agreement over
    # 100 x 160 values is 0.5 with standard error sqrt(0.25 / 16000) = 0.0040.
    rng = np.random.default_rng(7)
    rows = []
    for _ in range(100):
        ids = rng.choice(100_000, size=80, replace=False)
        rows += [np.sort(ids[:60]), np.sort(ids[20:])]
    indptr = np.cumsum([0] + [len(r) for r in rows])
    sig = minhash(indptr, np.concatenate(rows))
    agreement = (sig[0::2] == sig[1::2]).mean()
    assert sig.shape == (200, 160)
    assert abs(agreement - 0.5) < 4 * 0.0040


def test_lsh_finds_every_pair_above_0_8_and_few_unrelated_ones(store):
    # 150 originals with 60 random terms each, and a copy of each with 5 of its terms swapped:
    # J = 55 / 65 = 0.846, candidate probability 1 - (1 - 0.846^5)^32 > 0.99999999 each.
    rng = np.random.default_rng(11)
    vocab = [f"t{k}" for k in range(20_000)]
    records = []
    for k in range(150):
        terms = rng.choice(len(vocab), size=65, replace=False)
        records.append({"url": f"https://valley-times.example/o{k}", "bow": bow(vocab[i] for i in terms[:60])})
        records.append({"url": f"https://river-news.example/c{k}", "bow": bow(vocab[i] for i in terms[5:])})
    report = add_dicts(store, records)
    assert len(report.flagged) == 150
    assert all(url.replace("river-news.example/c", "valley-times.example/o") == of for url, of, _ in report.flagged)
    # unrelated random sets (J about 0.003) are almost never candidates: count them
    ids = store.articles()["article_id"].tolist()
    new, old, votes = candidate_pairs(store, ids)
    assert len(new) == 150
    assert np.allclose(jaccard_pairs(store, new, old), 55 / 65)


def test_candidate_search_in_blocks_finds_the_same_pairs(store):
    rng = np.random.default_rng(3)
    records = []
    for k in range(60):
        terms = rng.choice(len(WORDS), size=40, replace=False)
        records.append({"url": f"https://valley-times.example/o{k}", "bow": bow(WORDS[i] for i in terms)})
        records.append({"url": f"https://river-news.example/c{k}", "bow": bow(WORDS[i] for i in terms[:36])})
    add_dicts(store, records, detect_near_duplicates=False)
    ids = store.articles()["article_id"].tolist()
    whole = set(zip(*(a.tolist() for a in candidate_pairs(store, ids))))
    one_by_one = set(zip(*(a.tolist() for a in candidate_pairs(store, ids, max_hits=1))))
    assert whole == one_by_one and len(whole) >= 60


def test_jaccard_pairs_exact_and_bounded_by_set_sizes(store):
    add_dicts(store, [{"url": "https://valley-times.example/a", "bow": bow(WORDS[:10])},
                      {"url": "https://valley-times.example/b", "bow": bow(WORDS[5:15])},
                      {"url": "https://valley-times.example/c", "bow": dict(bow(WORDS[:20]), w000=9)}],
              detect_near_duplicates=False)
    a, b, c = store.articles().sort_values("url")["article_id"].tolist()
    # J(b, a) = |w005..w009| / |w000..w014| = 5 / 15; J(c, a) = 10 / 20 (counts do not matter)
    assert jaccard_pairs(store, [b, c], [a, a]).tolist() == [5 / 15, 10 / 20]
    # |c| / |a| = 20 / 10: J(c, a) <= 10 / 20 < 0.7, so that pair is not even compared
    assert jaccard_pairs(store, [b, c], [a, a], at_least=0.7).tolist() == [5 / 15, 0.0]


def test_signatures_of_articles_indexed_elsewhere_are_built_on_demand(store):
    add_dicts(store, [{"url": "https://valley-times.example/a", "bow": bow(WORDS[:30])}])
    with store.transaction():
        store.conn.execute("DELETE FROM minhash")          # as in a store migrated from version 1
        report = add_dicts(store, [{"url": "https://river-news.example/b", "bow": bow(WORDS[:30] + WORDS[50:52])}])
    # J = 30 / 32 = 0.94: the old article was indexed on demand and found
    assert report.flagged == [("https://river-news.example/b", "https://valley-times.example/a", "jaccard 0.94")]
    assert store.conn.execute("SELECT count(*) FROM minhash").fetchone()[0] == 2


def test_flag_near_duplicates_without_candidates_returns_nothing(store):
    add_dicts(store, [{"url": "https://valley-times.example/a", "bow": bow(WORDS[:30])}],
              detect_near_duplicates=False)
    with store.transaction():
        index_articles(store, store.articles()["article_id"].tolist())
        assert flag_near_duplicates(store, store.articles()["article_id"].tolist()) == []


# -- export -------------------------------------------------------------------------------------------
def test_export_records_are_what_was_added(store):
    add(store, FIX / "records" / "articles.jsonl")
    first, second = export_records(store)
    assert first["id"] == "syn-001" and "text" not in first and "title" not in first
    assert first["bow"] == dict(sorted(bow_of(store, "syn-001").items()))
    assert first["primary_frame"] == "political_process" and first["events"] == ["other"]
    assert first["coder"] == "syn-coder" and first["collection"] == "syn"
    assert second["bow"] == {"bridge": 2, "opened": 1, "river": 1, "traffic": 1}
    assert (second["stance_bla"], second["india_role"], second["month"]) == ("neutral", "absent", "2025-04")
    with_text = next(export_records(store, with_text=True))
    assert with_text["title"] == "Council approves water plan" and with_text["text"].startswith("The district")


def test_validator_api_used_by_the_embedded_corpus():
    article, problems = validator().validate({"url": "https://valley-times.example/a", "bow": {"x": 2}},
                                             Origin("f.jsonl", 3))
    assert problems == [] and article.outlet == "Valley Times" and article.origin == Origin("f.jsonl", 3)
    assert ImportReport("c", added=2, unchanged=1).summary() == "collection c: 2 added, 1 unchanged"
    assert ImportReport("c", unchanged=3).summary() == ("collection c: 0 added, 3 unchanged - the store already "
                                                        "held all of this input; nothing changed")


def test_store_file_stays_a_valid_database(store):
    add(store, FIX)
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
