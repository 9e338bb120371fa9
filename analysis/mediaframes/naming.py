"""Naming: which names for the armed groups each group's outlets use, by counting and by reading.

Each name of ``corpus/lexicons/naming.yml`` (terrorist, militant, separatist, freedom fighter,
Fitna al-Hindustan, proxy, ...) is measured two ways:

* ``lexicon``: the article's bag of words contains one of the name's word forms (``patterns``);
* ``coded``: the article's coded ``bla_terms`` contain one of the name's ``coded`` values. The coders
  read the article and record a name only when it names the Baloch armed groups, so "terrorists"
  said of the Pakistani Taliban is a lexicon hit but not a coded one.

:func:`naming_table` gives the share of each group's articles that use each name, from both
sources, with cluster-bootstrap intervals; :func:`naming_agreement` says, per name, how far the
two binary codings agree (percent agreement, Cohen's kappa, Krippendorff's alpha), so a reader sees
where word counting can stand in for reading and where it cannot.

The mapping from names to words and codes is data (the YAML file), not code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import config
from .bootstrap import B_DEFAULT, LEVEL, group_seed, percentile_interval
from .dfm import DocumentFeatureMatrix
from .lexicon import Lexicon, LexiconScorer, _check_dfm, _groups, _replicates, _require, as_lexicon
from .reliability import cohens_kappa, krippendorff_alpha

#: Columns of :func:`naming_table` (the study's output contract).
NAMING_COLUMNS = ("group", "name", "source", "share", "ci_low", "ci_high", "n_articles")
#: Columns of :func:`naming_agreement`.
AGREEMENT_COLUMNS = ("group", "name", "n_articles", "n_lexicon", "n_coded", "n_both", "n_neither",
                     "agreement", "kappa", "alpha")
#: The two sources of :func:`naming_table`, in row order.
SOURCES = ("lexicon", "coded")
#: The shipped naming lexicon.
NAMING_YML = config.LEXICON_DIR / "naming.yml"


def _naming_lexicon(naming_lexicon) -> Lexicon:
    lexicon = as_lexicon(NAMING_YML if naming_lexicon is None else naming_lexicon)
    missing = [c for c in lexicon.categories if not lexicon.coded[c]]
    if missing:
        raise ValueError(f"name {missing[0]!r} of lexicon {lexicon.name or lexicon.source!r} has no "
                         "'coded' values; try adding 'coded: [<bla_terms value>, ...]' to every name")
    return lexicon


def _codings(dfm: DocumentFeatureMatrix, lexicon: Lexicon, coded_variable: str | None):
    """(lexicon presence, coded presence, has-code mask) as (n_docs, n_names) / (n_docs,) arrays."""
    _check_dfm(dfm)
    variable = coded_variable or lexicon.coded_variable or "bla_terms"
    _require(dfm.docvars, [variable])
    counts = LexiconScorer(lexicon).fit(dfm).transform(dfm)
    lex = counts > 0
    codes = dfm.docvars[variable]
    has_code = np.array([isinstance(v, (list, tuple, set, np.ndarray)) for v in codes], dtype=bool)
    coded = np.zeros_like(lex)
    for j, name in enumerate(lexicon.categories):
        wanted = set(lexicon.coded[name])
        coded[:, j] = [ok and bool(wanted.intersection(map(str, v))) for v, ok in zip(codes, has_code)]
    return lex, coded, has_code


def naming_table(dfm: DocumentFeatureMatrix, naming_lexicon=None, by: str = "group",
                 n_boot: int = B_DEFAULT, seed: int = 0, level: float = LEVEL,
                 coded_variable: str | None = None, cluster: str = "source") -> pd.DataFrame:
    """Share of each group's articles using each name, from word counts and from the codes.

    Parameters
    ----------
    dfm : DocumentFeatureMatrix
        Docvars need ``by``, ``cluster`` and the coded variable (a list of values per coded article;
        anything else, such as NaN, means the article was not coded).
    naming_lexicon : Lexicon or path, optional
        One category per name with ``patterns`` and ``coded`` values (default
        ``corpus/lexicons/naming.yml``).
    by : str, default "group"
        Grouping docvar (articles whose value is missing are left out).
    n_boot, seed, level
        Bootstrap replicates, seed and interval level.
    coded_variable : str, optional
        Docvar of the codes (default: the lexicon's ``coded_variable``, else ``bla_terms``).
    cluster : str, default "source"
        Docvar of the resampled clusters.

    Returns
    -------
    DataFrame with exactly the columns ``group, name, source, share, ci_low, ci_high, n_articles``.
    ``source`` is ``"lexicon"`` (the bag of words contains one of the name's patterns) or
    ``"coded"`` (the coded values contain one of the name's ``coded`` values); ``share`` is the
    share of the group's articles using the name; ``n_articles`` the articles it is a share of: all
    of the group's articles for ``lexicon``, only its coded articles for ``coded``. Rows ordered by
    group (sorted), name (lexicon order), source (lexicon, coded).

    Notes
    -----
    Intervals: two-stage cluster bootstrap within each group (:mod:`mediaframes.bootstrap`),
    seeded per group with :func:`mediaframes.bootstrap.group_seed`; percentile intervals. Both sources
    use the same replicates (the coded share of a replicate is taken over its coded articles; a
    replicate that draws none is left out of the interval).
    """
    lexicon = _naming_lexicon(naming_lexicon)
    lex, coded, has_code = _codings(dfm, lexicon, coded_variable)
    dv = dfm.docvars
    _require(dv, [by, cluster])
    labels, row_labels = _groups(dv, by)
    rows = []
    for label in labels:
        idx = np.flatnonzero(row_labels == label)
        clusters = dv[cluster].astype(str).to_numpy()[idx]
        mask = has_code[idx].astype(float)
        lex_reps, coded_reps = _replicates([lex[idx].astype(float), coded[idx].astype(float) * mask[:, None]],
                                           [np.ones(len(idx)), mask], clusters, n_boot, group_seed(seed, label))
        n_coded = int(mask.sum())
        estimates = {
            "lexicon": (lex[idx].mean(axis=0), lex_reps, len(idx)),
            "coded": (coded[idx][has_code[idx]].mean(axis=0) if n_coded else np.full(len(lexicon), np.nan),
                      coded_reps, n_coded),
        }
        intervals = {s: percentile_interval(estimates[s][1], level) if np.isfinite(estimates[s][1]).any()
                     else (np.full(len(lexicon), np.nan),) * 2 for s in SOURCES}
        for j, name in enumerate(lexicon.categories):
            for source in SOURCES:
                share, _, n = estimates[source]
                low, high = intervals[source]
                rows.append((label, name, source, float(share[j]), float(low[j]), float(high[j]), n))
    return pd.DataFrame(rows, columns=list(NAMING_COLUMNS))


def naming_agreement(dfm: DocumentFeatureMatrix, naming_lexicon=None, by: str | None = None,
                     coded_variable: str | None = None) -> pd.DataFrame:
    """Agreement, per name, between counting the name's words and the coders' reading.

    Each coded article gets two binary codings of each name: the lexicon's (a pattern occurs in its
    bag of words) and the coders' (a ``coded`` value is among its codes). Their agreement is
    reported three ways: percent agreement; Cohen's (1960) kappa,
    ``(p_o - p_e) / (1 - p_e)`` with ``p_e`` from each coding's own marginal shares; and
    Krippendorff's alpha (nominal), which pools the two codings' marginals (Krippendorff 2011).
    Both chance-corrected figures are NaN where undefined (a name neither coding ever finds).

    Parameters
    ----------
    dfm : DocumentFeatureMatrix
    naming_lexicon : Lexicon or path, optional
        Default ``corpus/lexicons/naming.yml``.
    by : str, optional
        Also split by this docvar; by default one row per name over all articles, with
        ``group = "all"``.
    coded_variable : str, optional
        Docvar of the codes (default: the lexicon's ``coded_variable``, else ``bla_terms``).

    Returns
    -------
    DataFrame with columns ``group, name, n_articles, n_lexicon, n_coded, n_both, n_neither,
    agreement, kappa, alpha``. Only coded articles count (``n_articles``; articles whose code is
    missing are left out); ``n_lexicon`` / ``n_coded`` articles are positive for the lexicon / the
    coders, ``n_both`` for both, ``n_neither`` for neither. Rows ordered by group (sorted), then
    name (lexicon order).

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and Psychological
    Measurement* 20(1), 37-46.
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of Pennsylvania.
    """
    lexicon = _naming_lexicon(naming_lexicon)
    lex, coded, has_code = _codings(dfm, lexicon, coded_variable)
    if by is None:
        labels, row_labels = ["all"], np.full(len(dfm), "all", dtype=object)
    else:
        _require(dfm.docvars, [by])
        labels, row_labels = _groups(dfm.docvars, by)
    rows = []
    for label in labels:
        idx = np.flatnonzero((row_labels == label) & has_code)
        for j, name in enumerate(lexicon.categories):
            a = lex[idx, j].astype(int)
            b = coded[idx, j].astype(int)
            n = len(idx)
            rows.append((label, name, n, int(a.sum()), int(b.sum()), int((a & b).sum()),
                         int(((1 - a) & (1 - b)).sum()), float(np.mean(a == b)) if n else np.nan,
                         cohens_kappa(a.tolist(), b.tolist()),
                         krippendorff_alpha(np.vstack([a, b]), level="nominal") if n else np.nan))
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))
