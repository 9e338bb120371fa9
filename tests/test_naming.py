"""Naming table (lexicon vs coded shares) and their agreement, on a synthetic dfm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mediaframes.dfm import DocumentFeatureMatrix
from mediaframes.lexicon import Lexicon
from mediaframes.naming import AGREEMENT_COLUMNS, NAMING_COLUMNS, naming_agreement, naming_table

NAMES = Lexicon({"terrorist": ["terrorist", "terrorists"], "militant": ["militant", "militants"]},
                why={"terrorist": "Calls them terrorists.", "militant": "Calls them militants."},
                coded={"terrorist": ["terrorist", "terrorists", "other:terrorist_organizations"],
                       "militant": ["militants"]},
                coded_variable="bla_terms")
B = 300


def synthetic_dfm():
    """Seven synthetic articles.

    PK (sources s1, s1, s2, s3):
      p1 "terrorists" x2, coded [terrorists]         terrorist: lexicon 1, coded 1
      p2 "terrorist" (said of another group), coded []  terrorist: lexicon 1, coded 0
      p3 "militants", coded [militants]              militant:  lexicon 1, coded 1
      p4 nothing, coded []
    IN (sources s4, s5, s6):
      i1 "militants" x2, coded [militants, other:terrorist_organizations]
      i2 "terrorism" (not a name), coded []
      i3 "terrorists", not coded (NaN)
    """
    terms = ["militants", "terrorism", "terrorist", "terrorists"]
    rows = [  # group, source, counts, bla_terms
        ("PK", "s1", [0, 0, 0, 2], ["terrorists"]),
        ("PK", "s1", [0, 0, 1, 0], []),
        ("PK", "s2", [1, 0, 0, 0], ["militants"]),
        ("PK", "s3", [0, 0, 0, 0], []),
        ("IN", "s4", [2, 0, 0, 0], ["militants", "other:terrorist_organizations"]),
        ("IN", "s5", [0, 1, 0, 0], []),
        ("IN", "s6", [0, 0, 0, 1], np.nan),
    ]
    docvars = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(rows))], "group": [r[0] for r in rows],
                            "source": [r[1] for r in rows], "n_words": 100,
                            "bla_terms": pd.Series([r[3] for r in rows], dtype=object)})
    return DocumentFeatureMatrix(np.array([r[2] for r in rows]), terms, docvars)


def cell(table, group, name, source):
    hit = table[(table.group == group) & (table.name == name) & (table.source == source)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_naming_table_has_exactly_the_contract_columns_and_order():
    table = naming_table(synthetic_dfm(), NAMES, n_boot=B)
    assert tuple(table.columns) == NAMING_COLUMNS == ("group", "name", "source", "share", "ci_low", "ci_high",
                                                      "n_articles")
    assert list(zip(table.group, table.name, table.source)) == [
        ("IN", "terrorist", "lexicon"), ("IN", "terrorist", "coded"), ("IN", "militant", "lexicon"),
        ("IN", "militant", "coded"), ("PK", "terrorist", "lexicon"), ("PK", "terrorist", "coded"),
        ("PK", "militant", "lexicon"), ("PK", "militant", "coded")]


def test_naming_shares_by_hand():
    table = naming_table(synthetic_dfm(), NAMES, n_boot=B)
    # PK terrorist: lexicon p1, p2 -> 2/4; coded p1 -> 1/4
    assert (cell(table, "PK", "terrorist", "lexicon")[["share", "n_articles"]] == [0.5, 4]).all()
    assert (cell(table, "PK", "terrorist", "coded")[["share", "n_articles"]] == [0.25, 4]).all()
    # IN terrorist: lexicon i3 -> 1/3 (terrorism is not a name);
    # coded: i3 is not coded, so 2 coded articles; i1's other:terrorist_organizations -> 1/2
    assert cell(table, "IN", "terrorist", "lexicon")["share"] == pytest.approx(1 / 3)
    assert (cell(table, "IN", "terrorist", "coded")[["share", "n_articles"]] == [0.5, 2]).all()
    # IN militant: lexicon i1 -> 1/3; coded i1 -> 1/2
    assert cell(table, "IN", "militant", "lexicon")["share"] == pytest.approx(1 / 3)
    assert cell(table, "IN", "militant", "coded")["share"] == 0.5


def test_naming_intervals_are_seeded_and_contain_the_share():
    dfm = synthetic_dfm()
    first = naming_table(dfm, NAMES, n_boot=B, seed=1)
    pd.testing.assert_frame_equal(first, naming_table(dfm, NAMES, n_boot=B, seed=1))
    pk = cell(first, "PK", "terrorist", "lexicon")
    assert pk["ci_low"] < pk["share"] < pk["ci_high"]
    assert ((first.ci_low <= first.share + 1e-12) & (first.share <= first.ci_high + 1e-12)).all()


def test_naming_table_reads_the_coded_values_from_a_yaml_lexicon(tmp_path):
    path = tmp_path / "names.yml"
    path.write_text("coded_variable: bla_terms\ncategories:\n  terrorist:\n    why: Calls them terrorists.\n"
                    "    patterns: [terrorist, terrorists]\n    coded: [terrorist, terrorists]\n", encoding="utf-8")
    table = naming_table(synthetic_dfm(), path, n_boot=20)
    # without other:terrorist_organizations, IN's coded terrorist share is 0/2
    assert cell(table, "IN", "terrorist", "coded")["share"] == 0.0


def test_a_name_without_coded_values_is_refused():
    with pytest.raises(ValueError, match="no 'coded' values"):
        naming_table(synthetic_dfm(), Lexicon({"rebel": ["rebel"]}), n_boot=10)


def test_agreement_by_hand_for_one_group():
    agree = naming_agreement(synthetic_dfm(), NAMES, by="group")
    assert tuple(agree.columns) == AGREEMENT_COLUMNS
    pk = agree[(agree.group == "PK") & (agree.name == "terrorist")].iloc[0]
    # lexicon [1, 1, 0, 0], coded [1, 0, 0, 0]: they disagree on p2
    assert list(pk[["n_articles", "n_lexicon", "n_coded", "n_both", "n_neither"]]) == [4, 2, 1, 1, 2]
    assert pk["agreement"] == 0.75
    # kappa: p_o = 3/4; p_e = (2/4)(1/4) + (2/4)(3/4) = 1/2; (3/4 - 1/2) / (1 - 1/2) = 0.5
    assert pk["kappa"] == pytest.approx(0.5)
    # alpha (nominal): 8 pooled values, three 1s and five 0s; the one disagreeing unit gives
    # o_01 = o_10 = 1, so D_o = 2/8; D_e = 2 * 3 * 5 / (8 * 7) = 30/56; alpha = 1 - (2/8)/(30/56) = 16/30
    assert pk["alpha"] == pytest.approx(16 / 30)
    # PK militant: both codings find p3 only: perfect agreement
    pm = agree[(agree.group == "PK") & (agree.name == "militant")].iloc[0]
    assert (pm["agreement"], pm["kappa"], pm["alpha"]) == (1.0, 1.0, 1.0)


def test_agreement_over_all_coded_articles_skips_uncoded_ones():
    agree = naming_agreement(synthetic_dfm(), NAMES)
    t = agree[agree.name == "terrorist"].iloc[0]
    # 6 coded articles (i3 has no code); lexicon [1,1,0,0,0,0] (p1, p2), coded [1,0,0,0,1,0] (p1, i1)
    assert t["group"] == "all"
    assert list(t[["n_articles", "n_lexicon", "n_coded", "n_both", "n_neither"]]) == [6, 2, 2, 1, 3]
    # agreement 4/6; kappa: p_o = 4/6, p_e = (2/6)(2/6) + (4/6)(4/6) = 20/36; (24/36 - 20/36)/(16/36) = 1/4
    assert t["agreement"] == pytest.approx(4 / 6)
    assert t["kappa"] == pytest.approx(0.25)
    # alpha: 12 values, four 1s and eight 0s; two disagreeing units: D_o = 4/12,
    # D_e = 2 * 4 * 8 / (12 * 11) = 64/132; alpha = 1 - (4/12)/(64/132) = 1 - 11/16 = 5/16
    assert t["alpha"] == pytest.approx(5 / 16)


def test_agreement_is_nan_where_chance_corrected_figures_are_undefined():
    dfm = synthetic_dfm()
    names = Lexicon({"rebel": ["rebel"]}, coded={"rebel": ["rebels"]})
    r = naming_agreement(dfm, names).iloc[0]
    # neither coding ever finds "rebel": full agreement, kappa and alpha 0/0
    assert r["agreement"] == 1.0
    assert np.isnan(r["kappa"]) and np.isnan(r["alpha"])
