"""Agreement between codings: inter-coder reliability, and word counts versus reading.

Used twice in the study: (1) the reliability of the coded variables, a second independent coding of a
sample of articles against the first coding; (2) for each name (terrorist, separatist, ...), whether
the word counts and the coder's reading (``bla_terms``) agree that an article uses it.

* :func:`percent_agreement`: share of units on which two codings agree.
* :func:`cohens_kappa`: agreement of two raters beyond chance (Cohen 1960), nominal values.
* :func:`krippendorff_alpha`: agreement of any number of coders with missing values, through the
  coincidence matrix (Krippendorff 2011), nominal or interval values.
* :func:`jaccard`, :func:`mean_jaccard`: overlap of two sets, for multi-valued variables (events).
* :func:`agreement_table`: all of the above for each variable of two coded tables, one tidy table.

Missing values are ``None``, ``NaN`` and ``pd.NA``. Where a statistic is undefined it is NaN, never
an exception: kappa when chance agreement is 1 (both raters used one and the same category), alpha
when there is no variation at all (every pairable value in one category) or no unit has two values.

References
----------
Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and Psychological
Measurement* 20(1), 37-46.
Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
Jaccard, P. (1912). The distribution of the flora in the alpine zone. *New Phytologist* 11(2), 37-50.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: Levels of measurement of :func:`krippendorff_alpha`.
LEVELS = ("nominal", "interval")
#: Columns of :func:`agreement_table`, in order.
AGREEMENT_COLUMNS = ("variable", "value", "n_units", "agreement", "kappa", "alpha", "jaccard")


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return False


def _pairs(a, b) -> tuple[list, list]:
    """The two codings of the units that both coded (missing values dropped pairwise)."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"the two codings have {len(a)} and {len(b)} units; give one value per unit to each "
                         "(None where a coder left a unit out)")
    kept = [(x, y) for x, y in zip(a, b) if not _is_missing(x) and not _is_missing(y)]
    return [x for x, _ in kept], [y for _, y in kept]


def percent_agreement(a: Sequence, b: Sequence) -> float:
    """Share of units on which two codings give the same value.

    Units missing in either coding are left out; NaN when no unit remains.
    """
    a, b = _pairs(a, b)
    if not a:
        return float("nan")
    return float(np.mean([x == y for x, y in zip(a, b)]))


def cohens_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's (1960) kappa of two raters on a nominal variable.

    ``kappa = (p_o - p_e) / (1 - p_e)``, with ``p_o`` the observed agreement and
    ``p_e = sum_c p_a(c) p_b(c)`` the agreement expected from each rater's own marginal shares.

    Parameters
    ----------
    a, b : sequence
        One value per unit from each rater (any hashable values; missing values are left out
        pairwise).

    Returns
    -------
    float
        NaN when no unit has both values, or when ``p_e = 1`` (both raters used one and the same
        category for every unit: kappa is 0/0).

    References
    ----------
    Cohen, J. (1960). *Educational and Psychological Measurement* 20(1), 37-46.
    """
    a, b = _pairs(a, b)
    n = len(a)
    if n == 0:
        return float("nan")
    categories = {v: i for i, v in enumerate(dict.fromkeys(a + b))}
    ia = np.array([categories[v] for v in a])
    ib = np.array([categories[v] for v in b])
    p_o = np.mean(ia == ib)
    chance = int(np.dot(np.bincount(ia, minlength=len(categories)), np.bincount(ib, minlength=len(categories))))
    if chance == n * n:  # p_e = 1
        return float("nan")
    p_e = chance / n**2
    return float((p_o - p_e) / (1 - p_e))


def coincidence_matrix(data, level: str = "nominal") -> tuple[np.ndarray, np.ndarray]:
    """Krippendorff's coincidence matrix of a (coders x units) reliability data array.

    ``o[c, k] = sum over units u of (number of c-k pairs of values in u) / (m_u - 1)``, where pairs
    are ordered pairs of values from different coders and ``m_u`` is the number of values in unit u;
    units with fewer than two values are not pairable and are left out.

    Returns
    -------
    values : ndarray
        The categories (rows and columns of ``o``), sorted.
    o : ndarray, shape (n_values, n_values)
    """
    if level not in LEVELS:
        raise ValueError(f"level={level!r} is not one of {LEVELS}; try level='nominal'")
    frame = np.asarray(data, dtype=object)
    if frame.ndim != 2:
        raise ValueError(f"data must be 2-dimensional (coders x units), got {frame.ndim} dimension(s); "
                         "try [coding_1, coding_2]")
    flat = frame.ravel()
    present = np.array([not _is_missing(v) for v in flat], dtype=bool)
    if level == "interval":
        try:
            numbers = np.array([float(v) for v in flat[present]])
        except (TypeError, ValueError):
            raise ValueError("interval alpha needs numeric values; use level='nominal' for categories") from None
        values, codes = np.unique(numbers, return_inverse=True)
    else:
        labels = {v: None for v in flat[present]}
        try:
            values = np.array(sorted(labels), dtype=object)
        except TypeError:  # mixed types: keep first-seen order (alpha does not depend on it)
            values = np.array(list(labels), dtype=object)
        index = {v: i for i, v in enumerate(values)}
        codes = np.array([index[v] for v in flat[present]], dtype=np.int64)
    unit = np.broadcast_to(np.arange(frame.shape[1]), frame.shape).ravel()[present]
    counts = np.zeros((frame.shape[1], len(values)))  # n_uc: values c in unit u
    np.add.at(counts, (unit, codes), 1.0)
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m = counts[pairable], m[pairable]
    weights = 1.0 / (m - 1.0)
    o = (counts * weights[:, None]).T @ counts - np.diag((counts * weights[:, None]).sum(axis=0))
    return values, o


def krippendorff_alpha(data, level: str = "nominal") -> float:
    """Krippendorff's alpha of a (coders x units) array, missing values allowed.

    ``alpha = 1 - D_o / D_e`` computed from the coincidence matrix ``o`` (Krippendorff 2011):
    with ``n_c = sum_k o_ck`` and ``n = sum_c n_c``,
    ``alpha = 1 - (n - 1) * sum_{c,k} o_ck d2(c, k) / sum_{c,k} n_c n_k d2(c, k)``,
    where ``d2`` is 1 for different categories (nominal) or ``(c - k)^2`` (interval).

    Parameters
    ----------
    data : array-like, shape (n_coders, n_units)
        One row per coder; ``None``/``NaN`` where a coder did not code a unit.
    level : {"nominal", "interval"}

    Returns
    -------
    float
        NaN when undefined: no unit has two values, or all pairable values are in one category
        (``D_e = 0``: no variation, so reliability cannot be assessed).

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability (section C for nominal data
    with missing values; section E for interval data).
    """
    values, o = coincidence_matrix(data, level)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n < 2:
        return float("nan")
    if level == "interval":
        v = values.astype(float)
        delta2 = (v[:, None] - v[None, :]) ** 2
    else:
        delta2 = 1.0 - np.eye(len(values))
    expected = float(n_c @ delta2 @ n_c)
    if expected <= 0:
        return float("nan")
    observed = float((o * delta2).sum())
    return float(1.0 - (n - 1.0) * observed / expected)


def jaccard(a_set: Iterable, b_set: Iterable) -> float:
    """Jaccard overlap ``|A & B| / |A | B|`` of two sets; 1.0 when both are empty (nothing to disagree on)."""
    a, b = set(a_set), set(b_set)
    union = a | b
    if not union:
        return 1.0
    return len(a & b) / len(union)


def mean_jaccard(a: Sequence[Iterable], b: Sequence[Iterable]) -> float:
    """Mean :func:`jaccard` over units (units missing in either coding left out; NaN when none remain)."""
    a, b = _pairs(a, b)
    if not a:
        return float("nan")
    return float(np.mean([jaccard(x, y) for x, y in zip(a, b)]))


def _is_multi(series: pd.Series) -> bool:
    return any(isinstance(v, (list, tuple, set, frozenset, np.ndarray)) for v in series)


def agreement_table(first: pd.DataFrame, second: pd.DataFrame, variables: Sequence[str],
                    key: str = "url") -> pd.DataFrame:
    """Agreement of two codings of the same units, for each variable, as one tidy table.

    Units are matched on ``key`` (rows of only one coding are left out). Single-valued variables get
    one row; list-valued variables (``bla_terms``, ``events``) get a variable-level row and one row per
    value that either coding used, for its presence or absence in each unit.

    Parameters
    ----------
    first, second : DataFrame
        The two codings; each has ``key`` and the ``variables`` as columns, one row per unit.
    variables : sequence of str
    key : str, default "url"

    Returns
    -------
    pandas.DataFrame with columns

    - ``variable``; ``value``: "" on the variable-level row, else the value whose presence is compared;
    - ``n_units``: matched units coded in both codings (missing values left out);
    - ``agreement``: share of units with the same value (for a list variable's own row: the same set;
      for a value row: both present or both absent);
    - ``kappa``: Cohen's kappa; ``alpha``: Krippendorff's alpha, nominal (NaN on a list variable's own
      row, and where undefined, e.g. a value that neither or every unit has in both codings);
    - ``jaccard``: mean Jaccard overlap of the two sets (list variable's own row only, else NaN).

    Rows follow ``variables``; value rows are sorted by value.

    Notes
    -----
    To compare groups of values (for example "terrorist" and "terrorists" as one name), map the list
    columns of both frames before calling, e.g. ``df.assign(bla_terms=df.bla_terms.map(normalise))``.
    """
    for name, frame in (("first", first), ("second", second)):
        missing = [c for c in [key, *variables] if c not in frame.columns]
        if missing:
            raise ValueError(f"the {name} coding has no column(s) {missing}; its columns are "
                             f"{sorted(map(str, frame.columns))}. Check variables= and key=")
        dups = frame[key][frame[key].duplicated()].unique().tolist()
        if dups:
            raise ValueError(f"the {name} coding has {len(dups)} duplicated {key} value(s), e.g. {dups[:3]}; "
                             "keep one row per unit")
    merged = first[[key, *variables]].merge(second[[key, *variables]], on=key, suffixes=("_1", "_2"))
    merged = merged.sort_values(key, kind="stable").reset_index(drop=True)
    rows = []
    for var in variables:
        x, y = merged[f"{var}_1"], merged[f"{var}_2"]
        both = np.array([not _is_missing(u) and not _is_missing(v) for u, v in zip(x, y)], dtype=bool)
        x, y = x[both].tolist(), y[both].tolist()
        n = len(x)
        if _is_multi(merged[f"{var}_1"]) or _is_multi(merged[f"{var}_2"]):
            sets_x, sets_y = [set(v) for v in x], [set(v) for v in y]
            rows.append((var, "", n, percent_agreement([frozenset(s) for s in sets_x], [frozenset(s) for s in sets_y]),
                         np.nan, np.nan, mean_jaccard(sets_x, sets_y)))
            used = sorted(set().union(*sets_x, *sets_y), key=str)
            for value in used:
                px = [value in s for s in sets_x]
                py = [value in s for s in sets_y]
                rows.append((var, str(value), n, percent_agreement(px, py), cohens_kappa(px, py),
                             krippendorff_alpha([px, py]), np.nan))
        else:
            rows.append((var, "", n, percent_agreement(x, y), cohens_kappa(x, y),
                         krippendorff_alpha([x, y]) if n else float("nan"), np.nan))
    out = pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))
    out["n_units"] = out["n_units"].astype(np.int64)
    return out
