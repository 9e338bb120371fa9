"""Agreement statistics against values computed by hand and against published worked examples.

All codings here are synthetic (written for these tests); the Krippendorff example is the public worked
example of numbers in Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from mediaframes.reliability import (AGREEMENT_COLUMNS, agreement_table, coincidence_matrix, cohens_kappa, jaccard,
                                     krippendorff_alpha, mean_jaccard, percent_agreement)

nan = np.nan

# Krippendorff (2011), section C: 4 observers x 12 units, nominal values 1-5, "." = missing.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],   # observer A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],       # observer B
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],     # observer C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],       # observer D
]


# -- Cohen's kappa ------------------------------------------------------------------------------------
def test_kappa_textbook_two_by_two():
    # 50 units rated yes/no by two raters:      B yes  B no
    #                                     A yes   20     5     (A yes: 25)
    #                                     A no    10    15     (A no: 25)
    # p_o = (20 + 15) / 50 = 0.70
    # p_e = P(A yes) P(B yes) + P(A no) P(B no) = 0.5 * 0.6 + 0.5 * 0.4 = 0.30 + 0.20 = 0.50
    # kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohens_kappa(a, b) == pytest.approx(0.40, abs=1e-12)
    assert cohens_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    assert percent_agreement(a, b) == pytest.approx(0.70, abs=1e-12)


def test_kappa_drops_missing_units_pairwise():
    # units 3 and 5 are missing in one coding; the rest: (x,x) (x,y) (y,y) -> p_o = 2/3
    # p_e = P_a(x) P_b(x) + P_a(y) P_b(y) = (2/3)(1/3) + (1/3)(2/3) = 4/9; kappa = (2/3 - 4/9) / (5/9) = 0.4
    a = ["x", "x", None, "y", "x"]
    b = ["x", "y", "y", "y", nan]
    assert cohens_kappa(a, b) == pytest.approx(0.4, abs=1e-12)
    assert percent_agreement(a, b) == pytest.approx(2 / 3, abs=1e-12)


def test_kappa_undefined_when_chance_agreement_is_one():
    assert np.isnan(cohens_kappa(["a", "a", "a"], ["a", "a", "a"]))
    assert np.isnan(cohens_kappa([None], ["a"]))


# -- Krippendorff's alpha -------------------------------------------------------------------------------
def test_krippendorff_2011_nominal_worked_example():
    # Unit 12 has one value only (not pairable). Coincidence matrix (Krippendorff 2011, section C):
    # diagonal o_11 = 7, o_22 = 10, o_33 = 8, o_44 = 4, o_55 = 3; n_c = 9, 13, 10, 5, 3; n = 40
    # alpha = 1 - (n - 1) * (n - sum_c o_cc) / (n^2 - sum_c n_c^2)
    #       = 1 - 39 * (40 - 32) / (1600 - (81 + 169 + 100 + 25 + 9)) = 1 - 312 / 1216 = 0.743421
    values, o = coincidence_matrix(KRIPPENDORFF_2011)
    assert values.tolist() == [1, 2, 3, 4, 5]
    assert np.diag(o).tolist() == pytest.approx([7, 10, 8, 4, 3])
    assert o.sum(axis=1).tolist() == pytest.approx([9, 13, 10, 5, 3])
    # unit 6 holds values 1, 2, 3, 4 (m_u = 4): each ordered pair of different values adds 1/3
    assert o[0, 3] == pytest.approx(1 / 3) and o[1, 2] == pytest.approx(4 / 3)
    alpha = krippendorff_alpha(KRIPPENDORFF_2011)
    assert alpha == pytest.approx(1 - 312 / 1216, abs=1e-12)
    assert round(alpha, 3) == 0.743


def test_krippendorff_2011_interval_worked_example():
    # same data, interval metric (c - k)^2: the paper reports alpha_interval = 0.849
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level="interval"), 3) == 0.849


def test_alpha_two_coders_by_hand_and_none_as_missing():
    # a = 1 1 2 2 1, b = 1 2 2 2 1: pairs (1,1) (1,2) (2,2) (2,2) (1,1)
    # o_11 = 2 + 2 = 4, o_12 = o_21 = 1, o_22 = 2 + 2 = 4; n_1 = n_2 = 5, n = 10
    # alpha = 1 - 9 * 2 / (100 - 25 - 25) = 1 - 18 / 50 = 0.64
    assert krippendorff_alpha([[1, 1, 2, 2, 1], [1, 2, 2, 2, 1]]) == pytest.approx(0.64, abs=1e-12)
    # a sixth unit coded by one coder only changes nothing, whether missing is None or NaN
    assert krippendorff_alpha([[1, 1, 2, 2, 1, 2], [1, 2, 2, 2, 1, None]]) == pytest.approx(0.64, abs=1e-12)
    assert krippendorff_alpha([["a", "a", "b", "b", "a", nan], ["a", "b", "b", "b", "a", nan]]) == \
        pytest.approx(0.64, abs=1e-12)


def test_perfect_agreement_is_one():
    data = [["sec", "hr", "sec", "econ"], ["sec", "hr", "sec", "econ"], [None, "hr", "sec", None]]
    assert krippendorff_alpha(data) == 1.0
    assert cohens_kappa(data[0], data[1]) == 1.0
    assert percent_agreement(data[0], data[1]) == 1.0


def test_alpha_undefined_edge_cases():
    # one category only: no variation, D_e = 0 -> NaN
    assert np.isnan(krippendorff_alpha([["a", "a", "a"], ["a", "a", None]]))
    # no unit with two values -> NaN
    assert np.isnan(krippendorff_alpha([["a", None], [None, "b"]]))


def test_alpha_input_errors():
    with pytest.raises(ValueError, match="level='ordinal'"):
        krippendorff_alpha([[1, 2], [1, 2]], level="ordinal")
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["a", "b"]], level="interval")
    with pytest.raises(ValueError, match="2-dimensional"):
        krippendorff_alpha([1, 2, 3])
    with pytest.raises(ValueError, match="3 and 2 units"):
        cohens_kappa([1, 2, 3], [1, 2])


# -- Jaccard ------------------------------------------------------------------------------------------
def test_jaccard():
    # {a, b} vs {b, c}: intersection {b} (1), union {a, b, c} (3) -> 1/3
    assert jaccard({"a", "b"}, ["b", "c"]) == pytest.approx(1 / 3)
    assert jaccard([], []) == 1.0
    assert jaccard(["a"], []) == 0.0
    # mean over units: (1/3 + 1 + 0) / 3 = 4/9; the unit missing in one coding is left out
    assert mean_jaccard([["a", "b"], [], ["a"], ["x"]], [["b", "c"], [], [], None]) == pytest.approx(4 / 9)


# -- agreement table ------------------------------------------------------------------------------------
@pytest.fixture
def codings():
    first = pd.DataFrame({
        "url": ["https://a.example/1", "https://a.example/2", "https://a.example/3", "https://a.example/4",
                "https://a.example/5", "https://a.example/9"],
        "frame": ["sec", "sec", "hr", "hr", None, "sec"],
        "events": [["e1"], ["e1", "e2"], [], ["e2"], ["e1"], ["e1"]],
    })
    second = pd.DataFrame({  # other row order, one unit the first coding lacks
        "url": ["https://a.example/5", "https://a.example/4", "https://a.example/3", "https://a.example/2",
                "https://a.example/1", "https://a.example/7"],
        "frame": ["sec", "hr", "hr", "hr", "sec", "hr"],
        "events": [["e1"], ["e2", "e3"], [], ["e1"], ["e1"], []],
    })
    return first, second


def test_agreement_table_by_hand(codings):
    t = agreement_table(*codings, variables=["frame", "events"])
    assert tuple(t.columns) == AGREEMENT_COLUMNS
    assert list(zip(t["variable"], t["value"])) == [("frame", ""), ("events", ""), ("events", "e1"),
                                                    ("events", "e2"), ("events", "e3")]
    row = t.set_index(["variable", "value"])
    # frame: units 1-4 (5 is missing in the first coding): (sec,sec) (sec,hr) (hr,hr) (hr,hr)
    # agreement 3/4; kappa: p_e = (2/4)(1/4) + (2/4)(3/4) = 0.5, (0.75 - 0.5) / 0.5 = 0.5
    # alpha: n = 8, n_sec = 3, n_hr = 5, disagreeing pairs 2 -> 1 - 7 * 2 / (64 - 9 - 25) = 1 - 14/30 = 0.533333
    f = row.loc[("frame", "")]
    assert f["n_units"] == 4
    assert (f["agreement"], f["kappa"], f["alpha"]) == pytest.approx((0.75, 0.5, 1 - 14 / 30), abs=1e-12)
    assert np.isnan(f["jaccard"])
    # events, as sets: units 1, 3, 5 equal (3/5); Jaccard 1, 1/2, 1 (both empty), 1/2, 1 -> 4/5
    e = row.loc[("events", "")]
    assert e["n_units"] == 5
    assert (e["agreement"], e["jaccard"]) == pytest.approx((0.6, 0.8), abs=1e-12)
    assert np.isnan(e["kappa"]) and np.isnan(e["alpha"])
    # e1 present in units 1, 2, 5 in both codings: perfect
    assert tuple(row.loc[("events", "e1"), ["agreement", "kappa", "alpha"]]) == (1.0, 1.0, 1.0)
    # e2: first F T F T F, second F F F T F -> agreement 4/5
    # kappa: p_e = (2/5)(1/5) + (3/5)(4/5) = 0.56, (0.8 - 0.56) / 0.44 = 0.545455
    # alpha: n = 10, n_T = 3, n_F = 7, 2 disagreeing pairs -> 1 - 9 * 2 / (100 - 9 - 49) = 1 - 18/42 = 0.571429
    e2 = row.loc[("events", "e2")]
    assert (e2["agreement"], e2["kappa"], e2["alpha"]) == pytest.approx((0.8, 0.24 / 0.44, 1 - 18 / 42), abs=1e-12)
    # e3: only the second coding, once -> agreement 0.8, kappa 0 (p_e = 0.8), alpha 1 - 18 / (100 - 1 - 81) = 0
    e3 = row.loc[("events", "e3")]
    assert (e3["agreement"], e3["kappa"], e3["alpha"]) == pytest.approx((0.8, 0.0, 0.0), abs=1e-12)


def test_agreement_table_is_deterministic_under_row_order(codings):
    first, second = codings
    shuffled = first.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(agreement_table(shuffled, second, ["frame", "events"]),
                                  agreement_table(first, second, ["frame", "events"]))


def test_agreement_table_input_errors(codings):
    first, second = codings
    with pytest.raises(ValueError, match=r"second coding has no column\(s\) \['stance'\]"):
        agreement_table(first.assign(stance="neutral"), second, ["frame", "stance"])
    with pytest.raises(ValueError, match="duplicated url"):
        agreement_table(pd.concat([first, first.iloc[:1]]), second, ["frame"])
    with pytest.raises(ValueError, match=r"no column\(s\) \['id'\]"):
        agreement_table(first, second, ["frame"], key="id")
