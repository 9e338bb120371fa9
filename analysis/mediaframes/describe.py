"""Corpus description: how many articles per group, outlet, month and event (one tidy table)."""

from __future__ import annotations

import pandas as pd

from .dfm import DocumentFeatureMatrix

#: Dimensions of :func:`corpus_summary`, in output order.
DIMENSIONS = ("collection", "group", "group_fine", "country", "outlet", "month", "event")
SUMMARY_COLUMNS = ("dimension", "value", "n_articles", "n_outlets", "n_words")


def corpus_summary(dfm: DocumentFeatureMatrix, dimensions=DIMENSIONS) -> pd.DataFrame:
    """Articles, distinct outlets and words for each value of each dimension.

    Returns a tidy table with columns ``dimension, value, n_articles, n_outlets, n_words``, rows
    ordered by dimension then by value (months chronologically, ``unknown`` for a missing month).
    ``event`` counts an article once for each event it is coded with, so its rows sum to more
    than the number of articles.
    """
    dv = dfm.docvars.copy()
    dv["month"] = dv["month"].fillna("unknown")
    parts = []
    for dim in dimensions:
        if dim == "event":
            if "events" not in dv:
                continue
            frame = dv[["outlet", "n_words", "events"]].explode("events").dropna(subset=["events"])
            frame = frame.rename(columns={"events": "value"})
        else:
            frame = dv[["outlet", "n_words"]].assign(value=dv[dim])
        table = (frame.groupby("value", sort=True)
                 .agg(n_articles=("outlet", "size"), n_outlets=("outlet", "nunique"), n_words=("n_words", "sum"))
                 .reset_index())
        table.insert(0, "dimension", dim)
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    return out[list(SUMMARY_COLUMNS)]
