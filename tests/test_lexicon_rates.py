"""Lexicon rates per 1,000 words, shares of articles, and group differences, on a synthetic dfm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mediaframes.bootstrap import bootstrap_ratio, percentile_interval
from mediaframes.dfm import DocumentFeatureMatrix
from mediaframes.bootstrap import group_seed
from mediaframes.lexicon import DIFFERENCE_COLUMNS, RATE_COLUMNS, Lexicon, group_differences, lexicon_rates

LEX = Lexicon({"names": ["militant*", "rebels"], "economy": ["gas"]},
              why={"names": "Names.", "economy": "Resources."})
B = 300


def synthetic_dfm():
    """Nine synthetic articles.

    group A: 4 articles, 3 sources, 4,000 words; names 2 + 1 = 3, gas 1 + 3 = 4
    group B: 2 articles of one wire source s4 (two outlets), 1,500 words; names 2 + 1 = 3
    group C: 2 identical articles of one source, 800 words; names 2 + 2 = 4
    one article without a group (left out)
    """
    terms = ["gas", "militants", "rebels", "terrorism"]
    rows = [  # group, source, outlet, n_words, counts of terms
        ("A", "s1", "o1", 500, [0, 2, 0, 0]),
        ("A", "s1", "o1", 1000, [1, 0, 1, 0]),
        ("A", "s2", "o2", 1500, [3, 0, 0, 0]),
        ("A", "s3", "o3", 1000, [0, 0, 0, 2]),
        ("B", "s4", "o4", 1000, [0, 2, 0, 5]),
        ("B", "s4", "o5", 500, [0, 0, 1, 0]),
        ("C", "s5", "o6", 400, [0, 2, 0, 0]),
        ("C", "s5", "o6", 400, [0, 2, 0, 0]),
        (None, "s6", "o7", 100, [0, 9, 0, 0]),
    ]
    docvars = pd.DataFrame({"doc_id": [f"d{i}" for i in range(1, len(rows) + 1)],
                            "group": [r[0] for r in rows], "source": [r[1] for r in rows],
                            "outlet": [r[2] for r in rows], "n_words": [r[3] for r in rows]})
    return DocumentFeatureMatrix(np.array([r[4] for r in rows]), terms, docvars)


def row(table, **where):
    mask = np.ones(len(table), dtype=bool)
    for k, v in where.items():
        mask &= (table[k] == v).to_numpy()
    assert mask.sum() == 1, where
    return table[mask].iloc[0]


def test_columns_and_order():
    rates = lexicon_rates(synthetic_dfm(), LEX, n_boot=B)
    assert tuple(rates.columns) == RATE_COLUMNS
    # groups sorted (the article without a group is left out), categories in lexicon order
    assert list(zip(rates.group, rates.category)) == [
        ("A", "names"), ("A", "economy"), ("B", "names"), ("B", "economy"), ("C", "names"), ("C", "economy")]


def test_rates_per_1000_words_and_shares_by_hand():
    rates = lexicon_rates(synthetic_dfm(), LEX, n_boot=B)
    a = row(rates, group="A", category="names")
    # (2 + 1) matches / (500 + 1000 + 1500 + 1000) words * 1000 = 3 / 4000 * 1000 = 0.75
    assert a["rate"] == pytest.approx(0.75)
    assert (a["count"], a["n_words"]) == (3, 4000)
    # d1 and d2 use a name: 2 of 4 articles
    assert (a["n_using"], a["share"]) == (2, 0.5)
    assert (a["n_articles"], a["n_outlets"], a["n_sources"]) == (4, 3, 3)
    # economy: (1 + 3) / 4000 * 1000 = 1.0; used by d2 and d3
    e = row(rates, group="A", category="economy")
    assert (e["rate"], e["share"]) == (pytest.approx(1.0), 0.5)
    # group B: 3 matches in 1,500 words = 2.0 per 1,000; both articles use a name; two outlets, one wire
    b = row(rates, group="B", category="names")
    assert (b["rate"], b["share"], b["n_outlets"], b["n_sources"]) == (pytest.approx(2.0), 1.0, 2, 1)


def test_interval_is_the_cluster_bootstrap_of_the_group_with_its_own_seed():
    dfm = synthetic_dfm()
    rates = lexicon_rates(dfm, LEX, n_boot=B, seed=7)
    a = row(rates, group="A", category="names")
    # non-degenerate: the interval is wide and contains the point estimate
    assert a["rate_ci_low"] < a["rate"] < a["rate_ci_high"]
    assert a["share_ci_low"] < a["share"] < a["share_ci_high"]
    # and it is mediaframes.bootstrap's two-stage cluster bootstrap of sum(count) / sum(n_words)
    names = np.array([2, 1, 0, 0])
    reps = bootstrap_ratio(names, np.array([500, 1000, 1500, 1000]), ["s1", "s1", "s2", "s3"],
                           n_boot=B, seed=group_seed(7, "A"))
    low, high = percentile_interval(reps * 1000)
    assert (a["rate_ci_low"], a["rate_ci_high"]) == (pytest.approx(low), pytest.approx(high))


def test_same_seed_same_table_and_another_seed_another_interval():
    dfm = synthetic_dfm()
    first = lexicon_rates(dfm, LEX, n_boot=B, seed=3)
    pd.testing.assert_frame_equal(first, lexicon_rates(dfm, LEX, n_boot=B, seed=3))
    other = lexicon_rates(dfm, LEX, n_boot=B, seed=4)
    assert row(first, group="A", category="names")["rate_ci_high"] != row(other, group="A", category="names")["rate_ci_high"]


def test_a_groups_interval_does_not_depend_on_the_other_groups():
    dfm = synthetic_dfm()
    full = lexicon_rates(dfm, LEX, n_boot=B)
    alone = lexicon_rates(dfm.select(dfm.docvars["group"] == "A"), LEX, n_boot=B)
    pd.testing.assert_frame_equal(alone, full[full.group == "A"].reset_index(drop=True))


def test_one_cluster_of_identical_articles_gives_an_interval_equal_to_the_estimate():
    rates = lexicon_rates(synthetic_dfm(), LEX, n_boot=B)
    c = row(rates, group="C", category="names")
    # every replicate draws copies of the same article: 2 / 400 * 1000 = 5.0 each time
    assert c["rate"] == pytest.approx(5.0)
    assert (c["rate_ci_low"], c["rate_ci_high"]) == (pytest.approx(5.0), pytest.approx(5.0))
    assert (c["share"], c["share_ci_low"], c["share_ci_high"]) == (1.0, 1.0, 1.0)
    z = row(rates, group="C", category="economy")
    assert (z["rate"], z["rate_ci_low"], z["rate_ci_high"], z["share_ci_high"]) == (0, 0, 0, 0)


def test_rates_per_outlet():
    rates = lexicon_rates(synthetic_dfm(), LEX, by="outlet", n_boot=B)
    assert sorted(set(rates.group)) == ["o1", "o2", "o3", "o4", "o5", "o6", "o7"]
    o1 = row(rates, group="o1", category="names")
    # d1 + d2: 3 matches in 1,500 words = 2.0
    assert (o1["rate"], o1["n_articles"], o1["n_outlets"]) == (pytest.approx(2.0), 2, 1)
    assert row(rates, group="o1", category="economy")["rate"] == pytest.approx(1 / 1500 * 1000)


def test_differences_are_a_minus_b_with_intervals_from_the_rates_replicates():
    dfm = synthetic_dfm()
    diffs = group_differences(dfm, LEX, pairs=[("B", "A"), ("C", "A")], n_boot=B, seed=5)
    assert tuple(diffs.columns) == DIFFERENCE_COLUMNS
    assert list(diffs.measure[:4]) == ["rate", "share", "rate", "share"]
    ba = row(diffs, group_a="B", group_b="A", category="names", measure="rate")
    # 2.0 - 0.75 = 1.25: positive because B uses names more than A
    assert (ba["estimate_a"], ba["estimate_b"], ba["diff"]) == (pytest.approx(2.0), pytest.approx(0.75),
                                                                pytest.approx(1.25))
    # shares: economy 0 - 0.5 = -0.5
    assert row(diffs, group_a="B", group_b="A", category="economy", measure="share")["diff"] == pytest.approx(-0.5)
    # C is constant (5.0 in every replicate), so the difference's interval is 5 minus A's interval reversed
    rates = lexicon_rates(dfm, LEX, n_boot=B, seed=5)
    a = row(rates, group="A", category="names")
    ca = row(diffs, group_a="C", group_b="A", category="names", measure="rate")
    assert ca["diff"] == pytest.approx(5.0 - 0.75)
    assert (ca["ci_low"], ca["ci_high"]) == (pytest.approx(5.0 - a["rate_ci_high"]),
                                             pytest.approx(5.0 - a["rate_ci_low"]))


def test_default_pairs_are_every_pair_in_sorted_order_and_unknown_groups_are_refused():
    diffs = group_differences(synthetic_dfm(), LEX, n_boot=50)
    assert list(dict.fromkeys(zip(diffs.group_a, diffs.group_b))) == [("A", "B"), ("A", "C"), ("B", "C")]
    with pytest.raises(ValueError, match="no group 'PK'"):
        group_differences(synthetic_dfm(), LEX, pairs=[("PK", "A")], n_boot=50)


def test_missing_docvars_are_reported_with_a_fix():
    dfm = synthetic_dfm()
    dfm.docvars = dfm.docvars.drop(columns="n_words")
    with pytest.raises(ValueError, match="'n_words'.*try"):
        lexicon_rates(dfm, LEX, n_boot=10)
