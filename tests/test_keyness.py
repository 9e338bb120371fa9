"""Keyness: Fightin' Words, chi2 (Yates) and G2 (Williams) against values computed by hand.

The main fixture is a synthetic 2 x 3 count table (two groups, three terms) spread over four documents:

    term     A    B   pooled
    x       10    2     12
    y        2    6      8
    z        8   22     30
    total   20   30     50      (n_a = 20, n_b = 30, N = 50)

For each term the 2 x 2 table is a = y_A, b = y_B, c = n_a - a, d = n_b - b.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.stats import chi2 as chi2_dist
from scipy.stats import chi2_contingency

from mediaframes.dfm import DocumentFeatureMatrix
from mediaframes.keyness import (KEYNESS_COLUMNS, chi_square, fightin_words, keyness, likelihood_ratio,
                                 williams_q, yates_applies)

TERMS = ["x", "y", "z"]
Y_A = np.array([10, 2, 8])
Y_B = np.array([2, 6, 22])
N_A, N_B = 20, 30


def make_dfm(rows, groups, terms=TERMS, **extra) -> DocumentFeatureMatrix:
    docvars = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(rows))], "group": groups, **extra})
    return DocumentFeatureMatrix(sparse.csr_matrix(np.array(rows)), terms, docvars)


@pytest.fixture
def two_groups() -> DocumentFeatureMatrix:
    # A: [6,1,3] + [4,1,5] = [10,2,8];  B: [2,0,10] + [0,6,12] = [2,6,22]
    return make_dfm([[6, 1, 3], [2, 0, 10], [4, 1, 5], [0, 6, 12]], ["A", "B", "A", "B"])


def by_term(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("term").loc[TERMS]


# -- Fightin' Words ------------------------------------------------------------------------------
def test_log_odds_with_informative_prior(two_groups):
    # alpha_0 = 5, prior shares from the pooled corpus: alpha_w = 5 * (12, 8, 30) / 50 = (1.2, 0.8, 3.0)
    # x: log((10 + 1.2) / (20 + 5 - 10 - 1.2)) - log((2 + 1.2) / (30 + 5 - 2 - 1.2))
    #    = log(11.2 / 13.8) - log(3.2 / 31.8) = -0.208755 - (-2.296315) = 2.087561
    # y: log(2.8 / 22.2) - log(6.8 / 28.2) = -2.070473 - (-1.422399) = -0.648074
    # z: log(11 / 14) - log(25 / 10) = -0.241162 - 0.916291 = -1.157453
    t = by_term(keyness(two_groups, a="A", b="B", alpha_0=5))
    assert t["log_odds"].to_numpy() == pytest.approx([2.087561, -0.648074, -1.157453], abs=1e-6)
    assert t["log_odds"]["x"] == pytest.approx(math.log(11.2 / 13.8) - math.log(3.2 / 31.8), rel=1e-12)


def test_z_two_term_variance(two_groups):
    # var_2term = 1/(y_a + alpha_w) + 1/(y_b + alpha_w)
    # x: 1/11.2 + 1/3.2 = 0.089286 + 0.3125 = 0.401786;   z = 2.087561 / sqrt(0.401786) = 3.293380
    # y: 1/2.8 + 1/6.8 = 0.357143 + 0.147059 = 0.504202;  z = -0.648074 / 0.710072 = -0.912688
    # z: 1/11 + 1/25 = 0.090909 + 0.04 = 0.130909;        z = -1.157453 / 0.361814 = -3.199031
    t = by_term(keyness(two_groups, a="A", b="B", alpha_0=5, variance="2term"))
    assert t["z"].to_numpy() == pytest.approx([3.293380, -0.912688, -3.199031], abs=1e-6)


def test_z_four_term_variance(two_groups):
    # var_4term = var_2term + 1/(n_a + alpha_0 - y_a - alpha_w) + 1/(n_b + alpha_0 - y_b - alpha_w)
    # x: 0.401786 + 1/13.8 + 1/31.8 = 0.401786 + 0.072464 + 0.031447 = 0.505696; z = 2.087561/0.711123 = 2.935583
    # y: 0.504202 + 1/22.2 + 1/28.2 = 0.504202 + 0.045045 + 0.035461 = 0.584708; z = -0.847530
    # z: 0.130909 + 1/14 + 1/10  = 0.130909 + 0.071429 + 0.1 = 0.302338;        z = -2.105025
    t = by_term(keyness(two_groups, a="A", b="B", alpha_0=5, variance="4term"))
    assert t["z"].to_numpy() == pytest.approx([2.935583, -0.847530, -2.105025], abs=1e-6)
    # the 4-term variance is larger, so |z| is smaller than with the 2-term form
    t2 = by_term(keyness(two_groups, a="A", b="B", alpha_0=5, variance="2term"))
    assert (t["z"].abs() < t2["z"].abs()).all()


def test_default_alpha_0_is_the_background_size(two_groups):
    # alpha_0 = n = 50, so alpha_w = (12, 8, 30), the pooled counts themselves
    # x: log((10 + 12) / (20 + 50 - 10 - 12)) - log((2 + 12) / (30 + 50 - 2 - 12)) = log(22/48) - log(14/66)
    t = by_term(keyness(two_groups, a="A", b="B"))
    assert t["log_odds"]["x"] == pytest.approx(math.log(22 / 48) - math.log(14 / 66), rel=1e-12)
    assert t["log_odds"]["x"] == pytest.approx(0.770439, abs=1e-6)


def test_background_sets_the_prior_shares(two_groups):
    # background counts x=1, y=1, z=2 (n = 4), alpha_0 = 4 -> alpha_w = (1, 1, 2)
    # x: log((10 + 1) / (20 + 4 - 10 - 1)) - log((2 + 1) / (30 + 4 - 2 - 1)) = log(11/13) - log(3/31)
    background = pd.Series({"x": 1, "y": 1, "z": 2})
    t = by_term(keyness(two_groups, a="A", b="B", background=background, alpha_0=4))
    assert t["log_odds"]["x"] == pytest.approx(math.log(11 / 13) - math.log(3 / 31), rel=1e-12)
    # a background DFM gives the same prior
    bg = make_dfm([[1, 0, 2], [0, 1, 0]], ["A", "B"])
    t2 = by_term(keyness(two_groups, a="A", b="B", background=bg, alpha_0=4))
    assert t2["log_odds"].to_numpy() == pytest.approx(t["log_odds"].to_numpy(), rel=1e-12)


def test_term_missing_from_background_is_an_error(two_groups):
    with pytest.raises(ValueError, match="do not occur in the background"):
        keyness(two_groups, a="A", b="B", background=pd.Series({"x": 3, "y": 1}))


def test_fightin_words_array_function_matches_table():
    log_odds, z = fightin_words(Y_A, Y_B, N_A, N_B, alpha_w=[1.2, 0.8, 3.0], alpha_0=5, variance="2term")
    assert z == pytest.approx([3.293380, -0.912688, -3.199031], abs=1e-6)
    assert log_odds == pytest.approx([2.087561, -0.648074, -1.157453], abs=1e-6)


# -- chi-square with Yates' correction -------------------------------------------------------------
def test_yates_rule_follows_quanteda():
    # x: a=10 b=2 c=10 d=28; expected a = 12*20/50 = 4.8 < 5 and |ad - bc| = |280 - 20| = 260 >= N/2 = 25 -> yes
    # y: a=2 b=6 c=18 d=24; expected a = 8*20/50 = 3.2 < 5 and |48 - 108| = 60 >= 25 -> yes
    # z: a=8 b=22 c=12 d=8; expected 30*20/50 = 12, 30*30/50 = 18, 20*20/50 = 8, 20*30/50 = 12, all >= 5 -> no
    a, b = Y_A, Y_B
    assert yates_applies(a, b, N_A - a, N_B - b).tolist() == [True, True, False]


def test_chi2_yates_by_hand(two_groups):
    # chi2 = N (|ad - bc| - N/2 if Yates applies)^2 / ((a+b)(c+d)(a+c)(b+d)), signed by ad > bc
    # x: 50 * (260 - 25)^2 / (12 * 38 * 20 * 30) = 50 * 55225 / 273600 = 10.092288   (ad > bc: +)
    # y: 50 * (60 - 25)^2  / (8 * 42 * 20 * 30)  = 50 * 1225 / 201600  = 0.303819   (ad < bc: -)
    # z: 50 * 200^2        / (30 * 20 * 20 * 30) = 2000000 / 360000    = 5.555556   (no Yates; -)
    t = by_term(keyness(two_groups, a="A", b="B"))
    assert t["chi2"].to_numpy() == pytest.approx([2761250 / 273600, -61250 / 201600, -2000000 / 360000], rel=1e-12)
    assert t["chi2"].to_numpy() == pytest.approx([10.092288, -0.303819, -5.555556], abs=1e-6)


def test_chi2_equals_scipy_where_yates_applies_and_pearson_where_not(two_groups):
    t = by_term(keyness(two_groups, a="A", b="B"))
    for i, term in enumerate(TERMS):
        table = [[Y_A[i], Y_B[i]], [N_A - Y_A[i], N_B - Y_B[i]]]
        yates = i < 2  # x and y, see test_yates_rule_follows_quanteda
        expected = chi2_contingency(table, correction=yates)[0]
        assert abs(t["chi2"][term]) == pytest.approx(expected, rel=1e-12)
    # scipy corrects z too (it always does for 2 x 2); quanteda's rule does not, so they differ there
    assert abs(t["chi2"]["z"]) != pytest.approx(chi2_contingency([[8, 22], [12, 8]], correction=True)[0])


def test_chi2_corrections_none_and_williams(two_groups):
    none = by_term(keyness(two_groups, a="A", b="B", correction="none"))
    will = by_term(keyness(two_groups, a="A", b="B", correction="williams"))
    for i, term in enumerate(TERMS):
        pearson = chi2_contingency([[Y_A[i], Y_B[i]], [N_A - Y_A[i], N_B - Y_B[i]]], correction=False)[0]
        assert abs(none["chi2"][term]) == pytest.approx(pearson, rel=1e-12)
    # x: Pearson 12.353801 / q 1.047315 (q from test_g2_with_williams_correction) = 11.795690
    assert will["chi2"]["x"] == pytest.approx(12.353801 / 1.047315, abs=1e-5)


def test_p_is_the_p_value_of_chi2(two_groups):
    t = by_term(keyness(two_groups, a="A", b="B"))
    # x: P(chi2_1 > 10.092288) = 0.001489
    assert t["p"]["x"] == pytest.approx(chi2_dist.sf(10.092288, 1), rel=1e-6)
    assert t["p"]["x"] == pytest.approx(0.001489, abs=1e-6)
    assert t["p"].to_numpy() == pytest.approx(chi2_dist.sf(t["chi2"].abs().to_numpy(), 1), rel=1e-12)


# -- G2 with Williams' correction ------------------------------------------------------------------
def test_g2_before_correction_equals_scipy_log_likelihood(two_groups):
    # x: expected cells 12*20/50 = 4.8, 12*30/50 = 7.2, 38*20/50 = 15.2, 38*30/50 = 22.8
    # G2 = 2 (10 ln(10/4.8) + 2 ln(2/7.2) + 10 ln(10/15.2) + 28 ln(28/22.8))
    #    = 2 (7.339692 - 2.561868 - 4.187103 + 5.752431) = 2 * 6.343152 = 12.686304
    g2_x = 2 * (10 * math.log(10 / 4.8) + 2 * math.log(2 / 7.2) + 10 * math.log(10 / 15.2) + 28 * math.log(28 / 22.8))
    t = by_term(keyness(two_groups, a="A", b="B", correction="none"))
    assert t["g2"]["x"] == pytest.approx(g2_x, rel=1e-12)
    assert t["g2"]["x"] == pytest.approx(12.686304, abs=1e-6)
    for i, term in enumerate(TERMS):
        table = [[Y_A[i], Y_B[i]], [N_A - Y_A[i], N_B - Y_B[i]]]
        expected = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
        assert abs(t["g2"][term]) == pytest.approx(expected, rel=1e-12)


def test_g2_with_williams_correction(two_groups):
    # q = 1 + (N/(a+b) + N/(c+d) - 1)(N/(a+c) + N/(b+d) - 1) / (6N)
    # x: (50/12 + 50/38 - 1) = 4.166667 + 1.315789 - 1 = 4.482456
    #    (50/20 + 50/30 - 1) = 2.5 + 1.666667 - 1 = 3.166667
    #    q = 1 + 4.482456 * 3.166667 / 300 = 1 + 14.194444 / 300 = 1.047315
    # G2_williams(x) = 12.686304 / 1.047315 = 12.113172
    # y: q = 1 + (50/8 + 50/42 - 1)(2.5 + 50/30 - 1)/300 = 1 + 6.440476 * 3.166667 / 300 = 1.067983
    # z: q = 1 + (50/30 + 50/20 - 1)(2.5 + 50/30 - 1)/300 = 1 + 3.166667 * 3.166667 / 300 = 1.033426
    q = williams_q(Y_A, Y_B, N_A - Y_A, N_B - Y_B)
    assert q == pytest.approx([1.047315, 1.067983, 1.033426], abs=1e-6)
    assert q[0] == pytest.approx(1 + (50 / 12 + 50 / 38 - 1) * (50 / 20 + 50 / 30 - 1) / 300, rel=1e-12)
    raw = by_term(keyness(two_groups, a="A", b="B", correction="none"))["g2"]
    t = by_term(keyness(two_groups, a="A", b="B"))
    assert t["g2"].to_numpy() == pytest.approx(raw.to_numpy() / q, rel=1e-12)
    assert t["g2"]["x"] == pytest.approx(12.113172, abs=1e-6)


def test_g2_yates_option_moves_cells_half_a_count():
    # quanteda's computation for correction="yates": x has ad > bc and Yates applies, so
    # a, b, c, d = 10 - 0.5, 2 + 0.5, 10 + 0.5, 28 - 0.5 (margins unchanged)
    shifted = chi2_contingency([[9.5, 2.5], [10.5, 27.5]], correction=False, lambda_="log-likelihood")[0]
    g2 = likelihood_ratio(Y_A, Y_B, N_A, N_B, correction="yates")
    assert g2[0] == pytest.approx(shifted, rel=1e-12)
    # z: Yates does not apply, so it is the plain G2
    assert g2[2] == pytest.approx(-chi2_contingency([[8, 22], [12, 8]], correction=False,
                                                    lambda_="log-likelihood")[0], rel=1e-12)


def test_zero_cell_contributes_nothing_and_skips_williams():
    # a term only group A uses: a=4, b=0, c=16, d=30 (N = 50); expected 4*20/50 = 1.6, 4*30/50 = 2.4, 18.4, 27.6
    # G2 = 2 (4 ln(4/1.6) + 0 + 16 ln(16/18.4) + 30 ln(30/27.6)) = 2 (3.665163 - 2.236191 + 2.501448) = 2 * 3.930420 = 7.860840
    # a cell is 0, so q = 1 (no Williams correction, as in quanteda)
    g2 = likelihood_ratio([4], [0], 20, 30)
    expected = 2 * (4 * math.log(4 / 1.6) + 16 * math.log(16 / 18.4) + 30 * math.log(30 / 27.6))
    assert g2[0] == pytest.approx(expected, rel=1e-12)
    assert g2[0] == pytest.approx(7.860840, abs=1e-6)
    assert williams_q([4], [0], [16], [30])[0] == 1.0


# -- signs, labels, pairs ----------------------------------------------------------------------------
def test_sign_convention_positive_for_group_a(two_groups):
    ab = by_term(keyness(two_groups, a="A", b="B", alpha_0=5))
    ba = by_term(keyness(two_groups, a="B", b="A", alpha_0=5))
    # x: 10/20 in A versus 2/30 in B -> favoured by A, every statistic positive
    assert (ab.loc["x", ["log_odds", "z", "chi2", "g2"]] > 0).all()
    assert (ab.loc["z", ["log_odds", "z", "chi2", "g2"]] < 0).all()
    for col in ("log_odds", "z", "chi2", "g2"):
        assert ba[col].to_numpy() == pytest.approx(-ab[col].to_numpy(), rel=1e-12)
    assert ba["count_a"].tolist() == ab["count_b"].tolist() == [2, 6, 22]
    assert ab["p"].to_numpy() == pytest.approx(ba["p"].to_numpy(), rel=1e-12)


def test_columns_counts_and_order(two_groups):
    t = keyness(two_groups, a="A", b="B", alpha_0=5)
    assert tuple(t.columns) == KEYNESS_COLUMNS
    # sorted by z descending: x (2.94), y (-0.85), z (-2.11)
    assert t["term"].tolist() == ["x", "y", "z"]
    assert t["count_a"].tolist() == [10, 2, 8] and t["count_b"].tolist() == [2, 6, 22]
    assert t["count_a"].dtype == np.int64
    assert set(t["group_a"]) == {"A"} and set(t["group_b"]) == {"B"}


def test_ties_in_z_are_broken_by_term():
    # "b" and "a" have identical counts, hence identical z (both favour B): alphabetical order decides;
    # "c" favours A and comes first
    dfm = make_dfm([[1, 1, 5], [3, 3, 1]], ["A", "B"], terms=["b", "a", "c"])
    t = keyness(dfm, a="A", b="B")
    assert t["z"].iloc[1] == t["z"].iloc[2]
    assert t["term"].tolist() == ["c", "a", "b"]
    assert keyness(dfm, a="A", b="B", sort=False)["term"].tolist() == ["a", "b", "c"]  # by term


def test_two_groups_need_no_arguments(two_groups):
    pd.testing.assert_frame_equal(keyness(two_groups), keyness(two_groups, a="A", b="B"))


@pytest.fixture
def three_groups() -> DocumentFeatureMatrix:
    # A = [10, 2, 8], B = [2, 6, 22], C = [1, 1, 3]; one document without a group
    return make_dfm([[6, 1, 3], [2, 0, 10], [4, 1, 5], [0, 6, 12], [1, 1, 3], [5, 5, 5]],
                    ["A", "B", "A", "B", "C", None])


def test_one_versus_rest_label_and_counts(three_groups):
    t = by_term(keyness(three_groups, a="A"))
    assert set(t["group_b"]) == {"not A"}
    # rest = B + C = [2 + 1, 6 + 1, 22 + 3]; the document without a group is in neither
    assert t["count_b"].tolist() == [3, 7, 25]
    assert keyness(three_groups, a="A", b="rest").equals(keyness(three_groups, a="A"))
    # same numbers as relabelling B and C as one group (the prior comes from all documents in both cases)
    merged = make_dfm(three_groups.counts.toarray(), ["A", "R", "A", "R", "R", None])
    m = by_term(keyness(merged, a="A", b="R"))
    for col in ("count_b", "log_odds", "z", "chi2", "g2", "p"):
        assert t[col].to_numpy() == pytest.approx(m[col].to_numpy(), rel=1e-12)


def test_rest_is_within_groups_and_prior_uses_every_document(three_groups):
    # with groups=["A", "B"], the rest of A is B alone
    assert by_term(keyness(three_groups, a="A", groups=["A", "B"]))["count_b"].tolist() == [2, 6, 22]
    # the default prior pools all six documents, the unlabelled one too:
    # x = 10 + 2 + 1 + 5 = 18, y = 2 + 6 + 1 + 5 = 14, z = 8 + 22 + 3 + 5 = 38, n = alpha_0 = 70
    # x: log((10 + 18) / (20 + 70 - 10 - 18)) - log((2 + 18) / (30 + 70 - 2 - 18)) = log(28/62) - log(20/80)
    t = by_term(keyness(three_groups, a="A", b="B"))
    assert t["log_odds"]["x"] == pytest.approx(np.log(28 / 62) - np.log(20 / 80), rel=1e-12)


def test_pairs_rest_gives_one_comparison_per_group(three_groups):
    t = keyness(three_groups, pairs="rest")
    pairs = t[["group_a", "group_b"]].drop_duplicates().to_records(index=False).tolist()
    assert pairs == [("A", "not A"), ("B", "not B"), ("C", "not C")]


def test_all_pairs_count_and_order():
    # k = 4 groups -> k (k - 1) / 2 = 6 comparisons, group_a before group_b in label order
    dfm = make_dfm([[3, 1, 2], [1, 4, 1], [2, 2, 5], [1, 1, 1]], ["PK", "IN", "INTL", "BAL"])
    t = keyness(dfm, pairs="all")
    pairs = t[["group_a", "group_b"]].drop_duplicates().to_records(index=False).tolist()
    assert pairs == [("BAL", "IN"), ("BAL", "INTL"), ("BAL", "PK"), ("IN", "INTL"), ("IN", "PK"), ("INTL", "PK")]
    assert len(t) == 6 * 3
    # groups= restricts and orders the comparisons: 3 groups -> 3 pairs
    t3 = keyness(dfm, pairs="all", groups=["PK", "IN", "INTL"])
    assert t3[["group_a", "group_b"]].drop_duplicates().to_records(index=False).tolist() == [
        ("PK", "IN"), ("PK", "INTL"), ("IN", "INTL")]


def test_min_count_drops_rare_terms_but_keeps_totals(three_groups):
    # comparing B with C: x has 2 + 1 = 3, y has 6 + 1 = 7, z has 22 + 3 = 25
    t = keyness(three_groups, a="B", b="C", min_count=4)
    assert sorted(t["term"]) == ["y", "z"]
    full = by_term(keyness(three_groups, a="B", b="C"))
    assert t.set_index("term")["chi2"]["y"] == full["chi2"]["y"]


def test_terms_absent_from_both_groups_are_not_reported():
    # y is used only by C: it has no row in the A-B comparison (x favours A, z favours B)
    dfm = make_dfm([[1, 0, 2], [0, 0, 3], [0, 4, 0]], ["A", "B", "C"])
    assert keyness(dfm, a="A", b="B")["term"].tolist() == ["x", "z"]


# -- determinism ---------------------------------------------------------------------------------
def test_deterministic_under_document_and_term_order(three_groups):
    first = keyness(three_groups, pairs="all")
    assert first.equals(keyness(three_groups, pairs="all"))
    rng = np.random.default_rng(7)
    docs = rng.permutation(len(three_groups))
    cols = np.array([2, 0, 1])
    shuffled = three_groups.select(docs).select_terms(cols)
    pd.testing.assert_frame_equal(keyness(shuffled, pairs="all"), first, check_exact=False, rtol=1e-12)


# -- input errors --------------------------------------------------------------------------------
def test_empty_matrix_is_an_error():
    empty = make_dfm(np.zeros((2, 3), dtype=int), ["A", "B"])
    with pytest.raises(ValueError, match="empty"):
        keyness(empty, a="A", b="B")


def test_unknown_docvar_and_group(two_groups):
    with pytest.raises(ValueError, match="not a docvar.*Try by='group'"):
        keyness(two_groups, by="country_group")
    with pytest.raises(ValueError, match=r"no documents have group \['PK'\].*\['A', 'B'\]"):
        keyness(two_groups, a="PK", b="B")
    with pytest.raises(ValueError, match="no documents have group"):
        keyness(two_groups, pairs="all", groups=["A", "Z"])
    with pytest.raises(ValueError, match=r"\['B'\] not in groups=\['A'\]"):
        keyness(two_groups, a="A", b="B", groups=["A"])


def test_group_without_words_is_an_error():
    dfm = make_dfm([[1, 2, 0], [0, 0, 0], [3, 0, 1]], ["A", "B", "C"])
    with pytest.raises(ValueError, match=r"\['B'\] have no words"):
        keyness(dfm, a="A", b="B")


def test_ambiguous_or_invalid_requests(two_groups, three_groups):
    with pytest.raises(ValueError, match="say which comparison"):
        keyness(three_groups)
    with pytest.raises(ValueError, match="either a"):
        keyness(three_groups, a="A", pairs="all")
    with pytest.raises(ValueError, match="without a"):
        keyness(three_groups, b="A")
    with pytest.raises(ValueError, match="both 'A'"):
        keyness(two_groups, a="A", b="A")
    with pytest.raises(ValueError, match="pairs='every'"):
        keyness(three_groups, pairs="every")
    with pytest.raises(ValueError, match="variance='3term'"):
        keyness(two_groups, variance="3term")
    with pytest.raises(ValueError, match="correction='yates_williams'"):
        keyness(two_groups, correction="yates_williams")
    with pytest.raises(ValueError, match="min_count"):
        keyness(two_groups, min_count=0)
    with pytest.raises(ValueError, match="alpha_0"):
        keyness(two_groups, alpha_0=0)
    only_a = make_dfm([[1, 2, 3], [1, 0, 0]], ["A", "A"])
    with pytest.raises(ValueError, match="no rest"):
        keyness(only_a, a="A")
    with pytest.raises(ValueError, match="at least two groups"):
        keyness(only_a, pairs="all")


def test_statistics_functions_check_choices():
    with pytest.raises(ValueError, match="correction"):
        chi_square(Y_A, Y_B, N_A, N_B, correction="Yates")
    with pytest.raises(ValueError, match="variance"):
        fightin_words(Y_A, Y_B, N_A, N_B, [1, 1, 1], 3, variance="exact")
