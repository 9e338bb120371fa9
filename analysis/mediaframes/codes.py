"""Coded variables by group: how often each frame, stance, India role or event appears in each group.

Shares come with 95% intervals from the two-stage cluster bootstrap (:mod:`mediaframes.bootstrap`):
articles of one source (outlet, or wire for syndicated copy) are not independent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bootstrap import B_DEFAULT, LEVEL, bootstrap_ratio, group_seed, percentile_interval
from .dfm import DocumentFeatureMatrix

#: Columns of :func:`code_shares`.
CODE_SHARE_COLUMNS = ("group", "variable", "value", "n", "share", "ci_low", "ci_high", "n_articles")


def code_shares(dfm: DocumentFeatureMatrix, variable: str, by: str = "group", values=None,
                n_boot: int = B_DEFAULT, seed: int = 0, level: float = LEVEL) -> pd.DataFrame:
    """Share of each group's coded articles that carry each value of a coded variable.

    For a single-valued variable (``primary_frame``) the shares of a group sum to 1; for a list
    (``events``) an article counts towards every value it lists, so they need not.

    Parameters
    ----------
    dfm : DocumentFeatureMatrix
        Its docvars need ``by``, ``source`` and ``variable``.
    variable : str
        A coded variable (``primary_frame``, ``stance_bla``, ``india_role``, ``events`` ...).
    by : str, default "group"
        Grouping docvar.
    values : sequence of str, optional
        Values to report, in this order (default: every value seen, sorted).
    n_boot, seed, level
        Bootstrap replicates, seed and interval level.

    Returns
    -------
    DataFrame with columns ``group, variable, value, n, share, ci_low, ci_high, n_articles``:
    ``n`` articles of the group with the value, ``n_articles`` coded articles of the group.
    Rows ordered by group, then by ``values``.
    """
    dv = dfm.docvars
    if variable not in dv:
        raise ValueError(f"no coded variable {variable!r} in the docvars; "
                         f"try one of {', '.join(c for c in dv.columns if dv[c].dtype == object)}")
    coded = dv[variable].map(lambda v: isinstance(v, (list, str)))
    lists = dv.loc[coded, variable].map(lambda v: v if isinstance(v, list) else [v])
    seen = sorted({x for vs in lists for x in vs})
    values = list(values) if values is not None else seen
    rows = []
    for group in sorted(dv.loc[coded, by].astype(str).unique()):
        mask = (dv[by].astype(str) == group) & coded
        members = lists[mask[coded].to_numpy()]
        indicator = np.array([[v in vs for v in values] for vs in members], dtype=float).reshape(-1, len(values))
        ones = np.ones(len(members))
        reps = bootstrap_ratio(indicator, ones, dv.loc[mask, "source"].to_numpy(), n_boot=n_boot,
                               seed=group_seed(seed, group))
        low, high = percentile_interval(reps, level)
        counts = indicator.sum(axis=0)
        for j, value in enumerate(values):
            rows.append((group, variable, value, int(counts[j]), counts[j] / len(members), low[j], high[j],
                         len(members)))
    return pd.DataFrame(rows, columns=list(CODE_SHARE_COLUMNS))
