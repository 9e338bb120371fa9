"""Classifiers and their evaluation (mediaframes.classify), on synthetic document-feature matrices.

Everything here is synthetic: groups A, B, C of invented outlets, each article a bag of invented
words. A group's articles use its three planted words (A: anchor arrow atlas, B: beacon bridge
bronze, C: canyon cedar copper) when there is signal; every article also uses 30 noise words and
its outlet's own "house style" word (style_a0 ...), which a split that lets an outlet into both
training and test would exploit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.metrics import f1_score

from mediaframes import classify
from mediaframes.classify import (DocumentFrequencyFilter, bootstrap_scores, confusion_table, cross_val_oof,
                                  evaluate, grouped_splits, labelled, make_pipeline, permutation_scheme, permute_labels,
                                  scores, stratified_group_folds)
from mediaframes.dfm import DocumentFeatureMatrix

GROUPS = ("A", "B", "C")
PLANTED = {"A": ("anchor", "arrow", "atlas"), "B": ("beacon", "bridge", "bronze"), "C": ("canyon", "cedar", "copper")}
NOISE = tuple(f"noise{i:02d}" for i in range(30))


def synthetic_dfm(signal: float = 1.0, seed: int = 0, n_sources: int = 4, n_articles: int = 5,
                  frames=None) -> DocumentFeatureMatrix:
    """3 groups x ``n_sources`` outlets x ``n_articles`` articles; planted words with probability ``signal``."""
    rng = np.random.default_rng(seed)
    bows, docvars = [], []
    for g in GROUPS:
        for s in range(n_sources):
            source = f"{g.lower()}-outlet-{s}"
            for a in range(n_articles):
                bow = {w: int(c) for w, c in zip(NOISE, rng.poisson(1.0, len(NOISE))) if c}
                bow[f"style_{g.lower()}{s}"] = 2
                for word in PLANTED[g]:
                    if rng.random() < signal:
                        bow[word] = 1 + int(rng.poisson(1.0))
                bows.append(bow)
                docvars.append({"doc_id": f"{source}-{a}", "source": source, "group": g})
    terms = sorted({t for bow in bows for t in bow})
    col = {t: j for j, t in enumerate(terms)}
    rows = [i for i, bow in enumerate(bows) for _ in bow]
    cols = [col[t] for bow in bows for t in bow]
    vals = [c for bow in bows for c in bow.values()]
    docvars = pd.DataFrame(docvars)
    if frames is not None:
        docvars["primary_frame"] = frames
    return DocumentFeatureMatrix(sparse.csr_matrix((vals, (rows, cols)), shape=(len(bows), len(terms))),
                                 terms, docvars)


# -- grouped cross-validation ---------------------------------------------------------------------
@pytest.mark.parametrize("cv, n_folds", [("group-kfold", 4), ("logo", 12)])
def test_grouped_folds_never_share_a_source_and_test_every_article_once(cv, n_folds):
    dfm = synthetic_dfm()
    y, sources = dfm.docvars["group"].to_numpy(), dfm.docvars["source"].to_numpy()
    splits = grouped_splits(y, sources, cv, n_splits=4, seed=3)
    assert len(splits) == n_folds
    for train, test in splits:
        assert not set(sources[train]) & set(sources[test])
        assert len(train) + len(test) == 60
    tested = np.concatenate([test for _, test in splits])
    assert sorted(tested) == list(range(60))  # every article in exactly one test fold


def test_grouped_splits_are_seeded_and_stratified():
    dfm = synthetic_dfm()
    y, sources = dfm.docvars["group"].to_numpy(), dfm.docvars["source"].to_numpy()
    first = grouped_splits(y, sources, "group-kfold", n_splits=4, seed=3)
    again = grouped_splits(y, sources, "group-kfold", n_splits=4, seed=3)
    assert all((a[1] == b[1]).all() for a, b in zip(first, again))
    # 4 outlets per group and 4 folds: stratification puts one outlet of each group in each test fold
    for _, test in first:
        assert sorted(y[test]) == ["A"] * 5 + ["B"] * 5 + ["C"] * 5


def test_stratified_group_folds_are_scikit_learns():
    from sklearn.model_selection import StratifiedGroupKFold

    rng = np.random.default_rng(0)
    checked = 0
    for case in range(60):
        n_groups = int(rng.integers(6, 40))
        groups = np.repeat(np.arange(n_groups), rng.integers(1, 8, size=n_groups))
        y = rng.choice(["a", "b", "c", "d"][:int(rng.integers(2, 5))], size=len(groups))
        k = int(rng.integers(2, 6))
        expected = StratifiedGroupKFold(k, shuffle=True, random_state=case).split(np.zeros(len(y)), y, groups)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # small classes: both warn alike
            ours = stratified_group_folds(y, groups, k, seed=case)
            for fold, (_, test) in zip(ours, expected):
                assert fold.tolist() == sorted(test), case
        checked += 1
    assert checked == 60


def test_grouped_splits_need_enough_sources():
    with pytest.raises(ValueError, match="try n_splits <= 2"):
        grouped_splits(["a", "b", "a", "b"], ["s1", "s1", "s2", "s2"], n_splits=3)
    with pytest.raises(ValueError, match="unknown cv"):
        grouped_splits(["a", "b"], ["s1", "s2"], cv="kfold")


def test_pooled_out_of_fold_predictions_cover_every_article_once():
    dfm = synthetic_dfm()
    y, sources = dfm.docvars["group"].to_numpy(), dfm.docvars["source"].to_numpy()
    splits = grouped_splits(y, sources, n_splits=4, seed=0)
    oof = cross_val_oof({m: make_pipeline(m) for m in classify.MODELS}, dfm.counts, y, splits, keep_models=True)
    for model, result in oof.items():
        assert all(p in GROUPS for p in result.predictions), model
        assert len(result.models) == 4
        for k, (_, test) in enumerate(splits):
            assert (np.flatnonzero(result.fold == k) == test).all()


def test_shared_preprocessing_gives_what_each_pipeline_gives_alone():
    dfm = synthetic_dfm(signal=0.4, seed=2)
    y, sources = dfm.docvars["group"].to_numpy(), dfm.docvars["source"].to_numpy()
    splits = grouped_splits(y, sources, n_splits=4, seed=0)
    pipelines = {m: make_pipeline(m) for m in classify.MODELS}
    together = cross_val_oof(pipelines, dfm.counts, y, splits)
    for name, pipeline in pipelines.items():
        alone = np.empty(len(y), dtype=object)
        for train, test in splits:
            alone[test] = clone(pipeline).fit(dfm.counts[train], y[train]).predict(dfm.counts[test])
        assert list(together[name].predictions) == list(alone), name


# -- nothing learnt from the test fold ------------------------------------------------------------
def test_document_frequency_filter_counts_training_documents_only():
    # term:      t0 t1 t2 t3
    X = np.array([[1, 1, 5, 0],
                  [0, 2, 1, 0],
                  [0, 0, 1, 0],
                  [0, 0, 2, 0]])
    # document frequencies 1, 2, 4, 0; min_df=2 (documents), max_df=0.75 -> floor(0.75 * 4) = 3
    step = DocumentFrequencyFilter(min_df=2, max_df=0.75).fit(sparse.csr_matrix(X))
    assert step.support_.tolist() == [False, True, False, False]
    # min_df=0.5 -> ceil(0.5 * 4) = 2 documents; max_df=1.0 -> 4
    assert DocumentFrequencyFilter(min_df=0.5).fit(X).support_.tolist() == [False, True, True, False]
    assert step.transform(sparse.csr_matrix([[7, 8, 9, 10]])).toarray().tolist() == [[8]]
    with pytest.raises(ValueError, match="try a lower min_df"):
        DocumentFrequencyFilter(min_df=5).fit(X)


def test_vocabulary_and_idf_of_a_fold_come_from_its_training_articles():
    dfm = synthetic_dfm()
    y, sources = dfm.docvars["group"].to_numpy(), dfm.docvars["source"].to_numpy()
    splits = grouped_splits(y, sources, n_splits=4, seed=0)
    oof = cross_val_oof({"logreg": make_pipeline("logreg", min_df=2)}, dfm.counts, y, splits, keep_models=True)
    train, test = splits[0]
    fitted = oof["logreg"].models[0]
    df_train = np.asarray((dfm.counts[train] > 0).sum(axis=0)).ravel()
    support = fitted.named_steps["terms"].support_
    assert (support == (df_train >= 2)).all()
    # the outlets of the test fold have style words no training article uses: they are not in the model
    held_out_styles = {f"style_{s[0]}{s[-1]}" for s in set(sources[test])}
    assert held_out_styles.isdisjoint(set(dfm.terms[support]))
    # smooth IDF from the 45 training articles: ln((1 + 45) / (1 + df)) + 1
    n = len(train)
    expected = np.log((1 + n) / (1 + df_train[support])) + 1
    assert np.allclose(fitted.named_steps["tfidf"].idf_, expected)


# -- scores ---------------------------------------------------------------------------------------
Y_TRUE = ["a", "a", "a", "b", "b", "c"]
Y_PRED = ["a", "a", "b", "b", "c", "c"]


def test_f1_macro_f1_and_accuracy_by_hand():
    s = scores(Y_TRUE, Y_PRED, ["a", "b", "c"])
    # a: TP 2, FP 0, FN 1 -> 2*2 / (2*2 + 0 + 1) = 4/5
    # b: TP 1, FP 1 (3rd article), FN 1 (5th) -> 2 / (2 + 1 + 1) = 1/2
    # c: TP 1, FP 1 (5th), FN 0 -> 2 / (2 + 1) = 2/3
    assert s.f1[0] == pytest.approx([4 / 5, 1 / 2, 2 / 3])
    assert s.macro_f1[0] == pytest.approx((4 / 5 + 1 / 2 + 2 / 3) / 3)  # 0.65556
    assert s.accuracy[0] == pytest.approx(4 / 6)
    assert s.macro_f1[0] == pytest.approx(f1_score(Y_TRUE, Y_PRED, average="macro"))


def test_weighted_scores_by_hand_and_as_sklearn_computes_them():
    w = np.array([[2, 0, 1, 1, 1, 3],    # a: TP 2, FN 1 -> 4/5; b: TP 1, FP 1, FN 1 -> 1/2; c: TP 3, FP 1 -> 6/7
                  [1, 1, 1, 0, 0, 0]])   # a: TP 2, FN 1 -> 4/5; b: FP 1 -> 0; c: absent -> NaN
    s = scores(Y_TRUE, Y_PRED, ["a", "b", "c"], w)
    assert s.f1[0] == pytest.approx([4 / 5, 1 / 2, 6 / 7])
    assert s.macro_f1[0] == pytest.approx((4 / 5 + 1 / 2 + 6 / 7) / 3)
    assert s.accuracy[0] == pytest.approx((2 + 0 + 1 + 3) / 8)
    assert s.f1[1, :2] == pytest.approx([4 / 5, 0]) and np.isnan(s.f1[1, 2])
    assert s.macro_f1[1] == pytest.approx((4 / 5 + 0) / 2)  # the absent class is not averaged
    for row, weights in enumerate(w):
        for average, ours in ((None, s.f1[row]), ("macro", s.macro_f1[row])):
            theirs = f1_score(Y_TRUE, Y_PRED, labels=["a", "b", "c"], average=average, sample_weight=weights,
                              zero_division=np.nan)
            np.testing.assert_allclose(ours, theirs)


def test_scores_reject_labels_outside_the_classes():
    with pytest.raises(ValueError, match="'d' is not one of the classes"):
        scores(["a", "d"], ["a", "a"], ["a", "b"])


def test_confusion_table_by_hand():
    table = confusion_table(Y_TRUE, Y_PRED, ["a", "b", "c"])
    assert list(table.columns) == ["true", "predicted", "n", "share"]
    assert table["n"].tolist() == [2, 1, 0,   # true a: 2 as a, 1 as b (of 3)
                                   0, 1, 1,   # true b: 1 as b, 1 as c (of 2)
                                   0, 0, 1]   # true c: 1 as c
    assert table["share"].tolist() == pytest.approx([2 / 3, 1 / 3, 0, 0, 1 / 2, 1 / 2, 0, 0, 1])


def test_bootstrap_scores_are_seeded_and_resample_whole_sources():
    y = np.array(["a"] * 6 + ["b"] * 6)
    pred = np.array(["a", "a", "b", "a", "a", "a", "b", "b", "a", "b", "b", "b"])
    sources = np.repeat(["s1", "s2", "s3", "s4"], 3)
    first = bootstrap_scores(y, pred, ["a", "b"], sources, n_boot=300, seed=5)
    again = bootstrap_scores(y, pred, ["a", "b"], sources, n_boot=300, seed=5)
    other = bootstrap_scores(y, pred, ["a", "b"], sources, n_boot=300, seed=6)
    np.testing.assert_array_equal(first.macro_f1, again.macro_f1)
    assert not np.array_equal(first.macro_f1, other.macro_f1)
    assert first.f1.shape == (300, 2)
    # a replicate that draws only source s1 (all class a) has no class-b weight at all
    assert np.isnan(first.f1).any() and not np.isnan(first.macro_f1).any()


def test_metrics_have_cluster_bootstrap_intervals_around_the_estimate_and_reproduce():
    dfm = synthetic_dfm(signal=0.5, seed=1)
    report = evaluate(dfm, "country", models=("logreg",), n_splits=4, n_boot=500, n_perm=0, seed=0)
    m = report.metrics.set_index("metric")
    assert list(report.metrics.columns) == ["task", "model", "metric", "value", "ci_low", "ci_high"]
    assert m.index.tolist() == ["n_articles", "n_sources", "n_folds", "macro_f1", "accuracy", "f1:A", "f1:B", "f1:C"]
    assert m.loc[["n_articles", "n_sources", "n_folds"], "value"].tolist() == [60, 12, 4]
    for metric in ("macro_f1", "accuracy", "f1:A", "f1:B", "f1:C"):
        assert m.at[metric, "ci_low"] <= m.at[metric, "value"] <= m.at[metric, "ci_high"], metric
        assert m.at[metric, "ci_low"] < m.at[metric, "ci_high"], metric
    # the point estimates are those of the pooled out-of-fold predictions
    pooled = report.predictions
    assert m.at["macro_f1", "value"] == pytest.approx(f1_score(pooled["true"], pooled["predicted"], average="macro"))
    again = evaluate(dfm, "country", models=("logreg",), n_splits=4, n_boot=500, n_perm=0, seed=0)
    pd.testing.assert_frame_equal(report.metrics, again.metrics)
    pd.testing.assert_frame_equal(report.top_terms, again.top_terms)


# -- permutation test -----------------------------------------------------------------------------
def test_permuting_a_country_label_keeps_it_constant_within_each_source():
    dfm = synthetic_dfm()
    y, sources = dfm.docvars["group"].to_numpy(), dfm.docvars["source"].to_numpy()
    rng = np.random.default_rng(0)
    draws = [permute_labels(y, sources, rng) for _ in range(5)]
    for permuted in draws:
        by_source = pd.Series(permuted).groupby(sources).unique()
        assert all(len(labels) == 1 for labels in by_source)
        assert sorted(by_source.str[0]) == ["A"] * 4 + ["B"] * 4 + ["C"] * 4  # the sources' labels, reshuffled
    assert any((d != y).any() for d in draws)


def test_permuting_frames_swaps_whole_label_vectors_among_sources_of_equal_size():
    sources = np.array(["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4", "s4"])
    y = np.array(["x", "x", "x", "y", "y", "y", "x", "z", "z"])
    # sizes: s1, s2, s3 have 2 articles; s4 has 3 and no partner, so it keeps its labels
    rng = np.random.default_rng(1)
    seen = set()
    for _ in range(20):
        permuted = permute_labels(y, sources, rng)
        multisets = [tuple(sorted(permuted[sources == s])) for s in ("s1", "s2", "s3")]
        assert sorted(multisets) == [("x", "x"), ("x", "y"), ("y", "y")]
        assert sorted(permuted[sources == "s4"]) == ["x", "z", "z"]
        seen.add(tuple(multisets))
    assert len(seen) > 1
    assert permutation_scheme(y, sources) == ("whole label vectors swapped among sources of equal size (3 of 4 "
                                              "sources share their size with another) and shuffled within them")


def test_permutation_p_is_minimal_for_separable_groups():
    dfm = synthetic_dfm(signal=1.0)
    report = evaluate(dfm, "country", n_splits=4, n_boot=50, n_perm=19, seed=0)
    m = report.metrics.pivot(index="metric", columns="model", values="value")
    for model in classify.MODELS:
        assert m.at["macro_f1", model] == 1.0
        assert m.at["permutation_p", model] == pytest.approx(1 / (1 + 19))  # no permutation does as well
        assert m.at["permutation_mean", model] < 0.6
    assert report.null.groupby("model").size().to_dict() == {"logreg": 19, "nb": 19, "svm": 19}
    assert report.notes == ["permutation test (19 permutations): labels permuted among all 12 sources "
                            "(each source has one label)"]
    p_rows = report.metrics[report.metrics["metric"] == "permutation_p"]
    assert p_rows[["ci_low", "ci_high"]].isna().all().all()


def test_permutation_p_is_large_without_signal():
    # no planted words: only noise and each outlet's style word, which grouped CV cannot exploit
    dfm = synthetic_dfm(signal=0.0, seed=4)
    report = evaluate(dfm, "country", models=("logreg",), n_splits=4, n_boot=50, n_perm=19, seed=0)
    m = report.metrics.pivot(index="metric", columns="model", values="value")
    for model in ("logreg",):
        assert m.at["macro_f1", model] < 0.5
        assert m.at["permutation_p", model] > 0.2


def test_grouped_cv_does_not_learn_outlet_style_that_article_level_cv_exploits():
    from sklearn.model_selection import StratifiedKFold

    dfm = synthetic_dfm(signal=0.0, seed=4)  # the label shows only through each outlet's style word
    y = dfm.docvars["group"].to_numpy()
    leaky = list(StratifiedKFold(4, shuffle=True, random_state=0).split(np.zeros(60), y))
    leaked = cross_val_oof({"logreg": make_pipeline("logreg")}, dfm.counts, y, leaky)["logreg"]
    assert scores(y, leaked.predictions, GROUPS).macro_f1[0] > 0.9
    grouped = grouped_splits(y, dfm.docvars["source"].to_numpy(), n_splits=4, seed=0)
    honest = cross_val_oof({"logreg": make_pipeline("logreg")}, dfm.counts, y, grouped)["logreg"]
    assert scores(y, honest.predictions, GROUPS).macro_f1[0] < 0.5


def test_permutation_models_limits_the_test():
    dfm = synthetic_dfm()
    report = evaluate(dfm, "country", models=("svm", "nb"), n_splits=4, n_boot=20, n_perm=3, permutation_models=["nb"])
    tested = report.metrics[report.metrics["metric"] == "permutation_p"]["model"].tolist()
    assert tested == ["nb"]
    with pytest.raises(ValueError, match="not all among models"):
        evaluate(dfm, "country", models=("nb",), n_perm=3, permutation_models=["svm"])


# -- classes and labels ---------------------------------------------------------------------------
def test_small_classes_and_unlabelled_articles_are_dropped_and_reported():
    frames = ["security"] * 30 + ["rights"] * 24 + ["economy"] * 3 + [None] * 3
    dfm = synthetic_dfm(frames=frames)
    report = evaluate(dfm, "frame", models=("nb",), n_splits=4, n_boot=20, n_perm=0, min_class_size=10)
    assert report.dropped.to_dict("records") == [
        {"task": "frame", "class": "economy", "n_articles": 3, "reason": "fewer than 10 articles"},
        {"task": "frame", "class": "(none)", "n_articles": 3, "reason": "no primary_frame"},
    ]
    assert report.classes == ["rights", "security"]
    assert len(report.predictions) == 54
    assert set(report.confusion["true"]) == {"rights", "security"}
    assert report.notes == ["left out: 3 articles of class economy (fewer than 10 articles)",
                            "left out: 3 articles without a label (no primary_frame)"]


def test_label_column_can_be_chosen_and_must_exist():
    dfm = synthetic_dfm()
    dfm.docvars["group_fine"] = np.where(dfm.docvars["group"] == "C", "C", "AB")
    data = labelled(dfm, "country", label="group_fine")
    assert list(data.classes) == ["AB", "C"]
    with pytest.raises(ValueError, match="no docvar 'nope'"):
        labelled(dfm, "country", label="nope")


def test_unknown_task_model_and_too_few_classes_are_errors():
    dfm = synthetic_dfm()
    with pytest.raises(ValueError, match="unknown task 'outlet'; try one of country, frame"):
        evaluate(dfm, "outlet")
    with pytest.raises(ValueError, match="unknown model 'forest'"):
        evaluate(dfm, "country", models=("forest",))
    with pytest.raises(ValueError, match="Try a lower min_class_size"):
        labelled(dfm, "country", min_class_size=21)


# -- interpretation -------------------------------------------------------------------------------
def test_top_terms_recover_the_planted_words_in_every_fold():
    dfm = synthetic_dfm(signal=1.0)
    report = evaluate(dfm, "country", n_splits=4, n_boot=20, n_perm=0, top_k=5)
    terms = report.top_terms
    assert list(terms.columns) == ["task", "model", "class", "rank", "term", "weight", "stability"]
    assert len(terms) == 3 * 3 * 5  # models x classes x top_k
    for (model, cls), part in terms.groupby(["model", "class"]):
        assert part["rank"].tolist() == [1, 2, 3, 4, 5]
        assert part["weight"].is_monotonic_decreasing
        top3 = part[part["rank"] <= 3]
        assert set(top3["term"]) == set(PLANTED[cls]), (model, cls)
        assert (top3["stability"] == 1.0).all(), (model, cls)  # in the top 5 of every fold's model
    assert terms["stability"].between(0, 1).all()


def test_confusion_of_a_report_is_complete_and_shares_sum_to_one():
    report = evaluate(synthetic_dfm(signal=0.3, seed=3), "country", models=("svm",), n_splits=4, n_boot=20, n_perm=0)
    conf = report.confusion
    assert list(conf.columns) == ["task", "model", "true", "predicted", "n", "share"]
    assert len(conf) == 9 and conf["n"].sum() == 60
    assert conf.groupby("true")["share"].sum().tolist() == pytest.approx([1, 1, 1])
