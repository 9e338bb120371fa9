"""Classifiers: how well an article's wording reveals its outlet's country group, or its coded frame.

Two tasks share one protocol. ``country`` predicts the country group of the article's outlet
(docvars ``group``; pass ``label="group_fine"`` for the finer grouping), ``frame`` predicts the coded
``primary_frame``. Three models (scikit-learn; Pedregosa et al. 2011): logistic regression and a
linear SVM on TF-IDF weights, and multinomial Naive Bayes on counts as the baseline. LR and SVM use
``class_weight="balanced"`` (each class weighs as much as the others in the loss, so that the small
Baloch group is not ignored); hyperparameters are fixed, not tuned, so no nested CV is needed.

Evaluation
----------
* **Grouped cross-validation.** Articles of one outlet share a house style, and copies of one wire
  story share their words; a split that puts the same source in training and test measures style
  recognition, not the group's framing ("leakage", Kaufman et al. 2012; Roberts et al. 2017). Folds
  are therefore formed of whole sources (docvars ``source``: the wire for syndicated copy, else the
  outlet): ``StratifiedGroupKFold`` (shuffled with the seed) or leave-one-source-out. Everything that
  learns from data is fit inside the training fold: the document-frequency vocabulary filter, the
  IDF weights and the model (:func:`make_pipeline`).
* **Pooled out-of-fold predictions** (each article predicted once, by the model that did not see its
  source) give macro-F1, per-class F1 and accuracy. Their 95% intervals come from the two-stage
  cluster bootstrap of those predictions (:func:`mediaframes.bootstrap.cluster_weights`: resample
  sources, then articles within them). The interval describes the uncertainty of the test sample
  with the fitted models held fixed; it leaves out the variability of training (Bates, Hastie and
  Tibshirani 2024), so it is somewhat narrow.
* **Permutation test** (Ojala and Garriga 2010, test 1): labels are shuffled at source level and the
  whole grouped CV is re-run; ``p = (1 + #{permuted macro-F1 >= observed}) / (1 + n_perm)``. See
  :func:`permute_labels` for the scheme: it keeps the cluster structure of the labels, which an
  article-level shuffle would destroy (and so make any source-level signal look significant).
* **Top terms** per class from the model fit on all labelled articles, with their stability: the
  share of CV folds in whose model the term is also among the class's top ``k``.

Classes with fewer than ``min_class_size`` labelled articles are dropped before anything is fit
and listed in :attr:`ClassifierReport.dropped`; they are never dropped silently.

References
----------
Bates, S., Hastie, T. and Tibshirani, R. (2024). Cross-validation: what does it estimate and how well
does it do it? *JASA* 119(546), 1434-1445.
Kaufman, S., Rosset, S., Perlich, C. and Stitelman, O. (2012). Leakage in data mining: formulation,
detection, and avoidance. *ACM TKDD* 6(4), 15.
Ojala, M. and Garriga, G. C. (2010). Permutation tests for studying classifier performance. *JMLR* 11,
1833-1863.
Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. *JMLR* 12, 2825-2830.
Roberts, D. R. et al. (2017). Cross-validation strategies for data with temporal, spatial,
hierarchical, or phylogenetic structure. *Ecography* 40(8), 913-929.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneGroupOut
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_array, check_is_fitted
from threadpoolctl import threadpool_limits

from .bootstrap import B_DEFAULT, cluster_weights, percentile_interval
from .dfm import DocumentFeatureMatrix
from .errors import InputError, InputErrors, Problem
from .tokenize import DEFAULT_TOKENIZER, Tokenizer

#: Task -> the docvar it predicts by default.
TASKS = {"country": "group", "frame": "primary_frame"}
#: Models, in report order.
MODELS = ("logreg", "svm", "nb")
#: Cross-validation schemes: stratified group k-fold, or leave one source out.
CV_SCHEMES = ("group-kfold", "logo")
#: Classes with fewer labelled articles than this are dropped (and reported).
MIN_CLASS_SIZE = 10
#: Default number of label permutations. Each re-runs the grouped CV: on the shipped corpus (one core)
#: about 0.35 s per permutation for the three models of the country task together (logreg alone
#: 0.2 s, svm alone 0.17 s) and 0.45 s for the frame task.
N_PERM_DEFAULT = 100
#: Terms listed per class.
TOP_K = 20

METRIC_COLUMNS = ("task", "model", "metric", "value", "ci_low", "ci_high")
CONFUSION_COLUMNS = ("task", "model", "true", "predicted", "n", "share")
TOP_TERM_COLUMNS = ("task", "model", "class", "rank", "term", "weight", "stability")
DROPPED_COLUMNS = ("task", "class", "n_articles", "reason")
PREDICTION_COLUMNS = ("task", "model", "doc_id", "source", "fold", "true", "predicted")
NULL_COLUMNS = ("task", "model", "permutation", "macro_f1")
#: Label of the row of :attr:`ClassifierReport.dropped` counting articles without a label.
NO_LABEL = "(none)"


# -- labels ---------------------------------------------------------------------------------------
def label_column(task: str, label: str | None = None) -> str:
    """The docvar a task predicts: ``label`` when given, else the task's default (:data:`TASKS`)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; try one of {', '.join(TASKS)}")
    return label or TASKS[task]


@dataclass
class Labelled:
    """The articles a classifier learns from: their matrix, labels, sources and what was left out."""

    dfm: DocumentFeatureMatrix
    y: np.ndarray
    sources: np.ndarray
    classes: np.ndarray
    dropped: pd.DataFrame


def labelled(dfm: DocumentFeatureMatrix, task: str = "country", label: str | None = None,
             min_class_size: int = MIN_CLASS_SIZE) -> Labelled:
    """Keep the articles with a label of a class that has at least ``min_class_size`` articles.

    Returns the kept articles and a table (:data:`DROPPED_COLUMNS`) of what was dropped: one row per
    small class, and one row (class :data:`NO_LABEL`) for articles without a label.
    """
    column = label_column(task, label)
    if column not in dfm.docvars.columns:
        raise ValueError(f"the matrix has no docvar {column!r}; try one of "
                         f"{', '.join(map(str, dfm.docvars.columns))}")
    values = dfm.docvars[column]
    if values.map(lambda v: isinstance(v, (list, tuple, set))).any():
        raise ValueError(f"{column} holds lists; a classifier needs one label per article. "
                         "Try a single-valued docvar such as group, group_fine or primary_frame")
    has_label = values.notna().to_numpy() & (values.astype(str).str.strip() != "").to_numpy()
    y_all = values.astype(str).to_numpy(dtype=object)
    sizes = pd.Series(y_all[has_label]).value_counts()
    small = sizes[sizes < min_class_size]
    rows = [(task, cls, int(n), f"fewer than {min_class_size} articles")
            for cls, n in sorted(small.items(), key=lambda item: (item[1], item[0]))]
    if (~has_label).any():
        rows.append((task, NO_LABEL, int((~has_label).sum()), f"no {column}"))
    keep = has_label & ~np.isin(y_all, small.index.to_numpy(dtype=object))
    classes = np.unique(y_all[keep].astype(str))
    if len(classes) < 2:
        raise ValueError(f"{task}: {len(classes)} class(es) of {column} have at least {min_class_size} "
                         "articles; a classifier needs two. Try a lower min_class_size or more labelled articles")
    kept = dfm.select(keep)
    return Labelled(kept, y_all[keep].astype(str), kept.docvars["source"].astype(str).to_numpy(), classes,
                    pd.DataFrame(rows, columns=list(DROPPED_COLUMNS)))


# -- models ---------------------------------------------------------------------------------------
class DocumentFrequencyFilter(TransformerMixin, BaseEstimator):
    """Keep the columns (terms) found in at least ``min_df`` and at most ``max_df`` training documents.

    The same conventions as scikit-learn's ``CountVectorizer`` and :meth:`DocumentFeatureMatrix.trim`
    (ints count documents, floats are shares), but as a pipeline step, so that the vocabulary is
    learnt from the training fold only.

    Parameters
    ----------
    min_df : int or float, default 2
    max_df : int or float, default 1.0
    """

    def __init__(self, min_df: float = 2, max_df: float = 1.0):
        self.min_df = min_df
        self.max_df = max_df

    def fit(self, X, y=None):
        X = check_array(X, accept_sparse="csr")
        n = X.shape[0]
        lo = self.min_df if isinstance(self.min_df, (int, np.integer)) else int(np.ceil(self.min_df * n))
        hi = self.max_df if isinstance(self.max_df, (int, np.integer)) else int(np.floor(self.max_df * n))
        df = np.asarray((sparse.csr_matrix(X) > 0).sum(axis=0)).ravel()
        self.support_ = (df >= lo) & (df <= hi)
        if not self.support_.any():
            raise ValueError(f"no term is in at least {self.min_df} and at most {self.max_df} of {n} training "
                             "documents; try a lower min_df or a higher max_df")
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        check_is_fitted(self, "support_")
        X = check_array(X, accept_sparse="csr")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} terms, the filter was fit on {self.n_features_in_}")
        return X[:, self.support_]


def make_pipeline(model: str = "logreg", *, min_df: float = 2, max_df: float = 1.0, C: float = 1.0,
                  alpha: float = 1.0, sublinear_tf: bool = True, seed: int = 0) -> Pipeline:
    """A classifier on DFM counts: vocabulary filter, then TF-IDF and LR/SVM, or NB on counts.

    Parameters
    ----------
    model : {"logreg", "svm", "nb"}
        ``logreg``: multinomial logistic regression (L2, ``C``; solver newton-cg, which is
        deterministic and, on this corpus, faster than lbfgs). ``svm``: ``LinearSVC`` (one-vs-rest,
        squared hinge, ``C``). Both with ``class_weight="balanced"``. ``nb``: ``MultinomialNB`` with
        Laplace/Lidstone smoothing ``alpha``, on raw counts (its model is one of counts).
    min_df, max_df : see :class:`DocumentFrequencyFilter`.
    sublinear_tf : bool, default True
        TF-IDF with ``1 + log(tf)``, so one word repeated does not dominate a short article.
    seed : int
        ``random_state`` of the SVM's coordinate descent.
    """
    steps: list = [("terms", DocumentFrequencyFilter(min_df=min_df, max_df=max_df))]
    if model == "nb":
        return Pipeline(steps + [("clf", MultinomialNB(alpha=alpha))])
    steps.append(("tfidf", TfidfTransformer(sublinear_tf=sublinear_tf)))
    if model == "logreg":
        clf = LogisticRegression(C=C, class_weight="balanced", solver="newton-cg", max_iter=1000)
    elif model == "svm":
        clf = LinearSVC(C=C, class_weight="balanced", random_state=seed)
    else:
        raise ValueError(f"unknown model {model!r}; try one of {', '.join(MODELS)}")
    return Pipeline(steps + [("clf", clf)])


# -- cross-validation -----------------------------------------------------------------------------
def grouped_splits(y, sources, cv: str = "group-kfold", n_splits: int = 5,
                   seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs in which no source is on both sides.

    ``group-kfold``: the folds of ``StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)``,
    which keeps the class shares of the folds close to the whole (computed by
    :func:`stratified_group_folds`); ``logo``: one fold per source (``LeaveOneGroupOut``).
    """
    y, sources = np.asarray(y).astype(str), np.asarray(sources).astype(str)
    n_sources = len(np.unique(sources))
    if cv == "logo":
        tests = [te for _, te in LeaveOneGroupOut().split(np.zeros(len(y)), y, sources)]
    elif cv == "group-kfold":
        if n_sources < n_splits:
            raise ValueError(f"{n_sources} sources cannot fill {n_splits} folds; try n_splits <= {n_sources}")
        tests = stratified_group_folds(y, sources, n_splits, seed)
    else:
        raise ValueError(f"unknown cv {cv!r}; try one of {', '.join(CV_SCHEMES)}")
    everything = np.arange(len(y))
    return [(np.setdiff1d(everything, te), np.sort(te)) for te in tests]


def stratified_group_folds(y, groups, n_splits: int = 5, seed: int = 0) -> list[np.ndarray]:
    """Test indices of scikit-learn's ``StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)``.

    The same greedy algorithm with the same random draws and tie-breaks (groups in shuffled order,
    sorted by the spread of their class counts, each put in the fold that keeps the per-class shares
    of the folds most even; ties go to the smaller fold), so the folds are identical (the tests check
    this against scikit-learn). Only the scoring of the candidate folds is vectorised: the
    permutation test computes folds anew for every permutation, and scikit-learn's loop took as long
    as fitting a model.
    """
    _, y_inv, y_cnt = np.unique(np.asarray(y), return_inverse=True, return_counts=True)
    _, groups_inv, groups_cnt = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)
    if np.all(n_splits > y_cnt):
        raise ValueError(f"n_splits={n_splits} cannot be greater than the number of members in each class; "
                         "try fewer folds")
    if n_splits > y_cnt.min():
        warnings.warn(f"The least populated class in y has only {y_cnt.min()} members, which is less than "
                      f"n_splits={n_splits}.", UserWarning)
    counts = np.zeros((len(groups_cnt), len(y_cnt)))
    np.add.at(counts, (groups_inv, y_inv), 1)
    perm = np.arange(len(groups_cnt))
    np.random.RandomState(seed).shuffle(perm)  # scikit-learn's check_random_state(seed).shuffle
    counts = counts[perm]
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(perm.size)
    groups_inv = inverse[groups_inv]
    per_fold = np.zeros((n_splits, len(y_cnt)))
    fold_of_group = np.empty(len(groups_cnt), dtype=np.int64)
    eye = np.eye(n_splits)[:, :, None]
    for g in np.argsort(-np.std(counts, axis=1), kind="stable"):
        candidates = per_fold[None, :, :] + eye * counts[g][None, None, :]  # [candidate fold, fold, class]
        evals = np.std(candidates / y_cnt, axis=1).mean(axis=1).tolist()
        sizes = per_fold.sum(axis=1).tolist()
        best, best_eval, best_size = 0, np.inf, np.inf
        for i, (value, size) in enumerate(zip(evals, sizes)):
            close = best_eval != np.inf and abs(value - best_eval) <= 1e-8 + 1e-5 * abs(best_eval)  # np.isclose
            if value < best_eval or (close and size < best_size):
                best, best_eval, best_size = i, value, size
        per_fold[best] += counts[g]
        fold_of_group[g] = best
    fold = fold_of_group[groups_inv]
    return [np.flatnonzero(fold == i) for i in range(n_splits)]


@dataclass
class OutOfFold:
    """One model's pooled out-of-fold predictions, the fold that held each article out (-1: none),
    and the fitted fold pipelines (when kept)."""

    predictions: np.ndarray
    fold: np.ndarray
    models: list = field(default_factory=list)


def cross_val_oof(pipelines: Mapping[str, Pipeline], X, y, splits, keep_models: bool = False) -> dict[str, OutOfFold]:
    """Pooled out-of-fold predictions: each article predicted by the model fit without its fold.

    Everything is fit on the training part of each split (vocabulary filter, IDF, classifier).
    Pipelines whose preprocessing steps (all but the last) have equal parameters share one fit of
    those steps per fold: the result is the same as fitting each pipeline alone, only faster.
    """
    X, y = sparse.csr_matrix(X), np.asarray(y)
    out = {name: OutOfFold(np.full(len(y), None, dtype=object), np.full(len(y), -1, dtype=np.int64))
           for name in pipelines}
    for k, (train, test) in enumerate(splits):
        prepared: dict[str, tuple] = {}
        for name, pipeline in pipelines.items():
            key = repr([(n, type(step).__name__, sorted(step.get_params().items())) for n, step in pipeline.steps[:-1]])
            if key not in prepared:
                prepared[key] = _fit_prefix(pipeline.steps[:-1], X[train], y[train], X[test])
            steps, train_features, test_features = prepared[key]
            last_name, last = pipeline.steps[-1]
            clf = clone(last).fit(train_features, y[train])
            out[name].predictions[test] = clf.predict(test_features)
            out[name].fold[test] = k
            if keep_models:
                out[name].models.append(Pipeline(steps + [(last_name, clf)]))
    return out


def _fit_prefix(steps, X_train, y_train, X_test) -> tuple[list, object, object]:
    """Fit the preprocessing steps on the training rows; return them and both transformed parts."""
    if not steps:
        return [], X_train, X_test
    prefix = clone(Pipeline(steps))
    return prefix.steps, prefix.fit_transform(X_train, y_train), prefix.transform(X_test)


# -- scores ---------------------------------------------------------------------------------------
@dataclass
class Scores:
    """Per-class F1 (rows: replicates, columns: classes), macro-F1 and accuracy."""

    f1: np.ndarray
    macro_f1: np.ndarray
    accuracy: np.ndarray


def scores(y_true, y_pred, classes, weights=None) -> Scores:
    """F1 per class, macro-F1 and accuracy, for each row of case ``weights`` (default: all 1).

    ``F1_k = 2 TP_k / (2 TP_k + FP_k + FN_k)`` from the (weighted) confusion counts; it is NaN
    when a class has neither true nor predicted weight (it is absent from a bootstrap replicate), and
    macro-F1 averages the classes that are present. This equals
    ``sklearn.metrics.f1_score(y_true, y_pred, labels=classes, sample_weight=w, zero_division=np.nan)``
    (``average=None`` and ``"macro"``), computed for many weight vectors at once.
    """
    classes = np.asarray(classes)
    k = len(classes)
    t, p = _codes(y_true, classes), _codes(y_pred, classes)
    cell = sparse.csr_matrix((np.ones(len(t)), (np.arange(len(t)), t * k + p)), shape=(len(t), k * k))
    w = np.ones((1, len(t))) if weights is None else np.atleast_2d(weights)
    counts = np.asarray((cell.T @ w.T).T, dtype=float).reshape(len(w), k, k)  # [replicate, true, predicted]
    tp = np.diagonal(counts, axis1=1, axis2=2)
    denominator = counts.sum(axis=2) + counts.sum(axis=1)  # (TP + FN) + (TP + FP)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(denominator > 0, 2 * tp / np.where(denominator > 0, denominator, 1), np.nan)
        accuracy = tp.sum(axis=1) / counts.sum(axis=(1, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows cannot occur with total weight > 0
        macro = np.nanmean(f1, axis=1)
    return Scores(f1, macro, accuracy)


def _codes(labels, classes) -> np.ndarray:
    """Position of each label in ``classes`` (any order)."""
    index = {str(c): j for j, c in enumerate(classes)}
    labels = [str(v) for v in labels]
    unknown = [v for v in labels if v not in index]
    if unknown:
        raise ValueError(f"label {unknown[0]!r} is not one of the classes {[str(c) for c in classes]}")
    return np.fromiter((index[v] for v in labels), dtype=np.int64, count=len(labels))


def bootstrap_scores(y_true, y_pred, classes, sources, n_boot: int = B_DEFAULT, seed: int = 0) -> Scores:
    """:func:`scores` on ``n_boot`` two-stage cluster-bootstrap replicates (clusters: ``sources``)."""
    parts = [scores(y_true, y_pred, classes, w) for w in cluster_weights(sources, n_boot, seed)]
    return Scores(np.vstack([s.f1 for s in parts]), np.concatenate([s.macro_f1 for s in parts]),
                  np.concatenate([s.accuracy for s in parts]))


# -- permutation test -----------------------------------------------------------------------------
def permute_labels(y, sources, rng: np.random.Generator) -> np.ndarray:
    """One source-level permutation of the labels (the null of Ojala and Garriga's test 1).

    When every source carries a single label (the country task: a source's group is its country's),
    the sources' labels are permuted among all sources, and each article takes its source's new label.
    When labels vary within sources (the frame task), whole label vectors are swapped among sources
    with the same number of articles, and shuffled within the receiving source. Under the null that
    the text says nothing about the label, sources of equal size are exchangeable, and so are
    articles within a source; the permuted labels keep the clustering of the observed ones (a source
    whose articles share a frame still does), so source-level signal is not mistaken for text signal.
    Sources whose size is unique keep their labels (up to the within-source shuffle): the test uses
    fewer permutations, which costs power, not validity.
    """
    y = np.asarray(y).astype(str)
    names, source = np.unique(np.asarray(sources).astype(str), return_inverse=True)
    out = np.empty_like(y)
    order = np.argsort(source, kind="stable")
    members = np.split(order, np.cumsum(np.bincount(source, minlength=len(names)))[:-1])
    if all(len(set(y[m])) == 1 for m in members):
        labels = np.array([y[m[0]] for m in members])
        return labels[rng.permutation(len(names))][source]
    sizes = np.array([len(m) for m in members])
    for size in np.unique(sizes):
        same = np.flatnonzero(sizes == size)
        for receiver, donor in zip(same, same[rng.permutation(len(same))]):
            out[members[receiver]] = y[members[donor]][rng.permutation(size)]
    return out


def permutation_scheme(y, sources) -> str:
    """How :func:`permute_labels` permutes these labels, in words (for reports)."""
    table = pd.DataFrame({"y": np.asarray(y).astype(str), "source": np.asarray(sources).astype(str)})
    per_source = table.groupby("source")["y"].agg(["nunique", "size"])
    if (per_source["nunique"] == 1).all():
        return f"labels permuted among all {len(per_source)} sources (each source has one label)"
    shared = per_source["size"].map(per_source["size"].value_counts()) > 1
    return (f"whole label vectors swapped among sources of equal size ({int(shared.sum())} of {len(per_source)} "
            "sources share their size with another) and shuffled within them")


def permutation_test(pipelines: Mapping[str, Pipeline], X, y, sources, classes, observed: Mapping[str, float], *,
                     cv: str = "group-kfold", n_splits: int = 5, n_perm: int = N_PERM_DEFAULT, seed: int = 0,
                     n_jobs: int | None = 1) -> dict[str, tuple[float, np.ndarray]]:
    """p-value of each model's observed macro-F1 against ``n_perm`` source-level label permutations.

    Each permutation (:func:`permute_labels`) re-runs the whole grouped CV: new folds for the
    permuted labels (the stratification depends on them), then every model of ``pipelines`` on
    those folds; the pooled out-of-fold predictions are scored by macro-F1, and
    ``p = (1 + #{null >= observed}) / (1 + n_perm)`` (Ojala and Garriga 2010), so the smallest
    attainable p is ``1 / (1 + n_perm)``. All models face the same permutations, which depend on
    ``seed`` only (not on ``n_jobs``).

    Returns
    -------
    dict model -> (p, macro-F1 of each permutation)
    """
    rng = np.random.default_rng([seed, 1])  # a stream of its own, apart from the fold and bootstrap seeds
    permuted = [permute_labels(y, sources, rng) for _ in range(n_perm)]
    job = delayed(_permuted_scores)
    null = Parallel(n_jobs=n_jobs)(job(pipelines, X, yp, sources, classes, cv, n_splits, seed) for yp in permuted)
    out = {}
    for j, name in enumerate(pipelines):
        scores_ = np.array([row[j] for row in null], dtype=float)
        out[name] = (float((1 + np.sum(scores_ >= observed[name] - 1e-12)) / (1 + n_perm)), scores_)
    return out


def _permuted_scores(pipelines, X, y, sources, classes, cv, n_splits, seed) -> list[float]:
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.filterwarnings("ignore", message="The least populated class")
        splits = grouped_splits(y, sources, cv, n_splits, seed)
        oof = cross_val_oof(pipelines, X, y, splits)
    return [float(scores(y, oof[name].predictions, classes).macro_f1[0]) for name in pipelines]


# -- interpretation -------------------------------------------------------------------------------
def linear_weights(pipeline: Pipeline, terms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(classes, terms, weights)`` of a fitted pipeline; ``weights`` has one row per class.

    LR and SVM: the coefficients on TF-IDF features (with two classes, the single coefficient
    vector for the second class and its negative for the first). NB: the class's log term
    probabilities minus their mean over classes; subtracting the same number for every class leaves
    NB's decisions unchanged, so these are its linear weights, centred like multinomial LR's.
    """
    clf = pipeline.named_steps["clf"]
    names = np.asarray(terms, dtype=object)[pipeline.named_steps["terms"].support_]
    if isinstance(clf, MultinomialNB):
        weights = clf.feature_log_prob_ - clf.feature_log_prob_.mean(axis=0)
    else:
        weights = clf.coef_
        if weights.shape[0] == 1 and len(clf.classes_) == 2:
            weights = np.vstack([-weights[0], weights[0]])
    return clf.classes_, names, weights


def _top(names: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest weights (ties: alphabetical)."""
    return np.lexsort((names.astype(str), -weights))[:k]


def top_terms(final: Pipeline, folds: Sequence[Pipeline], terms, k: int = TOP_K) -> pd.DataFrame:
    """Each class's ``k`` highest-weighted terms of ``final`` and their stability across ``folds``.

    ``stability`` is the share of fold models in which the term is among the class's top ``k``
    (a fold whose training data lacked the class counts as not listing it). Columns ``class, rank,
    term, weight, stability``.
    """
    listed: dict[str, list[set]] = {}
    for fitted in folds:
        classes, names, weights = linear_weights(fitted, terms)
        for cls, row in zip(classes, weights):
            listed.setdefault(str(cls), []).append(set(names[_top(names, row, k)]))
    rows = []
    classes, names, weights = linear_weights(final, terms)
    for cls, row in zip(classes, weights):
        sets = listed.get(str(cls), [])
        for rank, pos in enumerate(_top(names, row, k), start=1):
            stability = sum(names[pos] in s for s in sets) / len(folds) if folds else np.nan
            rows.append((str(cls), rank, str(names[pos]), float(row[pos]), float(stability)))
    return pd.DataFrame(rows, columns=["class", "rank", "term", "weight", "stability"])


def confusion_table(y_true, y_pred, classes) -> pd.DataFrame:
    """Every (true, predicted) pair of classes with its count and share of the true class's articles."""
    classes = np.asarray(classes)
    k = len(classes)
    counts = np.bincount(_codes(y_true, classes) * k + _codes(y_pred, classes), minlength=k * k).reshape(k, k)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.full(counts.shape, np.nan), where=totals > 0)
    return pd.DataFrame({"true": np.repeat(classes, k), "predicted": np.tile(classes, k),
                         "n": counts.ravel(), "share": share.ravel()})


# -- the analysis ---------------------------------------------------------------------------------
@dataclass
class ClassifierReport:
    """What :func:`evaluate` found; every table is tidy with the columns of the ``*_COLUMNS`` constants.

    Attributes
    ----------
    metrics : task, model, metric, value, ci_low, ci_high
        Per model: ``n_articles``, ``n_sources``, ``n_folds`` (no CI), ``macro_f1``, ``accuracy``,
        ``f1:<class>`` (95% cluster-bootstrap CI), and with ``n_perm > 0`` ``permutation_mean`` (the
        mean permuted macro-F1: the chance level) and ``permutation_p`` (no CI).
    confusion : task, model, true, predicted, n, share (share of the true class's articles)
    top_terms : task, model, class, rank, term, weight, stability
    dropped : task, class, n_articles, reason (classes left out, and articles without a label)
    predictions : task, model, doc_id, source, fold, true, predicted (the pooled out-of-fold predictions)
    null : task, model, permutation, macro_f1 (the permutation distribution)
    classes : the classes predicted (sorted)
    notes : sentences for a report: what was left out, and how labels were permuted
    """

    metrics: pd.DataFrame
    confusion: pd.DataFrame
    top_terms: pd.DataFrame
    dropped: pd.DataFrame
    predictions: pd.DataFrame
    null: pd.DataFrame
    classes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def evaluate(dfm: DocumentFeatureMatrix, task: str = "country", models: Sequence[str] = MODELS, *,
             label: str | None = None, cv: str = "group-kfold", n_splits: int = 5, n_boot: int = B_DEFAULT,
             n_perm: int = N_PERM_DEFAULT, min_class_size: int = MIN_CLASS_SIZE, top_k: int = TOP_K,
             min_df: float = 2, max_df: float = 1.0, seed: int = 0, permutation_models: Sequence[str] | None = None,
             n_jobs: int | None = 1) -> ClassifierReport:
    """Grouped-CV evaluation of each model on one task (see the module docstring for the protocol).

    Parameters
    ----------
    dfm : DocumentFeatureMatrix
        Counts and docvars (``source`` and the label column are needed).
    task : {"country", "frame"}
    models : sequence of {"logreg", "svm", "nb"}
    label : str, optional
        Docvar to predict instead of the task's default (e.g. ``"group_fine"``).
    cv : {"group-kfold", "logo"}
    n_splits : int
        Folds of ``group-kfold``.
    n_boot : int
        Cluster-bootstrap replicates of the out-of-fold predictions.
    n_perm : int
        Label permutations (0: no test). Each re-runs the grouped CV, so it dominates the run time.
    min_class_size : int
        Classes with fewer labelled articles are dropped and listed in ``dropped``.
    top_k : int
        Terms per class in ``top_terms``.
    min_df, max_df : vocabulary filter, fit within each training fold (:class:`DocumentFrequencyFilter`).
    seed : int
        Seeds the folds, the SVM, the bootstrap and the permutations; the report is identical for
        the same inputs and seed.
    permutation_models : sequence of str, optional
        Models to run the permutation test for (default: all of ``models``); the test costs
        ``n_perm`` grouped CVs of each (see :data:`N_PERM_DEFAULT`). With ``cv="logo"`` every
        permutation fits one model per source: keep ``n_perm`` small.
    n_jobs : int, optional
        Processes for the permutations (joblib); results do not depend on it.
    """
    data = labelled(dfm, task, label, min_class_size)
    models, tested = _check_models(models, permutation_models)
    splits = grouped_splits(data.y, data.sources, cv, n_splits, seed)
    pipelines = {m: make_pipeline(m, min_df=min_df, max_df=max_df, seed=seed) for m in models}
    with threadpool_limits(limits=1, user_api="blas"):  # multithreaded BLAS only slows problems this small
        oof = cross_val_oof(pipelines, data.dfm.counts, data.y, splits, keep_models=True)
        finals = {m: clone(pipelines[m]).fit(data.dfm.counts, data.y) for m in models}
    parts = {m: _evaluate_model(data, oof[m], finals[m], len(splits), n_boot=n_boot, top_k=top_k, seed=seed)
             for m in models}
    notes = [f"left out: {n} article{'s' if n != 1 else ''} "
             + (f"without a label ({why})" if cls == NO_LABEL else f"of class {cls} ({why})")
             for cls, n, why in data.dropped[["class", "n_articles", "reason"]].itertuples(index=False)]
    if n_perm > 0 and tested:
        observed = {m: parts[m]["metrics"].set_index("metric").at["macro_f1", "value"] for m in tested}
        tests = permutation_test({m: pipelines[m] for m in tested}, data.dfm.counts, data.y, data.sources,
                                 data.classes, observed, cv=cv, n_splits=n_splits, n_perm=n_perm, seed=seed,
                                 n_jobs=n_jobs)
        for m, (p, null) in tests.items():
            extra = pd.DataFrame({"metric": ["permutation_mean", "permutation_p"], "value": [null.mean(), p],
                                  "ci_low": np.nan, "ci_high": np.nan})
            parts[m]["metrics"] = pd.concat([parts[m]["metrics"], extra], ignore_index=True)
            parts[m]["null"] = pd.DataFrame({"permutation": np.arange(1, n_perm + 1), "macro_f1": null})
        notes.append(f"permutation test ({n_perm} permutations): {permutation_scheme(data.y, data.sources)}")
    tables = {name: pd.concat([parts[m][name].assign(task=task, model=m) for m in models],
                              ignore_index=True)[list(columns)] for name, columns in _TABLES.items()}
    return ClassifierReport(**tables, dropped=data.dropped, classes=[str(c) for c in data.classes], notes=notes)


_TABLES = {"metrics": METRIC_COLUMNS, "confusion": CONFUSION_COLUMNS, "top_terms": TOP_TERM_COLUMNS,
           "predictions": PREDICTION_COLUMNS, "null": NULL_COLUMNS}


def _check_models(models, permutation_models) -> tuple[list[str], list[str]]:
    models = list(models)
    tested = list(models if permutation_models is None else permutation_models)
    unknown = [m for m in models if m not in MODELS] or ([] if models else ["(none)"])
    if unknown:
        raise ValueError(f"unknown model {unknown[0]!r}; try one or more of {', '.join(MODELS)}")
    if any(m not in models for m in tested):
        raise ValueError(f"permutation_models {tested} are not all among models {models}; try a subset of models")
    return models, tested


def _evaluate_model(data: Labelled, oof: OutOfFold, final: Pipeline, n_folds: int, *, n_boot: int, top_k: int,
                    seed: int) -> dict[str, pd.DataFrame]:
    """One model's scores with bootstrap CIs, confusion, top terms and predictions (no task/model columns)."""
    y, classes, predictions = data.y, data.classes, oof.predictions
    observed = scores(y, predictions, classes)
    boot = bootstrap_scores(y, predictions, classes, data.sources, n_boot, seed)
    rows = [("n_articles", len(y), np.nan, np.nan), ("n_sources", len(np.unique(data.sources)), np.nan, np.nan),
            ("n_folds", n_folds, np.nan, np.nan)]
    rows += [(name, value[0], *percentile_interval(samples))
             for name, value, samples in (("macro_f1", observed.macro_f1, boot.macro_f1),
                                          ("accuracy", observed.accuracy, boot.accuracy))]
    low, high = percentile_interval(boot.f1)
    rows += [(f"f1:{cls}", observed.f1[0, j], low[j], high[j]) for j, cls in enumerate(classes)]
    metrics = pd.DataFrame(rows, columns=["metric", "value", "ci_low", "ci_high"]).astype(
        {"value": float, "ci_low": float, "ci_high": float})
    held_out = pd.DataFrame({"doc_id": data.dfm.docvars["doc_id"].to_numpy(), "source": data.sources,
                             "fold": oof.fold, "true": y, "predicted": predictions.astype(str)})
    return {"metrics": metrics, "confusion": confusion_table(y, predictions, classes),
            "top_terms": top_terms(final, oof.models, data.dfm.terms, top_k), "predictions": held_out,
            "null": pd.DataFrame({"permutation": pd.Series(dtype=np.int64), "macro_f1": pd.Series(dtype=float)})}


# -- scoring new articles -------------------------------------------------------------------------
@dataclass
class TrainedClassifier:
    """A model fit on every labelled article of a matrix, ready to score bags of words.

    Attributes
    ----------
    task, model, label : what it predicts and how
    classes : the labels it can predict (sorted)
    terms : the training matrix's terms (the input space; new terms are ignored)
    estimator : the fitted pipeline (``svm``: wrapped in ``CalibratedClassifierCV``)
    dropped : classes left out, as in :attr:`ClassifierReport.dropped`
    n_articles : articles it was trained on
    """

    task: str
    model: str
    label: str
    classes: list[str]
    terms: np.ndarray
    estimator: object
    dropped: pd.DataFrame
    n_articles: int

    def matrix(self, bows: Sequence[Mapping[str, int]]) -> sparse.csr_matrix:
        """Counts of ``bows`` in the training terms' columns (terms the model never saw are ignored)."""
        vocabulary = {t: j for j, t in enumerate(self.terms)}
        rows, cols, counts = [], [], []
        for i, bow in enumerate(bows):
            for term, count in bow.items():
                j = vocabulary.get(term)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    counts.append(count)
        return sparse.csr_matrix((np.asarray(counts, dtype=np.int64), (rows, cols)),
                                 shape=(len(bows), len(self.terms)))

    def predict_proba(self, bows: Sequence[Mapping[str, int]]) -> np.ndarray:
        """Class probabilities (columns in the order of :attr:`classes`)."""
        with threadpool_limits(limits=1, user_api="blas"):
            proba = self.estimator.predict_proba(self.matrix(bows))
        order = np.searchsorted(np.asarray(self.estimator.classes_).astype(str), self.classes)
        return proba[:, order]


def train(dfm: DocumentFeatureMatrix, task: str = "country", model: str = "logreg", *, label: str | None = None,
          min_class_size: int = MIN_CLASS_SIZE, min_df: float = 2, max_df: float = 1.0, n_splits: int = 5,
          seed: int = 0) -> TrainedClassifier:
    """Fit one model on every labelled article (classes smaller than ``min_class_size`` dropped).

    Probabilities: LR and NB give their own. The SVM has none, so it is wrapped in
    ``CalibratedClassifierCV(method="sigmoid")`` (Platt scaling, one-vs-rest, then normalised) whose
    calibration folds are the source-grouped folds of :func:`grouped_splits`: each sigmoid is fit on
    sources its SVM did not see, and the ``n_splits`` calibrated SVMs are averaged.
    """
    data = labelled(dfm, task, label, min_class_size)
    pipeline = make_pipeline(model, min_df=min_df, max_df=max_df, seed=seed)
    if model == "svm":
        folds = grouped_splits(data.y, data.sources, "group-kfold", min(n_splits, len(np.unique(data.sources))), seed)
        pipeline = CalibratedClassifierCV(pipeline, method="sigmoid", cv=folds, ensemble=True)
    with threadpool_limits(limits=1, user_api="blas"):
        fitted = pipeline.fit(data.dfm.counts, data.y)
    return TrainedClassifier(task, model, label_column(task, label), [str(c) for c in data.classes],
                             data.dfm.terms, fitted, data.dropped, len(data.y))


def record_bows(records: Iterable[tuple[dict, object]], tokenizer: Tokenizer = DEFAULT_TOKENIZER,
                source: str = "input") -> tuple[list[str], list[dict]]:
    """``(urls, bags of words)`` of raw input records, in input order.

    A record's bag of words is its ``text`` tokenized with ``tokenizer`` (the corpus rules), else its
    ``bow`` (term -> whole count >= 1); text wins when both are given, as in ``corpus add``. Every
    record needs its ``url``. The outlet is not looked up: it need not be registered.

    Raises
    ------
    InputErrors
        Every unusable record (and every problem the reader found), all at once.
    InputError
        No record at all in ``source``.
    """
    urls, bows, problems = [], [], []
    try:
        for raw, origin in records:
            bow, problem = _bow_of(raw, tokenizer)
            if problem is None and not str(raw.get("url") or "").strip():
                problem = ("no url", "every article needs its address in 'url'", "url")
            if problem:
                problems.append(Problem(getattr(origin, "file", str(origin)), problem[0], problem[1],
                                        line=getattr(origin, "line", None), field=problem[2]))
                continue
            urls.append(str(raw["url"]).strip())
            bows.append(bow)
    except InputErrors as exc:  # the reader raises its problems after the last record
        problems = list(exc.problems) + problems
    if problems:
        raise InputErrors(problems)
    if not bows:
        raise InputError(Problem(source, "no article records found",
                                 "give JSONL/CSV records, HTML pages, text files, scraper JSON or feeds"))
    return urls, bows


def _bow_of(raw, tokenizer: Tokenizer):
    if not isinstance(raw, dict):
        return None, (f"expected an object, got {type(raw).__name__}", "give one article per record", None)
    text, bow = raw.get("text"), raw.get("bow")
    if isinstance(text, str) and text.strip():
        counted = tokenizer.bag_of_words(text)
        if not counted:
            return None, ("the text has no words", "check the file's encoding and content", "text")
        return dict(counted), None
    if isinstance(bow, dict) and bow:
        if all(isinstance(c, int) and not isinstance(c, bool) and c >= 1 for c in bow.values()):
            return dict(bow), None
        return None, ("bow counts must be whole numbers >= 1", "write {\"term\": count, ...}", "bow")
    return None, ("neither text nor bow", "give the article's 'text' or its bag of words 'bow'", "text")


def predict_table(trained: TrainedClassifier, urls: Sequence[str], bows: Sequence[Mapping[str, int]]) -> pd.DataFrame:
    """One row per article, in the given order: ``url, predicted, p_<class>`` (classes sorted).

    ``predicted`` is the class of highest probability (ties: the first class alphabetically).
    """
    proba = trained.predict_proba(bows)
    table = pd.DataFrame({"url": list(urls),
                          "predicted": np.asarray(trained.classes, dtype=object)[proba.argmax(axis=1)]})
    for j, cls in enumerate(trained.classes):
        table[f"p_{cls}"] = proba[:, j]
    return table


def predict_records(trained: TrainedClassifier, records: Iterable[tuple[dict, object]],
                    tokenizer: Tokenizer = DEFAULT_TOKENIZER, source: str = "input") -> pd.DataFrame:
    """Score raw input records (as :func:`mediaframes.readers.read_paths` yields them): see
    :func:`record_bows` and :func:`predict_table`."""
    return predict_table(trained, *record_bows(records, tokenizer, source))


__all__ = ["TASKS", "MODELS", "CV_SCHEMES", "ClassifierReport", "DocumentFrequencyFilter", "Labelled", "OutOfFold",
           "Scores", "TrainedClassifier", "bootstrap_scores", "confusion_table", "cross_val_oof", "evaluate",
           "grouped_splits", "label_column", "labelled", "linear_weights", "make_pipeline", "permutation_test",
           "permutation_scheme", "permute_labels", "predict_records", "predict_table", "record_bows", "scores",
           "stratified_group_folds", "top_terms", "train"]
