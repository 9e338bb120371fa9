"""The document-feature matrix: one object that every analysis uses (quanteda's ``dfm``).

Rows are articles (ordered by ``doc_id``), columns are terms (sorted alphabetically, so the matrix
does not depend on the order articles entered the store), values are counts. ``docvars`` carries
each article's metadata, codes and country group, so an analysis needs nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse

from .registry import assign_groups, read_country_groups
from .store import Store

#: Docvars every matrix carries (besides codes, which vary with the codebook).
DOCVARS = ("doc_id", "article_id", "url", "domain", "outlet", "source", "country", "publisher_country",
           "wire", "published", "month", "n_words", "collection", "near_duplicate_of", "group", "group_fine")


class DocumentFeatureMatrix:
    """Counts of terms in documents, with document variables.

    Parameters
    ----------
    counts : scipy.sparse matrix, shape (n_docs, n_terms)
    terms : sequence of str, length n_terms
    docvars : pandas.DataFrame, n_docs rows
    """

    def __init__(self, counts, terms, docvars: pd.DataFrame):
        self.counts = sparse.csr_matrix(counts, dtype=np.int64)
        self.terms = np.asarray(terms, dtype=object)
        self.docvars = docvars.reset_index(drop=True)
        if self.counts.shape != (len(self.docvars), len(self.terms)):
            raise ValueError(f"counts has shape {self.counts.shape} but there are {len(self.docvars)} "
                             f"documents and {len(self.terms)} terms")

    # -- shape -------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return self.counts.shape

    def __len__(self) -> int:
        return self.counts.shape[0]

    def __repr__(self) -> str:
        return f"DocumentFeatureMatrix({self.shape[0]} documents x {self.shape[1]} terms)"

    @property
    def vocabulary(self) -> dict[str, int]:
        """term -> column index."""
        return {t: i for i, t in enumerate(self.terms)}

    # -- subsetting --------------------------------------------------------------------------
    def select(self, rows) -> "DocumentFeatureMatrix":
        """Documents by boolean mask or positions (a docvars query result works too)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        return DocumentFeatureMatrix(self.counts[rows], self.terms, self.docvars.iloc[rows])

    def select_terms(self, columns) -> "DocumentFeatureMatrix":
        columns = np.asarray(columns)
        if columns.dtype == bool:
            columns = np.flatnonzero(columns)
        return DocumentFeatureMatrix(self.counts[:, columns], self.terms[columns], self.docvars)

    def trim(self, min_df: float = 1, max_df: float = 1.0, min_count: int = 1) -> "DocumentFeatureMatrix":
        """Keep terms in at least ``min_df`` and at most ``max_df`` documents (ints count, floats are shares).

        Same conventions as scikit-learn's ``CountVectorizer``.
        """
        n = len(self)
        df = np.bincount(self.counts.indices, minlength=self.shape[1])
        lo = min_df if isinstance(min_df, (int, np.integer)) else int(np.ceil(min_df * n))
        hi = max_df if isinstance(max_df, (int, np.integer)) else int(np.floor(max_df * n))
        if lo > hi:
            raise ValueError(f"min_df={min_df} keeps more documents than max_df={max_df}; "
                             "try a lower min_df or a higher max_df")
        total = np.asarray(self.counts.sum(axis=0)).ravel()
        return self.select_terms((df >= lo) & (df <= hi) & (total >= min_count))

    def remove(self, stopwords: Iterable[str]) -> "DocumentFeatureMatrix":
        """Drop the given terms (for example an extra stopword list)."""
        drop = set(stopwords)
        return self.select_terms(np.array([t not in drop for t in self.terms], dtype=bool))

    # -- weighting and aggregation -------------------------------------------------------------
    def tfidf(self, **params) -> sparse.csr_matrix:
        """TF-IDF weights (scikit-learn's ``TfidfTransformer`` with ``params``)."""
        from sklearn.feature_extraction.text import TfidfTransformer  # scikit-learn takes a second to import

        return TfidfTransformer(**params).fit_transform(self.counts)

    def group_counts(self, by: str) -> tuple[np.ndarray, sparse.csr_matrix]:
        """Sum the counts of documents sharing a docvar value: (sorted labels, labels x terms counts)."""
        labels, codes = np.unique(self.docvars[by].astype(str).to_numpy(), return_inverse=True)
        indicator = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                                      shape=(len(labels), len(codes)))
        return labels, (indicator @ self.counts).tocsr()

    def term_counts(self, terms: Iterable[str]) -> np.ndarray:
        """Dense (n_docs, len(terms)) counts of the given terms (zero for terms not in the matrix)."""
        vocab = self.vocabulary
        terms = list(terms)
        out = np.zeros((len(self), len(terms)), dtype=np.int64)
        present = [(j, vocab[t]) for j, t in enumerate(terms) if t in vocab]
        if present:
            out[:, [j for j, _ in present]] = self.counts[:, [c for _, c in present]].toarray()
        return out


def _sources_of_copies(articles: pd.DataFrame) -> pd.Series:
    """A near-duplicate takes the source of the article it copies (followed to the first original).

    A copy and its original must fall in the same cross-validation fold and the same bootstrap
    cluster; otherwise the copy leaks the original's words across folds.
    """
    by_url = dict(zip(articles["url"], articles.index)) | dict(zip(articles["canonical_url"], articles.index))
    source = articles["source"].copy()
    for i, target in articles["near_duplicate_of"].items():
        seen = {i}
        while isinstance(target, str) and target in by_url and by_url[target] not in seen:
            j = by_url[target]
            seen.add(j)
            source.loc[i] = articles.at[j, "source"]
            target = articles.at[j, "near_duplicate_of"]
    return source


def dfm_from_store(store: Store, collection: str | None = None, groups: pd.DataFrame | None = None,
                   codes: bool = True) -> DocumentFeatureMatrix:
    """Build the document-feature matrix of the stored articles.

    Parameters
    ----------
    store : Store
    collection : str, optional
        Only articles of this collection (default: all).
    groups : DataFrame, optional
        Country -> group mapping (default ``corpus/country_groups.csv``); see
        :func:`mediaframes.registry.read_country_groups`.
    codes : bool, default True
        Add each article's primary codes as docvars (one column per coded variable).

    Notes
    -----
    ``outlet`` is the registered name of the article's domain; ``source`` is the wire for
    syndicated copy and the outlet otherwise, and a flagged near-duplicate takes the source of its
    original. ``source`` is the cluster unit of grouped cross-validation and of the cluster
    bootstrap: copies of one story are not independent.
    """
    articles = store.articles(collection)
    outlets = store.outlets().set_index("domain")["outlet"]
    articles["outlet"] = articles["domain"].map(outlets).fillna(articles["outlet"])
    articles["source"] = articles["wire"].where(articles["wire"].notna() & (articles["wire"] != ""),
                                                articles["outlet"])
    articles["source"] = _sources_of_copies(articles)
    articles = assign_groups(articles, groups if groups is not None else read_country_groups())
    docvars = articles[list(DOCVARS)]
    if codes:
        coded = store.codes(primary_only=True).drop(columns="coder", errors="ignore")
        coded = coded.drop_duplicates("article_id")
        docvars = docvars.merge(coded, on="article_id", how="left")
    ids = articles["article_id"].tolist()
    indptr, term_ids, counts = store.feature_arrays(ids)
    used = np.unique(term_ids)
    names = store.terms().reindex(used).to_numpy(dtype=object)
    order = np.argsort(names.astype(str), kind="stable")
    column = np.empty(used.max() + 1 if len(used) else 0, dtype=np.int64)
    column[used[order]] = np.arange(len(used))
    matrix = sparse.csr_matrix((counts, column[term_ids] if len(term_ids) else term_ids, indptr),
                               shape=(len(ids), len(used)))
    matrix.sort_indices()
    return DocumentFeatureMatrix(matrix, names[order], docvars)
