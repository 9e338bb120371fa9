"""Cluster bootstrap: the uncertainty behind every comparison of groups.

Articles of one outlet are not independent observations, so resampling articles alone understates
the uncertainty of a group's rate. The two-stage (cluster) bootstrap resamples outlets within a
group, then articles within each drawn outlet (Davison and Hinkley 1997, section 3.8; Field and
Welsh 2007). Percentile intervals are reported (Efron and Tibshirani 1993, ch. 13).

References
----------
Davison, A. C. and Hinkley, D. V. (1997). *Bootstrap Methods and their Application*. Cambridge UP.
Field, C. A. and Welsh, A. H. (2007). Bootstrapping clustered data. *JRSS B* 69(3), 369-390.
Efron, B. and Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import numpy as np

#: Default number of bootstrap replicates.
B_DEFAULT = 2000
#: Default confidence level of intervals.
LEVEL = 0.95


def cluster_weights(clusters, n_boot: int = B_DEFAULT, seed: int = 0, chunk: int = 500,
                    two_stage: bool = True) -> Iterator[np.ndarray]:
    """Bootstrap weights for units grouped in clusters, in chunks of replicates.

    Each replicate draws as many clusters as there are, with replacement, then (``two_stage``)
    as many units as the drawn cluster has, with replacement, from within it. The weight of a unit
    is the number of times it was drawn, so a statistic ``sum(w * x) / sum(w * y)`` is its value on
    the bootstrap sample.

    Parameters
    ----------
    clusters : array-like, shape (n,)
        Cluster label of each unit (for example each article's outlet).
    n_boot : int
        Number of replicates.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same weights.
    chunk : int
        Replicates per yielded array (bounds memory for large corpora).
    two_stage : bool, default True
        Resample units within clusters too; ``False`` keeps each drawn cluster whole.

    Yields
    ------
    ndarray of shape (<=chunk, n), int32
    """
    labels, inverse = np.unique(np.asarray(clusters).astype(str), return_inverse=True)
    n, m = len(inverse), len(labels)
    order = np.argsort(inverse, kind="stable")  # units sorted by cluster
    sizes = np.bincount(inverse, minlength=m)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    rng = np.random.default_rng(seed)
    done = 0
    while done < n_boot:
        k = min(chunk, n_boot - done)
        rows = np.repeat(np.arange(k), m)
        picks = rng.integers(0, m, size=k * m)  # stage 1: m clusters per replicate, with replacement
        times = np.bincount(rows * m + picks, minlength=k * m).reshape(k, m)
        if two_stage:  # stage 2: within each drawn cluster, as many units as it has, with replacement
            draws = (times * sizes).ravel()
            cluster = np.repeat(np.tile(np.arange(m), k), draws)
            row = np.repeat(np.repeat(np.arange(k), m), draws)
            unit = order[starts[cluster] + (rng.random(len(cluster)) * sizes[cluster]).astype(np.int64)]
            weights = np.bincount(row * n + unit, minlength=k * n).reshape(k, n).astype(np.int32)
        else:
            weights = np.zeros((k, n), dtype=np.int32)
            weights[:, order] = np.repeat(times, sizes, axis=1)
        done += k
        yield weights


def group_seed(seed: int, label: str) -> int:
    """The bootstrap seed of one group: derived from ``seed`` and the group's label.

    Each group gets its own random stream, so groups are resampled independently, and a group's
    replicates (hence its interval) do not change when other groups are added or removed, or when
    it is paired with another group in :func:`group_differences`.
    """
    entropy = [int(seed), zlib.crc32(str(label).encode("utf-8"))]
    return int(np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint64)[0] >> 1)


def percentile_interval(samples: np.ndarray, level: float = LEVEL, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval ``(low, high)`` along ``axis``, ignoring NaN replicates."""
    alpha = (1 - level) / 2
    low = np.nanquantile(samples, alpha, axis=axis)
    high = np.nanquantile(samples, 1 - alpha, axis=axis)
    return low, high


def bootstrap_ratio(numerator: np.ndarray, denominator: np.ndarray, clusters, n_boot: int = B_DEFAULT,
                    seed: int = 0) -> np.ndarray:
    """Replicates of ``sum(numerator) / sum(denominator)`` (columns of ``numerator`` at once).

    Parameters
    ----------
    numerator : ndarray, shape (n,) or (n, k)
    denominator : ndarray, shape (n,)
    clusters : array-like, shape (n,)

    Returns
    -------
    ndarray, shape (n_boot,) or (n_boot, k); NaN where a replicate's denominator is 0.
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    flat = num.ndim == 1
    num2 = num[:, None] if flat else num
    out = []
    for w in cluster_weights(clusters, n_boot, seed):
        top = w @ num2
        bottom = (w @ den)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), np.nan))
    result = np.vstack(out)
    return result[:, 0] if flat else result
