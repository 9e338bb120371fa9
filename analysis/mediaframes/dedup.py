"""Near-duplicate detection: wire copies and reposts whose bags of words are almost the same.

Duplicates are kept and flagged (``articles.near_duplicate_of``), never merged: whether a syndicated
copy counts as a separate article is the analyst's decision, not the importer's.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .store import Store

#: Cosine similarity of term-count vectors at or above which two articles are near duplicates.
THRESHOLD = 0.9


def flag_near_duplicates(store: Store, new_ids: list[int], threshold: float = THRESHOLD,
                         chunk: int = 2000) -> list[tuple[str, str, str]]:
    """Flag each new article whose bag of words is close to an earlier article's.

    Returns (url, canonical URL of the earlier article, "cosine 0.97") for each newly flagged article.
    """
    rows = store.conn.execute("SELECT article_id, canonical_url, url, near_duplicate_of FROM articles "
                              "ORDER BY article_id").fetchall()
    ids = [r[0] for r in rows]
    position = {aid: i for i, aid in enumerate(ids)}
    indptr, term_ids, counts = store.feature_arrays(ids)
    n_terms = int(term_ids.max()) + 1 if len(term_ids) else 1
    X = sparse.csr_matrix((counts.astype(float), term_ids, indptr), shape=(len(ids), n_terms))
    norms = np.sqrt(X.multiply(X).sum(axis=1)).A1
    norms[norms == 0] = 1
    X = sparse.diags(1 / norms) @ X
    flagged = []
    new_positions = [position[a] for a in new_ids if a in position]
    for start in range(0, len(new_positions), chunk):
        block = new_positions[start:start + chunk]
        sims = (X[block] @ X.T).tocsr()
        for k, i in enumerate(block):
            row = sims.getrow(k)
            earlier = [(j, v) for j, v in zip(row.indices, row.data) if j < i and v >= threshold - 1e-12]
            if not earlier or rows[i][3]:
                continue
            j, value = max(earlier, key=lambda jv: (jv[1], -jv[0]))
            store.update_article(ids[i], near_duplicate_of=rows[j][1])
            flagged.append((rows[i][2], rows[j][1], f"cosine {value:.2f}"))
    return flagged
