"""Keyness: which terms one group of documents uses more than another.

Three statistics are computed for every term of every comparison, from the same 2 x 2 table
(term / all other terms x group a / group b):

* **Fightin' Words** (Monroe, Colaresi and Quinn 2008): the log-odds ratio of the term in group a
  versus group b, each group's counts smoothed with an informative Dirichlet prior, and its z-score.
  It is the ranking statistic: the prior shrinks rare terms, so the top of the list is not made of
  words used once by one group.
* **chi-square** with Yates' continuity correction (Yates 1934), as quanteda.textstats'
  ``textstat_keyness(measure = "chi2")`` computes it.
* **G2**, the likelihood-ratio statistic (Dunning 1993), with Williams' correction (Williams 1976).

chi2 and G2 are signed as in quanteda: positive when the term is relatively more frequent in group
a than in group b (``count_a / n_a > count_b / n_b``), negative otherwise.

Formulas
--------
For a term, let ``y_a, y_b`` be its counts in the two groups, ``n_a, n_b`` the groups' total counts
(all terms of the matrix), and the 2 x 2 table ``a = y_a, b = y_b, c = n_a - y_a, d = n_b - y_b``,
``N = a + b + c + d``.

Fightin' Words (Monroe et al. 2008, eq. 16-22). With a background corpus of total count ``n`` in
which the term occurs ``y_w`` times, the prior is ``alpha_w = alpha_0 * y_w / n``, and::

    log_odds = log((y_a + alpha_w) / (n_a + alpha_0 - y_a - alpha_w))
             - log((y_b + alpha_w) / (n_b + alpha_0 - y_b - alpha_w))
    var_2term = 1 / (y_a + alpha_w) + 1 / (y_b + alpha_w)                    (the paper's eq. 20)
    var_4term = var_2term + 1 / (n_a + alpha_0 - y_a - alpha_w)
                          + 1 / (n_b + alpha_0 - y_b - alpha_w)
    z = log_odds / sqrt(var)

The 2-term form is the paper's approximation, valid when the term is a small share of each group;
the 4-term form is the full delta-method variance of the difference of two log-odds (it is always a
little larger, so its z is a little smaller).

chi-square, Yates corrected (quanteda's rule): the 0.5 correction applies only when
``|ad - bc| >= N / 2`` and at least one expected cell count is below 5::

    chi2 = N * (|ad - bc| - N * delta)^2 / ((a + b)(c + d)(a + c)(b + d)),   delta in {0, 0.5}

G2 (Dunning 1993) with Williams' correction (Williams 1976)::

    G2 = 2 * sum over the four cells of O * ln(O / E),    E = row total * column total / N
    q  = 1 + (N / (a + b) + N / (c + d) - 1) * (N / (a + c) + N / (b + d) - 1) / (6 N)
    G2_williams = G2 / q

A cell with ``O = 0`` contributes 0 (the limit of ``O ln O``); quanteda gets the same limit by adding
``epsilon = 1e-9`` inside the logarithm, which also adds ``2 N epsilon`` to every G2 (0.002 for a
million tokens); this module uses the exact limit. As in quanteda, Williams' q is 1 (no correction)
when a cell is 0.

``p`` is the p-value of ``chi2``: ``P(X > |chi2|)`` for X chi-square with 1 degree of freedom
(computed as ``erfc(sqrt(|chi2| / 2))``), as in quanteda's output; the p-value of G2 is ``scipy.stats.chi2.sf(abs(g2), 1)`` if wanted.

Corrections (the ``correction`` parameter; quanteda's names)
-------------------------------------------------------------
============  ==============================  ===============================================
correction    chi2                            g2
============  ==============================  ===============================================
"default"     Yates (quanteda's rule above)   Williams
"yates"       Yates                           cells moved 0.5 towards independence when
                                              Yates applies (what quanteda's C++ code does
                                              for ``measure = "lr"``)
"williams"    chi2 / q                        Williams
"none"        uncorrected                     uncorrected
============  ==============================  ===============================================

quanteda's documentation and design discussion (quanteda/quanteda PR #865) state that "default" is
Yates for chi2 and Williams for lr; its C++ code (``src/keyness.cpp`` of quanteda.textstats) applies
the Yates cell adjustment to lr under "default" and multiplies chi2 by q under "williams". This
module follows the documented intent and Williams' definition (divide by q); ``correction="yates"``
reproduces quanteda's default lr values.

References
----------
Monroe, B. L., Colaresi, M. P. and Quinn, K. M. (2008). Fightin' Words: Lexical Feature Selection
and Evaluation for Identifying the Content of Political Conflict. *Political Analysis* 16(4),
372-403.
Dunning, T. (1993). Accurate Methods for the Statistics of Surprise and Coincidence.
*Computational Linguistics* 19(1), 61-74.
Williams, D. A. (1976). Improved likelihood ratio tests for complete contingency tables.
*Biometrika* 63(1), 33-37.
Yates, F. (1934). Contingency tables involving small numbers and the chi-square test. *Supplement
to the Journal of the Royal Statistical Society* 1(2), 217-235.
Benoit, K. et al. quanteda.textstats: ``textstat_keyness`` (R/textstat_keyness.R, src/keyness.cpp).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse, special

from .dfm import DocumentFeatureMatrix

#: Columns of :func:`keyness`, in order.
KEYNESS_COLUMNS = ("term", "group_a", "group_b", "count_a", "count_b", "log_odds", "z", "chi2", "g2", "p")
#: Allowed values of ``pairs``.
PAIRS = ("all", "rest")
#: Allowed values of ``variance``.
VARIANCES = ("2term", "4term")
#: Allowed values of ``correction`` (quanteda's names).
CORRECTIONS = ("default", "yates", "williams", "none")
#: Value of ``b`` that compares ``a`` with every other document.
REST = "rest"
#: ``group_b`` of a one-versus-rest comparison is ``"not " + group_a`` (e.g. ``"not PK"``).
REST_PREFIX = "not "


# -- statistics on arrays (one entry per term) ------------------------------------------------------
def _check_choice(name: str, value, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {choices}; try {name}={choices[0]!r}")


def _table(y_a, y_b, n_a, n_b):
    a = np.asarray(y_a, dtype=float)
    b = np.asarray(y_b, dtype=float)
    c = float(n_a) - a
    d = float(n_b) - b
    return a, b, c, d


def _direction(a, b, c, d) -> np.ndarray:
    """+1 where the term is relatively more frequent in group a (``a > E[a]``, i.e. ``ad > bc``), else -1."""
    return np.where(a * d > b * c, 1.0, -1.0)


def yates_applies(a, b, c, d) -> np.ndarray:
    """quanteda's rule: Yates' 0.5 applies when ``|ad - bc| >= N/2`` and an expected cell is below 5."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        small = (((a + b) * (a + c) / n < 5) | ((a + b) * (b + d) / n < 5)
                 | ((a + c) * (c + d) / n < 5) | ((c + d) * (b + d) / n < 5))
    return (np.abs(a * d - b * c) >= n / 2) & small


def williams_q(a, b, c, d) -> np.ndarray:
    """Williams' (1976) correction factor of a 2 x 2 table; 1 where a cell is 0 (as in quanteda)."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        q = 1.0 + (n / (a + b) + n / (c + d) - 1.0) * (n / (a + c) + n / (b + d) - 1.0) / (6.0 * n)
    return np.where(a * b * c * d == 0, 1.0, q)


def fightin_words(y_a, y_b, n_a, n_b, alpha_w, alpha_0: float,
                  variance: str = "4term") -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratio with informative Dirichlet prior and its z-score (Monroe et al. 2008).

    Parameters
    ----------
    y_a, y_b : array-like, shape (n_terms,)
        Counts of each term in group a and group b.
    n_a, n_b : float
        Total counts of the groups (all terms).
    alpha_w : array-like, shape (n_terms,)
        Prior count of each term, ``alpha_0 * y_w / n`` of a background corpus; all > 0.
    alpha_0 : float
        The prior's total count (its "sample size"; ``sum(alpha_w)`` over the full vocabulary).
    variance : {"4term", "2term"}
        "2term" is the paper's approximation ``1/(y_a + alpha_w) + 1/(y_b + alpha_w)`` (eq. 20);
        "4term" adds ``1/(n_a + alpha_0 - y_a - alpha_w) + 1/(n_b + alpha_0 - y_b - alpha_w)``.

    Returns
    -------
    log_odds, z : ndarray
        Natural-log odds ratio (group a over group b) and ``log_odds / sqrt(variance)``.

    References
    ----------
    Monroe, Colaresi and Quinn (2008), *Political Analysis* 16(4), eq. 16-22.
    """
    _check_choice("variance", variance, VARIANCES)
    y_a = np.asarray(y_a, dtype=float)
    y_b = np.asarray(y_b, dtype=float)
    alpha_w = np.asarray(alpha_w, dtype=float)
    top_a, top_b = y_a + alpha_w, y_b + alpha_w
    rest_a = n_a + alpha_0 - y_a - alpha_w
    rest_b = n_b + alpha_0 - y_b - alpha_w
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = np.log(top_a / rest_a) - np.log(top_b / rest_b)
        var = 1.0 / top_a + 1.0 / top_b
        if variance == "4term":
            var = var + 1.0 / rest_a + 1.0 / rest_b
        z = log_odds / np.sqrt(var)
    return log_odds, z


def chi_square(y_a, y_b, n_a, n_b, correction: str = "default") -> np.ndarray:
    """Signed chi-square of each term's 2 x 2 table, Yates-corrected by quanteda's rule.

    Parameters
    ----------
    y_a, y_b : array-like
        Counts of each term in groups a and b.
    n_a, n_b : float
        Total counts of the groups.
    correction : {"default", "yates", "williams", "none"}
        "default" and "yates": Yates' 0.5 where :func:`yates_applies`; "williams": divided by
        :func:`williams_q`; "none": Pearson's chi-square.

    Returns
    -------
    ndarray: positive where the term is relatively more frequent in group a.

    References
    ----------
    Yates (1934); quanteda.textstats ``textstat_keyness`` (``measure = "chi2"``).
    """
    _check_choice("correction", correction, CORRECTIONS)
    a, b, c, d = _table(y_a, y_b, n_a, n_b)
    n = a + b + c + d
    delta = np.where(yates_applies(a, b, c, d), 0.5, 0.0) if correction in ("default", "yates") else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = n * (np.abs(a * d - b * c) - n * delta) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    if correction == "williams":
        stat = stat / williams_q(a, b, c, d)
    return _direction(a, b, c, d) * stat + 0.0  # + 0.0 turns -0.0 into 0.0


def likelihood_ratio(y_a, y_b, n_a, n_b, correction: str = "default") -> np.ndarray:
    """Signed G2 (Dunning 1993) of each term's 2 x 2 table, Williams-corrected by default.

    Parameters
    ----------
    y_a, y_b : array-like
        Counts of each term in groups a and b.
    n_a, n_b : float
        Total counts of the groups.
    correction : {"default", "yates", "williams", "none"}
        "default" and "williams": ``G2 / q`` (:func:`williams_q`); "yates": each cell moved 0.5
        towards independence where :func:`yates_applies` (quanteda's computation); "none": G2.

    Returns
    -------
    ndarray: positive where the term is relatively more frequent in group a.

    References
    ----------
    Dunning (1993); Williams (1976); quanteda.textstats ``textstat_keyness`` (``measure = "lr"``).
    """
    _check_choice("correction", correction, CORRECTIONS)
    a, b, c, d = _table(y_a, y_b, n_a, n_b)
    sign = _direction(a, b, c, d)
    aa, bb, cc, dd = a, b, c, d
    if correction == "yates":
        shift = np.where(yates_applies(a, b, c, d), 0.5, 0.0) * sign  # towards the expected counts
        aa, bb, cc, dd = a - shift, b + shift, c + shift, d - shift
    n = a + b + c + d
    stat = np.zeros_like(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for cell, row, col in ((aa, aa + cc, aa + bb), (bb, bb + dd, aa + bb),
                               (cc, aa + cc, cc + dd), (dd, bb + dd, cc + dd)):
            expected = row * col / n
            stat = stat + np.where(cell > 0, cell * np.log(cell / expected), 0.0)
    stat = 2.0 * stat
    if correction in ("default", "williams"):
        stat = stat / williams_q(a, b, c, d)
    return sign * stat + 0.0


# -- the tidy table -------------------------------------------------------------------------------
def _labels(dfm: DocumentFeatureMatrix, by: str) -> np.ndarray:
    if by not in dfm.docvars.columns:
        raise ValueError(f"by={by!r} is not a docvar; the matrix has {sorted(map(str, dfm.docvars.columns))}. "
                         "Try by='group' or by='group_fine'")
    values = dfm.docvars[by]
    missing = values.isna().to_numpy()
    labels = values.astype(str).to_numpy(dtype=object)
    labels[missing] = None
    return labels


def _background_counts(dfm: DocumentFeatureMatrix, background) -> tuple[np.ndarray, float]:
    """Counts of the matrix's terms in a background corpus (0 where absent), and its total count."""
    if isinstance(background, DocumentFeatureMatrix):
        totals = pd.Series(np.asarray(background.counts.sum(axis=0), dtype=float).ravel(),
                           index=background.terms.astype(str))
    elif isinstance(background, (pd.Series, Mapping)):
        totals = pd.Series(background, dtype=float)
        totals.index = totals.index.astype(str)
    else:
        raise ValueError(f"background must be a DocumentFeatureMatrix, a pandas Series or a mapping "
                         f"term -> count, not {type(background).__name__}; try background=None (the pooled corpus)")
    if (totals < 0).any() or not np.isfinite(totals.to_numpy()).all():
        raise ValueError("background counts must be finite and >= 0; check the background corpus")
    totals = totals.groupby(level=0).sum()
    if totals.sum() <= 0:
        raise ValueError("the background corpus is empty; try background=None (the pooled corpus)")
    # the prior's n is the whole background, including terms absent from the matrix
    out = totals.reindex(dfm.terms.astype(str)).fillna(0.0).to_numpy()
    return out, float(totals.sum())


def _comparisons(present: list[str], a, b, pairs, groups) -> tuple[list[tuple[str, str]], list[str]]:
    if groups is None:
        chosen = sorted(present)
    else:
        chosen = [str(g) for g in groups]
        if len(set(chosen)) != len(chosen):
            raise ValueError(f"groups={list(groups)!r} repeats a label; list each group once")
    asked = [str(x) for x in (a, b) if x is not None and str(x) != REST]
    unknown = [g for g in chosen + asked if g not in present]
    if unknown:
        raise ValueError(f"no documents have group {sorted(set(unknown))!r}; the groups are {sorted(present)}. "
                         "Try one of those labels")
    outside = [g for g in asked if g not in chosen]
    if outside:
        raise ValueError(f"{outside} not in groups={chosen}; add them to groups or leave groups=None")
    if pairs is not None and (a is not None or b is not None):
        raise ValueError("give either a (and b) or pairs, not both; try keyness(dfm, a='PK', b='IN') "
                         "or keyness(dfm, pairs='all')")
    if a is None and b is not None:
        raise ValueError(f"b={b!r} given without a; try a=<group>, b={b!r}")
    if a is not None:
        a = str(a)
        if b is None or str(b) == REST:
            if len(chosen) < 2:
                raise ValueError(f"{a!r} is the only group, so there is no rest to compare it with; "
                                 "check the docvar given as by")
            return [(a, REST)], chosen
        if str(b) == a:
            raise ValueError(f"a and b are both {a!r}; compare two different groups")
        return [(a, str(b))], chosen
    if len(chosen) < 2:
        raise ValueError(f"keyness needs at least two groups, found {chosen}; check the docvar given as by")
    if pairs is None:
        if len(chosen) == 2:
            return [(chosen[0], chosen[1])], chosen
        raise ValueError(f"there are {len(chosen)} groups ({', '.join(chosen)}); say which comparison: "
                         "try a='PK', b='IN', or b='rest', or pairs='all' or pairs='rest'")
    if pairs == "all":
        return list(combinations(chosen, 2)), chosen
    return [(g, REST) for g in chosen], chosen


def keyness(dfm: DocumentFeatureMatrix, by: str = "group", a=None, b=None, *, pairs: str | None = None,
            groups: Sequence[str] | None = None, alpha_0: float | None = None, background=None,
            variance: str = "4term", correction: str = "default", min_count: int = 1,
            sort: bool = True) -> pd.DataFrame:
    """Keyness of every term between groups of documents: Fightin' Words, chi2 and G2.

    Parameters
    ----------
    dfm : DocumentFeatureMatrix
    by : str, default "group"
        Docvar whose values are the groups. Documents with a missing value belong to no group
        (they still count in the default background).
    a, b : str, optional
        Compare group ``a`` with group ``b``; ``b=None`` or ``b="rest"`` compares ``a`` with all
        other documents of the chosen groups, labelled ``group_b = "not " + a`` (e.g. "not PK").
    pairs : {"all", "rest"}, optional
        Instead of ``a``/``b``: every pair of groups (k groups give k(k-1)/2 comparisons, ``group_a``
        the earlier of the two in ``groups`` order), or each group against the rest. With neither
        ``a`` nor ``pairs`` and exactly two groups, those two are compared.
    groups : sequence of str, optional
        The groups taking part and their order (default: every label, sorted). "rest" means the
        other documents of these groups.
    alpha_0 : float, optional
        Total prior count of the Dirichlet prior. Default: the total count ``n`` of the background,
        so that ``alpha_w`` equals the term's background count ``y_w`` (the prior weighs as much as
        the background corpus; the convention of common Fightin' Words implementations). Smaller
        values shrink less.
    background : DocumentFeatureMatrix or pandas Series (term -> count), optional
        Corpus that sets the prior's term shares ``y_w / n``. Default: the pooled corpus, every
        document of ``dfm``. Every compared term must occur in it.
    variance : {"4term", "2term"}
        Variance of the log-odds ratio (see :func:`fightin_words`).
    correction : {"default", "yates", "williams", "none"}
        Corrections of chi2 and G2 (quanteda's names; see the module docstring). "default": Yates for
        chi2, Williams for G2.
    min_count : int, default 1
        Report terms with ``count_a + count_b >= min_count``. Group totals ``n_a, n_b`` always use
        every term.
    sort : bool, default True
        Within each comparison, rows by ``z`` descending, then term; otherwise by term.

    Returns
    -------
    pandas.DataFrame with columns

    - ``term``; ``group_a``, ``group_b``: the comparison (``group_b`` is "not <a>" against the rest);
    - ``count_a``, ``count_b``: the term's counts in each group (int);
    - ``log_odds``: Fightin' Words log-odds ratio (natural log), positive when favoured by group a;
    - ``z``: its z-score (``variance`` form);
    - ``chi2``: signed chi-square (Yates by default); ``g2``: signed G2 (Williams by default);
    - ``p``: p-value of ``chi2`` (chi-square, 1 degree of freedom).

    Comparisons follow each other in the order of ``groups``.

    Raises
    ------
    ValueError
        Empty matrix, unknown docvar or group, a group without words, both ``a`` and ``pairs``,
        a choice outside its allowed values, or a compared term absent from the background.

    References
    ----------
    Monroe, Colaresi and Quinn (2008); Dunning (1993); Williams (1976); Yates (1934); quanteda.textstats
    ``textstat_keyness``. See the module docstring.

    Examples
    --------
    >>> keyness(dfm, a="PK", b="IN").head(15)          # doctest: +SKIP
    >>> keyness(dfm, pairs="all", min_count=5)         # doctest: +SKIP
    """
    if pairs is not None:
        _check_choice("pairs", pairs, PAIRS)
    _check_choice("variance", variance, VARIANCES)
    _check_choice("correction", correction, CORRECTIONS)
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count={min_count!r} must be an integer >= 1; try min_count=1")
    if dfm.shape[0] == 0 or dfm.shape[1] == 0 or dfm.counts.sum() == 0:
        raise ValueError(f"the document-feature matrix is empty ({dfm.shape[0]} documents, {dfm.shape[1]} terms, "
                         "no counts); add articles with features to the store, or loosen trim()/select()")

    labels = _labels(dfm, by)
    present = sorted({x for x in labels if x is not None})
    comparisons, chosen = _comparisons(present, a, b, pairs, groups)

    # counts per chosen group: (k x n_terms), dense (k is small)
    index = {g: i for i, g in enumerate(chosen)}
    rows = np.array([index.get(x, -1) if x is not None else -1 for x in labels], dtype=np.int64)
    keep = np.flatnonzero(rows >= 0)
    indicator = sparse.csr_matrix((np.ones(len(keep)), (rows[keep], keep)), shape=(len(chosen), dfm.shape[0]))
    by_group = np.asarray((indicator @ dfm.counts).todense(), dtype=np.int64)
    totals = by_group.sum(axis=1)
    pooled = by_group.sum(axis=0)
    empty = [g for g in chosen if totals[index[g]] == 0]
    if empty:
        raise ValueError(f"group(s) {empty} have no words in the matrix (no documents, or documents without "
                         f"features); drop them with groups=[...] or check the '{by}' docvar")

    if background is None:
        y_bg = np.asarray(dfm.counts.sum(axis=0), dtype=float).ravel()
        n_bg = float(y_bg.sum())
    else:
        y_bg, n_bg = _background_counts(dfm, background)
    if alpha_0 is None:
        alpha_0 = n_bg
    if isinstance(alpha_0, bool) or not np.isfinite(alpha_0) or alpha_0 <= 0:
        raise ValueError(f"alpha_0={alpha_0!r} must be a positive number; try alpha_0=None (the background size)")
    alpha_w_all = float(alpha_0) * y_bg / n_bg

    order_key = np.argsort(np.argsort(dfm.terms.astype(str), kind="stable"), kind="stable")  # term rank
    parts = []
    for ga, gb in comparisons:
        y_a = by_group[index[ga]]
        if gb == REST:
            y_b, label_b = pooled - y_a, REST_PREFIX + ga
        else:
            y_b, label_b = by_group[index[gb]], gb
        n_a, n_b = float(y_a.sum()), float(y_b.sum())
        cols = np.flatnonzero(y_a + y_b >= min_count)
        ya, yb, alpha_w = y_a[cols], y_b[cols], alpha_w_all[cols]
        if (alpha_w <= 0).any():
            missing = dfm.terms[cols[alpha_w <= 0]][:5].tolist()
            raise ValueError(f"{int((alpha_w <= 0).sum())} compared term(s) do not occur in the background "
                             f"(e.g. {missing}), so their prior is 0; try background=None (the pooled corpus) "
                             "or a background that contains every term")
        log_odds, z = fightin_words(ya, yb, n_a, n_b, alpha_w, float(alpha_0), variance)
        chi2 = chi_square(ya, yb, n_a, n_b, correction)
        g2 = likelihood_ratio(ya, yb, n_a, n_b, correction)
        p = special.erfc(np.sqrt(np.abs(chi2) / 2.0))  # P(chi2_1 > |chi2|), exact for 1 df
        rank = order_key[cols]
        order = np.lexsort((rank, -z)) if sort else np.argsort(rank, kind="stable")
        parts.append(pd.DataFrame({
            "term": dfm.terms[cols][order].astype(str),
            "group_a": ga, "group_b": label_b,
            "count_a": ya[order].astype(np.int64), "count_b": yb[order].astype(np.int64),
            "log_odds": log_odds[order], "z": z[order], "chi2": chi2[order], "g2": g2[order], "p": p[order],
        }))
    out = pd.concat(parts, ignore_index=True)
    return out[list(KEYNESS_COLUMNS)]
