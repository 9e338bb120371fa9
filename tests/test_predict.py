"""Scoring new articles: mediaframes.classify.train / predict_* and the ``mediaframes predict`` command.

All articles here are synthetic: invented outlets on ``*.test`` domains whose texts are lists of
invented words. Each group's articles use its planted words (PK outlets: anchor arrow atlas; IN:
beacon bridge bronze; GB, an international outlet: canyon cedar copper) and code a matching
primary_frame, so a correct classifier recovers the group and the frame from the words.
"""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest

from mediaframes.classify import predict_records, predict_table, record_bows, train
from mediaframes.cli import main
from mediaframes.codebook import Codebook
from mediaframes.dfm import dfm_from_store
from mediaframes.errors import InputError, InputErrors
from mediaframes.ingest import Origin, RecordValidator, add_records
from mediaframes.registry import OutletRegistry, read_country_groups
from mediaframes.store import Store

COLLECTION = "synthetic-test"
PLANTED = {"PK": "anchor arrow atlas", "IN": "beacon bridge bronze", "GB": "canyon cedar copper"}
FRAME = {"PK": "security_terrorism", "IN": "human_rights_repression", "GB": "foreign_interference"}
GROUP = {"PK": "PK", "IN": "IN", "GB": "INTL"}


def synthetic_records(n_outlets: int = 3, n_articles: int = 4, seed: int = 0):
    """(record, Origin) pairs: 3 countries x ``n_outlets`` outlets x ``n_articles`` articles."""
    rng = np.random.default_rng(seed)
    noise = [f"noise{i:02d}" for i in range(20)]
    for country, planted in PLANTED.items():
        for o in range(n_outlets):
            domain = f"{country.lower()}-outlet-{o}.test"
            for a in range(n_articles):
                words = planted.split() + list(rng.choice(noise, size=8)) + [f"house{country.lower()}{o}"]
                record = {"url": f"https://{domain}/story-{a}", "text": " ".join(words) + ".",
                          "outlet": f"Synthetic {country} Outlet {o}", "country": country,
                          "published": "2025-03-01", "codes": {"primary_frame": FRAME[country]}}
                yield record, Origin("synthetic", a + 1)


def add_synthetic(store: Store) -> None:
    validator = RecordValidator(OutletRegistry(), Codebook.from_yaml(), set(read_country_groups()["country"]))
    add_records(store, synthetic_records(), collection=COLLECTION, validator=validator, method="test",
                detect_near_duplicates=False)


@pytest.fixture
def synthetic_dfm(store):
    add_synthetic(store)
    return dfm_from_store(store, collection=COLLECTION)


@pytest.fixture
def store_path(embedded_store, tmp_path):
    """A store file holding the shipped corpus (copied, so it is not rebuilt) plus the synthetic collection."""
    path = tmp_path / "store.sqlite"
    target = sqlite3.connect(path)
    embedded_store.conn.backup(target)
    target.close()
    with Store(path) as store:
        add_synthetic(store)
    return path


NEW = [  # (url, text, expected group, expected frame)
    ("https://unregistered.test/1", "Atlas and anchor, arrow noise03.", "PK", "security_terrorism"),
    ("https://unregistered.test/2", "Bronze bridge; beacon noise11 noise04.", "IN", "human_rights_repression"),
    ("https://unregistered.test/3", "Copper canyon cedar noise17.", "INTL", "foreign_interference"),
]


def write_jsonl(path, records) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


# -- library ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["logreg", "svm", "nb"])
def test_trained_model_scores_new_texts(synthetic_dfm, model):
    trained = train(synthetic_dfm, "country", model)
    assert trained.classes == ["IN", "INTL", "PK"] and trained.n_articles == 36
    records = [({"url": url, "text": text}, Origin("new.jsonl", i)) for i, (url, text, _, _) in enumerate(NEW, 1)]
    table = predict_records(trained, records)
    assert list(table.columns) == ["url", "predicted", "p_IN", "p_INTL", "p_PK"]
    assert table["url"].tolist() == [url for url, *_ in NEW]
    assert table["predicted"].tolist() == [group for _, _, group, _ in NEW]
    proba = table[["p_IN", "p_INTL", "p_PK"]].to_numpy()
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == [2, 0, 1]).all()  # the predicted class has the highest probability


def test_frame_model_and_probabilities_follow_the_class_order(synthetic_dfm):
    trained = train(synthetic_dfm, "frame", "logreg")
    table = predict_table(trained, ["u1", "u2", "u3"], [{"anchor": 1, "arrow": 1}, {"bridge": 2},
                                                        {"cedar": 1, "unseen_word": 5}])
    assert list(table.columns) == ["url", "predicted", "p_foreign_interference", "p_human_rights_repression",
                                   "p_security_terrorism"]
    assert table["predicted"].tolist() == ["security_terrorism", "human_rights_repression", "foreign_interference"]
    # the same probabilities as the fitted pipeline's, whose classes_ are sorted the same way
    direct = trained.estimator.predict_proba(trained.matrix([{"bridge": 2}]))
    assert table.iloc[1, 2:].to_numpy(dtype=float) == pytest.approx(direct[0])


def test_words_the_model_never_saw_are_ignored(synthetic_dfm):
    trained = train(synthetic_dfm, "country", "nb")
    matrix = trained.matrix([{"anchor": 2, "zzz_unknown": 7}])
    assert matrix.sum() == 2 and matrix.shape == (1, len(synthetic_dfm.terms))


def test_text_wins_over_bow_and_bow_is_used_without_text():
    both = {"url": "https://x.test/1", "text": "The anchor, the arrow's tip.", "bow": {"beacon": 9}}
    records = [(both, Origin("f", 1)), ({"url": "https://x.test/2", "bow": {"beacon": 2, "bridge": 1}}, Origin("f", 2))]
    urls, bows = record_bows(records)
    assert urls == ["https://x.test/1", "https://x.test/2"]
    # tokenizer rules: lowercase, possessive removed, function word "the" dropped
    assert bows == [{"anchor": 1, "arrow": 1, "tip": 1}, {"beacon": 2, "bridge": 1}]


def test_unusable_records_are_all_reported_with_their_lines():
    records = [({"url": "https://x.test/1"}, Origin("in.jsonl", 1)),
               ({"text": "anchor arrow"}, Origin("in.jsonl", 2)),
               ({"url": "https://x.test/3", "bow": {"anchor": 0}}, Origin("in.jsonl", 3)),
               ({"url": "https://x.test/4", "text": "anchor"}, Origin("in.jsonl", 4))]
    with pytest.raises(InputErrors) as caught:
        record_bows(records)
    assert [(p.line, p.field) for p in caught.value.problems] == [(1, "text"), (2, "url"), (3, "bow")]
    assert "neither text nor bow" in str(caught.value)
    with pytest.raises(InputError, match="no article records found"):
        record_bows([], source="empty.jsonl")


# -- command line -----------------------------------------------------------------------------------
def run(argv, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def test_predict_writes_one_row_per_article_in_input_order(store_path, tmp_path, capsys):
    source = tmp_path / "new.jsonl"
    write_jsonl(source, [{"url": url, "text": text} for url, text, _, _ in NEW])
    out = tmp_path / "out" / "predictions.csv"
    code, stdout, _ = run(["predict", "--store", str(store_path), "--task", "country", "--collection", COLLECTION,
                           str(source), "--out", str(out)], capsys)
    assert code == 0
    assert "wrote 3 predictions" in stdout and "trained on 36 articles" in stdout
    table = pd.read_csv(out)
    assert list(table.columns) == ["url", "predicted", "p_IN", "p_INTL", "p_PK"]
    assert table["url"].tolist() == [url for url, *_ in NEW]
    assert table["predicted"].tolist() == ["PK", "IN", "INTL"]
    assert table[["p_IN", "p_INTL", "p_PK"]].sum(axis=1).to_numpy() == pytest.approx(1.0, abs=1e-5)
    # the same numbers as the library's, written with six decimals
    with Store(store_path) as store:
        trained = train(dfm_from_store(store, collection=COLLECTION), "country", "logreg")
    expected = predict_records(trained, [({"url": u, "text": t}, Origin("x", 1)) for u, t, _, _ in NEW])
    assert table[["p_IN", "p_INTL", "p_PK"]].to_numpy() == pytest.approx(
        expected[["p_IN", "p_INTL", "p_PK"]].to_numpy(), abs=1e-6)
    # nothing of the input was stored
    with Store(store_path) as store:
        assert store.lookup_urls(["https://unregistered.test/1"]) == {}


def test_predict_frame_with_svm_and_store_wide_training(store_path, tmp_path, capsys):
    source = tmp_path / "new.jsonl"
    write_jsonl(source, [{"url": url, "bow": {w: 1 for w in text.lower().strip(".").replace(",", "").split()}}
                         for url, text, _, _ in NEW])
    out = tmp_path / "frames.csv"
    code, stdout, _ = run(["predict", "--store", str(store_path), "--task", "frame", "--model", "svm",
                           "--collection", COLLECTION, "--min-class-size", "5", str(source), "--out", str(out)], capsys)
    assert code == 0
    table = pd.read_csv(out)
    assert table["predicted"].tolist() == [frame for *_, frame in NEW]
    assert list(table.columns[2:]) == ["p_foreign_interference", "p_human_rights_repression", "p_security_terrorism"]


def test_predict_reports_classes_left_out(store_path, tmp_path, capsys):
    source = tmp_path / "new.jsonl"
    write_jsonl(source, [{"url": NEW[0][0], "text": NEW[0][1]}])
    # the shipped corpus has one territorial_integrity article: too few to learn from
    code, stdout, _ = run(["predict", "--store", str(store_path), "--task", "frame", "--quiet", str(source),
                           "--out", str(tmp_path / "f.csv")], capsys)
    assert code == 0
    assert "left out of training: class territorial_integrity (fewer than 10 articles): 1 article" in stdout
    assert "p_territorial_integrity" not in pd.read_csv(tmp_path / "f.csv").columns


def test_command_choices_are_the_library_s():
    from mediaframes import classify
    from mediaframes.cli import predict as command

    assert command.TASKS == tuple(classify.TASKS)
    assert command.MODELS == classify.MODELS
    assert command.MIN_CLASS_SIZE == classify.MIN_CLASS_SIZE


def test_predict_errors(store_path, tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    code, _, err = run(["predict", "--store", str(store_path), "--task", "country", str(empty),
                        "--out", str(tmp_path / "o.csv")], capsys)
    assert code == 1 and f"{empty}:1: the file is empty" in err and "Traceback" not in err
    assert "1 problem; no predictions were written." in err

    bad = tmp_path / "bad.jsonl"
    write_jsonl(bad, [{"url": "https://x.test/1", "text": "anchor"}, {"url": "https://x.test/2"}])
    code, _, err = run(["predict", "--store", str(store_path), "--task", "country", str(bad),
                        "--out", str(tmp_path / "o.csv")], capsys)
    assert code == 1 and f"{bad}:2 [text]: neither text nor bow" in err
    assert "1 problem; no predictions were written." in err
    assert not (tmp_path / "o.csv").exists()

    code, _, err = run(["predict", "--task", "outlet", str(bad), "--out", str(tmp_path / "o.csv")], capsys)
    assert code == 2 and "outlet" in err

    source = tmp_path / "ok.jsonl"
    write_jsonl(source, [{"url": "https://x.test/1", "text": "anchor"}])
    code, _, err = run(["predict", "--store", str(store_path), "--task", "country", "--label", "nope",
                        str(source), "--out", str(tmp_path / "o.csv")], capsys)
    assert code == 2 and "'nope' is not a docvar" in err

    code, _, err = run(["predict", "--store", str(store_path), "--task", "country", "--collection", "no-such",
                        str(source), "--out", str(tmp_path / "o.csv")], capsys)
    assert code == 1 and "no stored articles in collection no-such" in err
