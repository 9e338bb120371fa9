"""Shares of coded variables by group, and attention over time, on a small synthetic matrix."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from mediaframes.attention import attention_over_time, event_weeks
from mediaframes.codes import CODE_SHARE_COLUMNS, code_shares
from mediaframes.dfm import DocumentFeatureMatrix


def synthetic_dfm() -> DocumentFeatureMatrix:
    """Six synthetic articles in two groups (A: sources s1, s2; B: source s3)."""
    docvars = pd.DataFrame({
        "group": ["A", "A", "A", "A", "B", "B"],
        "source": ["s1", "s1", "s2", "s2", "s3", "s3"],
        "primary_frame": ["security", "security", "rights", "security", "rights", np.nan],
        "events": [["e1"], ["e1", "e2"], ["e2"], ["other"], ["e1"], np.nan],
        "published": ["2025-03-11", "2025-03-12", "2025-03-17", None, "2025-03-13", "2025-03-31"],
    })
    return DocumentFeatureMatrix(sparse.csr_matrix((6, 1)), ["x"], docvars)


def test_single_valued_shares_by_hand():
    table = code_shares(synthetic_dfm(), "primary_frame", n_boot=200, seed=1)
    assert list(table.columns) == list(CODE_SHARE_COLUMNS)
    a = table[table["group"] == "A"].set_index("value")
    # group A: 4 coded articles, 3 security and 1 rights
    assert a.loc["security", "n"] == 3 and a.loc["security", "share"] == pytest.approx(3 / 4)
    assert a.loc["rights", "share"] == pytest.approx(1 / 4)
    assert (a["n_articles"] == 4).all()
    b = table[table["group"] == "B"].set_index("value")
    # group B: the uncoded article (NaN) is left out, so 1 coded article, which is 'rights'
    assert b.loc["rights", "share"] == 1.0 and (b["n_articles"] == 1).all()
    # one cluster with one coded article: every replicate is that article
    assert b.loc["rights", "ci_low"] == b.loc["rights", "ci_high"] == 1.0


def test_list_valued_shares_count_every_listed_value():
    table = code_shares(synthetic_dfm(), "events", n_boot=200, seed=1)
    a = table[table["group"] == "A"].set_index("value")
    # A: e1 in 2 of 4 articles, e2 in 2 of 4, other in 1 of 4 (shares sum to 5/4)
    assert a.loc["e1", "share"] == pytest.approx(0.5)
    assert a.loc["e2", "share"] == pytest.approx(0.5)
    assert a.loc["other", "share"] == pytest.approx(0.25)


def test_intervals_contain_the_estimate_and_repeat_under_a_seed():
    first = code_shares(synthetic_dfm(), "primary_frame", n_boot=300, seed=7)
    again = code_shares(synthetic_dfm(), "primary_frame", n_boot=300, seed=7)
    pd.testing.assert_frame_equal(first, again)
    assert ((first["ci_low"] <= first["share"]) & (first["share"] <= first["ci_high"])).all()


def test_unknown_variable_is_a_clear_error():
    with pytest.raises(ValueError, match="no coded variable 'stance'"):
        code_shares(synthetic_dfm(), "stance")


def test_attention_counts_articles_per_monday_week():
    table = attention_over_time(synthetic_dfm())
    a = table[table["group"] == "A"].set_index("week")["n_articles"]
    # 2025-03-11 (Tue) and 2025-03-12 (Wed) fall in the week of Monday 2025-03-10; 03-17 is a Monday
    assert a["2025-03-10"] == 2 and a["2025-03-17"] == 1
    # weeks without articles between the first and the last are filled with zeros
    assert a["2025-03-24"] == 0 and a["2025-03-31"] == 0
    # the undated article is counted, not dropped
    assert a["undated"] == 1
    b = table[table["group"] == "B"].set_index("week")["n_articles"]
    assert b["2025-03-10"] == 1 and b["2025-03-31"] == 1 and "undated" not in b.index
    assert table["n_articles"].sum() == 6


def test_event_weeks_finds_the_peak_week_of_each_event():
    peaks = event_weeks(synthetic_dfm(), min_articles=2).set_index("event")
    # e1: three dated articles, all in the week of 2025-03-10; e2: one that week, one the next (tie -> earlier)
    assert peaks.loc["e1", "week"] == "2025-03-10" and peaks.loc["e1", "n_articles"] == 3
    assert peaks.loc["e2", "week"] == "2025-03-10"
    assert "other" not in peaks.index
