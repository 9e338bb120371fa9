"""Near-duplicate detection: wire copies and reposts whose bags of words are almost the same.

Duplicates are kept and flagged (``articles.near_duplicate_of``), never merged: whether a syndicated
copy counts as a separate article is the analyst's decision, not the importer's. Flags already in the
store (for example those the shipped corpus carries) are never changed; only newly added articles
are checked.

Criterion
---------
Two articles are near duplicates when the Jaccard similarity of their sets of terms (Broder's
*resemblance*) is at least :data:`THRESHOLD`:

.. math:: J(A, B) = |A \\cap B| \\, / \\, |A \\cup B| \\ge 0.7

Sets, not counts: a few frequent words ("balochistan", "attack") make any two articles on the
conflict look alike under the cosine of counts (on the synthetic benchmark text, a cosine of counts
>= 0.9 pairs nearly every article with another). On the shipped corpus (464 articles, 107,416 pairs)
the median pairwise Jaccard is 0.05, the 99.9th percentile 0.30 and the highest 0.699; the three
pairs the coders flagged by hand have 0.54, 0.67 and 0.699. At 0.7 a pair shares at least 70% of
the distinct words of each article (:math:`|A \\cap B| / \\max(|A|, |B|) \\ge J`): a wire story
with another headline or cut-off, not a rewrite of the same event.

Scaling: MinHash and locality-sensitive hashing
-----------------------------------------------
Comparing a new article with every stored one costs O(N) per article and loads every bag of words.
Instead each article gets a MinHash signature of :data:`N_HASHES` = 160 values (Broder 1997): the
probability that two sets share a minimum hash equals their Jaccard similarity. The signature is
cut into :data:`N_BANDS` = 32 bands of :data:`ROWS` = 5 values, and each band is hashed to one
32-bit key, stored in the ``minhash`` table (schema migration 2; 128 bytes per article). Two
articles are candidates when at least :data:`MIN_VOTES` = 1 band key agrees (Leskovec, Rajaraman
& Ullman 2020, ch. 3); candidates are then confirmed with the exact Jaccard of their term sets, so a
flag is never a hashing accident. The chance that a pair becomes a candidate is
:math:`1 - (1 - J^5)^{32}`:

=========  ======  ======  ======  ======  ======  ======
J          0.3     0.5     0.6     0.65    0.7     0.8
candidate  0.075   0.64    0.93    0.981   0.997   1.000
=========  ======  ======  ======  ======  ======  ======

so a pair at the threshold is found with probability 0.997 and one at 0.8 almost surely, while
unrelated articles (J around 0.05 to 0.15) are almost never compared. Finding the candidates of a
batch reads the stored keys (128 bytes per article) and sorts them once per band: O(N log N),
vectorised, with memory bounded by processing the batch in blocks. ``benchmarks/bench_ingest.py``
measures it.

References
----------
Broder, A. Z. (1997). On the resemblance and containment of documents. Compression and Complexity
of Sequences, 21-29.
Leskovec, J., Rajaraman, A., & Ullman, J. D. (2020). Mining of Massive Datasets (3rd ed.), ch. 3.
Cambridge University Press.
Steele, G. L., Lea, D., & Flood, C. H. (2014). Fast splittable pseudorandom number generators.
OOPSLA 2014, 453-472.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import sparse

from .store import Store

#: Jaccard similarity of term sets at or above which two articles are near duplicates.
THRESHOLD = 0.7
N_BANDS = 32
ROWS = 5
N_HASHES = N_BANDS * ROWS
MIN_VOTES = 1
#: Identifies the hash functions and banding; a store indexed under another scheme is re-indexed.
SCHEME = f"minhash-splitmix64-seed20261125-{N_BANDS}x{ROWS}"
SCHEME_KEY = "minhash_scheme"
_SEEDS = np.random.default_rng(20261125).integers(0, 2**63, size=N_HASHES, dtype=np.uint64) * np.uint64(2) + \
    np.uint64(1)
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = np.uint32(0xFFFFFFFF)


def _mix(z: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser (Steele, Lea & Flood 2014): a bijection of uint64 with full avalanche."""
    z = z + _GAMMA
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def minhash(indptr: np.ndarray, term_ids: np.ndarray) -> np.ndarray:
    """MinHash signatures, shape (n_docs, :data:`N_HASHES`), of documents given as CSR term ids.

    Hash ``k`` of term ``t`` is the top 32 bits of ``splitmix64(t xor seed_k)``; a document's
    value is the minimum over its terms (all ones for an empty document).
    """
    n = len(indptr) - 1
    out = np.full((n, N_HASHES), _EMPTY, dtype=np.uint32)
    if not len(term_ids):
        return out
    with np.errstate(over="ignore"):
        unique, inverse = np.unique(np.asarray(term_ids, dtype=np.uint64), return_inverse=True)
        hashes = (_mix(unique[:, None] ^ _SEEDS[None, :]) >> np.uint64(32)).astype(np.uint32)
    for i, (lo, hi) in enumerate(zip(indptr[:-1], indptr[1:])):
        if hi > lo:  # (a loop of small reductions beats numpy's reduceat along axis 0 tenfold)
            out[i] = hashes[inverse[lo:hi]].min(axis=0)
    return out


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """One 32-bit key per band, shape (n_docs, :data:`N_BANDS`)."""
    n = len(signatures)
    rows = signatures.reshape(n, N_BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        z = np.broadcast_to(np.arange(N_BANDS, dtype=np.uint64) * _GAMMA, (n, N_BANDS)).copy()
        for r in range(ROWS):
            z = _mix(z ^ rows[:, :, r])
    return (z >> np.uint64(32)).astype(np.uint32)


def index_articles(store: Store, article_ids: Iterable[int], chunk: int = 2000) -> int:
    """Compute and store the band keys of these articles (replacing older ones); returns the count."""
    _check_scheme(store)
    article_ids = list(article_ids)
    for start in range(0, len(article_ids), chunk):
        ids = article_ids[start:start + chunk]
        indptr, term_ids, _ = store.feature_arrays(ids)
        keys = band_keys(minhash(indptr, term_ids)).astype("<u4")
        store.conn.executemany("INSERT INTO minhash(article_id, bands) VALUES (?, ?) ON CONFLICT(article_id) "
                               "DO UPDATE SET bands = excluded.bands",
                               [(aid, keys[i].tobytes()) for i, aid in enumerate(ids)])
    return len(article_ids)


def ensure_index(store: Store) -> int:
    """Index every stored article that has no signature yet (or one of an older scheme)."""
    _check_scheme(store)
    missing = [r[0] for r in store.conn.execute(
        "SELECT a.article_id FROM articles a LEFT JOIN minhash m ON m.article_id = a.article_id "
        "WHERE m.article_id IS NULL ORDER BY a.article_id")]
    return index_articles(store, missing)


def _check_scheme(store: Store) -> None:
    """Drop signatures made under another :data:`SCHEME` (they would never match the new ones)."""
    if store.get_meta(SCHEME_KEY) != SCHEME:
        store.conn.execute("DELETE FROM minhash")
        store.set_meta(SCHEME_KEY, SCHEME)


def candidate_pairs(store: Store, new_ids: Iterable[int], min_votes: int = MIN_VOTES,
                    max_hits: int = 1_000_000) -> tuple[np.ndarray, ...]:
    """Pairs (new article, earlier article) with at least ``min_votes`` equal band keys.

    "Earlier" means a smaller ``article_id`` (it entered the store first). Returns three arrays:
    new article ids, earlier article ids, number of agreeing bands. New articles are processed in
    blocks of about ``max_hits`` bucket hits, so memory stays bounded however large the store.
    """
    ensure_index(store)
    rows = store.conn.execute("SELECT article_id, bands FROM minhash ORDER BY article_id").fetchall()
    empty = (np.array([], dtype=np.int64),) * 3
    if not rows:
        return empty
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    keys = np.frombuffer(b"".join(r[1] for r in rows), dtype="<u4").reshape(n, N_BANDS)
    del rows
    query = np.flatnonzero(np.isin(ids, np.fromiter(new_ids, dtype=np.int64)))
    if not len(query):
        return empty
    # per band: stored rows sorted by key, and where each new article's key starts and how often it occurs
    orders = np.empty((N_BANDS, n), dtype=np.int64 if n >= 2**31 else np.int32)
    starts = np.empty((N_BANDS, len(query)), dtype=np.int64)
    sizes = np.empty((N_BANDS, len(query)), dtype=np.int64)
    for band in range(N_BANDS):
        orders[band] = np.argsort(keys[:, band], kind="stable")
        ordered = keys[orders[band], band]
        starts[band] = np.searchsorted(ordered, keys[query, band], side="left")
        sizes[band] = np.searchsorted(ordered, keys[query, band], side="right") - starts[band]
    cumulative = np.cumsum(sizes.sum(axis=0))
    out_new, out_old, out_votes = [], [], []
    begin = 0
    while begin < len(query):
        already = cumulative[begin - 1] if begin else 0
        end = max(begin + 1, int(np.searchsorted(cumulative, already + max_hits, side="right")))
        found = []
        for band in range(N_BANDS):
            size = sizes[band, begin:end]
            total = int(size.sum())
            q = np.repeat(query[begin:end], size)
            offsets = np.arange(total) - np.repeat(np.cumsum(size) - size, size)
            partner = orders[band][np.repeat(starts[band, begin:end], size) + offsets]
            keep = partner < q  # rows are ordered by article_id: a smaller position entered earlier
            found.append(q[keep] * n + partner[keep])
        codes, votes = np.unique(np.concatenate(found), return_counts=True)
        keep = votes >= min_votes
        out_new.append(ids[codes[keep] // n])
        out_old.append(ids[codes[keep] % n])
        out_votes.append(votes[keep])
        begin = end
    return np.concatenate(out_new), np.concatenate(out_old), np.concatenate(out_votes)


def jaccard_pairs(store: Store, left: np.ndarray, right: np.ndarray, at_least: float = 0.0,
                  chunk: int = 20_000) -> np.ndarray:
    """Exact Jaccard similarity of the term sets of articles ``left[i]`` and ``right[i]``.

    A pair whose set sizes alone rule out ``at_least`` (:math:`J \\le \\min(|A|, |B|) / \\max(|A|, |B|)`)
    gets 0 without being compared.
    """
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    out = np.zeros(len(left), dtype=float)
    if not len(left):
        return out
    involved = np.unique(np.concatenate([left, right]))
    indptr, term_ids = _term_sets(store, involved)
    X = sparse.csr_matrix((np.ones(len(term_ids), dtype=bool), term_ids, indptr),
                          shape=(len(involved), int(term_ids.max()) + 1 if len(term_ids) else 1))
    sizes = np.diff(indptr)
    for start in range(0, len(left), chunk):
        a = np.searchsorted(involved, left[start:start + chunk])
        b = np.searchsorted(involved, right[start:start + chunk])
        small, large = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
        todo = np.flatnonzero((large > 0) & (small >= at_least * large - 1e-9))
        a, b = a[todo], b[todo]
        inter = np.asarray(X[a].multiply(X[b]).sum(axis=1), dtype=np.int64).ravel()
        out[start + todo] = inter / (sizes[a] + sizes[b] - inter)
    return out


def _term_sets(store: Store, article_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR parts (indptr, int32 term ids) of the term sets of ``article_ids`` (sorted, unique)."""
    ids = [int(a) for a in article_ids]
    lengths = np.zeros(len(ids), dtype=np.int64)
    parts = []
    for start in range(0, len(ids), 900):
        part = ids[start:start + 900]
        rows = store.conn.execute("SELECT article_id, term_ids FROM features WHERE article_id IN "
                                  f"({','.join('?' * len(part))}) ORDER BY article_id", part).fetchall()
        where = np.searchsorted(article_ids, [r[0] for r in rows]) if rows else []
        for position, (_, blob) in zip(where, rows):
            lengths[position] = len(blob) // 4
        parts.append(np.frombuffer(b"".join(r[1] for r in rows), dtype="<u4").astype(np.int32))
    return np.concatenate([[0], np.cumsum(lengths)]), np.concatenate(parts) if parts else np.zeros(0, np.int32)


def flag_near_duplicates(store: Store, new_ids: list[int], threshold: float = THRESHOLD,
                         chunk: int = 20_000) -> list[tuple[str, str, str]]:
    """Flag each new article whose term set is close to an earlier article's.

    An article already flagged (identical content, or a ``near_duplicate_of`` given in its record)
    keeps its flag. Among several earlier matches the most similar wins, then the earliest.

    Returns (url, canonical URL of the earlier article, "jaccard 0.83") for each newly flagged
    article, in the order the articles entered the store.
    """
    new, old, _ = candidate_pairs(store, new_ids)
    if not len(new):
        return []
    similarity = jaccard_pairs(store, new, old, at_least=threshold, chunk=chunk)
    keep = similarity >= threshold - 1e-12
    new, old, similarity = new[keep], old[keep], similarity[keep]
    if not len(new):
        return []
    # best match per new article: highest similarity, then smallest (earliest) article id
    order = np.lexsort((old, -similarity, new))
    first = np.ones(len(order), dtype=bool)
    first[1:] = new[order][1:] != new[order][:-1]
    best = order[first]
    involved = sorted(set(new[best].tolist()) | set(old[best].tolist()))
    info = {}
    for start in range(0, len(involved), 900):
        part = involved[start:start + 900]
        for aid, url, canonical, flag in store.conn.execute(
                "SELECT article_id, url, canonical_url, near_duplicate_of FROM articles WHERE article_id IN "
                f"({','.join('?' * len(part))})", part):
            info[aid] = (url, canonical, flag)
    flagged = []
    for k in best:
        aid, earlier = int(new[k]), int(old[k])
        if info[aid][2]:
            continue
        store.update_article(aid, near_duplicate_of=info[earlier][1])
        flagged.append((info[aid][0], info[earlier][1], f"jaccard {similarity[k]:.2f}"))
    return flagged
