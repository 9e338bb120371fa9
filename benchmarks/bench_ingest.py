"""Benchmark of `corpus add`: articles per second, peak memory, near-duplicate detection time.

Not a test: it prints figures. Every article is SYNTHETIC: words drawn from a seeded generator of
pseudo-words (Zipf-distributed, like word frequencies in text), outlets named "Synthetic News k"
on ``*.example`` domains. A share of the articles are edited copies of earlier ones (a few words
changed, the last sentence cut), so near-duplicate detection has something to find; the script
reports how many of those planted pairs were flagged.

Usage::

    python benchmarks/bench_ingest.py                       # 10,000 text articles
    python benchmarks/bench_ingest.py --n 100000 --kind bow --no-cli --no-baseline

Steps: (1) the library path (``read_paths`` + ``add_records``) into a fresh store, timed, then the
same again under tracemalloc for peak Python memory; (2) near-duplicate detection alone, timed,
and (for comparison, up to 20,000 articles) the earlier all-pairs cosine method; (3) an
incremental batch of 1,000 articles added to the full store; (4) the CLI path (``mediaframes
corpus add`` in a subprocess) into a fresh store holding the shipped corpus, with the child's
peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy import sparse

from mediaframes.codebook import Codebook
from mediaframes.dedup import flag_near_duplicates, index_articles
from mediaframes.ingest import Defaults, RecordValidator, add_records
from mediaframes.readers import read_paths
from mediaframes.registry import OutletRegistry, read_country_groups
from mediaframes.store import Store
from mediaframes.tokenize import FUNCTION_WORDS

COUNTRIES = ["PK", "IN", "GB", "US", "AE", "CN", "BAL", "AF", "IR", "QA"]


# -- synthetic data -----------------------------------------------------------------------------------
def vocabulary(size: int, rng: np.random.Generator) -> np.ndarray:
    """Pronounceable pseudo-words of 2 to 4 syllables (none of them a function word)."""
    onsets = list("bdfghjklmnprstvwz") + ["ch", "sh", "th", "kh", "gh", "br", "dr", "st"]
    vowels = ["a", "e", "i", "o", "u", "aa", "ai", "ee", "oo"]
    words: set[str] = set()
    while len(words) < size:
        n = rng.integers(2, 5)
        word = "".join(onsets[rng.integers(len(onsets))] + vowels[rng.integers(len(vowels))] for _ in range(n))
        if word not in FUNCTION_WORDS:
            words.add(word)
    return np.array(sorted(words))


def synthetic_records(path: Path, n: int, kind: str, dup_share: float, seed: int, start: int = 0,
                      pool: list | None = None) -> tuple[list[tuple[str, str]], list]:
    """Write ``n`` synthetic records to ``path``; return the planted (copy URL, original URL) pairs and the
    pool of articles (URL, word ids, sentence ends) later copies are drawn from."""
    rng = np.random.default_rng(seed)
    vocab = vocabulary(30_000, np.random.default_rng(0))
    cdf = np.cumsum(1 / np.arange(1, len(vocab) + 1) ** 1.1)
    cdf /= cdf[-1]
    draw = lambda size: np.minimum(np.searchsorted(cdf, rng.random(size)), len(vocab) - 1)  # noqa: E731
    pool = list(pool or [])
    pairs = []
    with open(path, "w", encoding="utf-8") as fh:
        for k in range(start, start + n):
            outlet = int(rng.integers(50))
            url = f"https://synthetic-news-{outlet}.example/story/{k}"
            if pool and rng.random() < dup_share:
                original_url, words, ends = pool[int(rng.integers(len(pool)))]
                if len(ends) > 1:                     # cut the last sentence
                    words, ends = words[:ends[-2]], ends[:-1]
                words = words.copy()
                changed = rng.random(len(words)) < 0.05   # and change about 5% of the words
                words[changed] = draw(int(changed.sum()))
                pairs.append((url, original_url))
            else:
                length = int(np.clip(rng.normal(350, 80), 80, 800))
                words = draw(length).astype(np.int32)
                ends = np.cumsum(rng.integers(8, 25, size=length // 8 + 2))
                ends = np.append(ends[ends < length], length)
            pool.append((url, words, ends))
            day = np.datetime64("2024-01-01") + int(rng.integers(0, 700))
            record = {"url": url, "outlet": f"Synthetic News {outlet}",
                      "country": COUNTRIES[outlet % len(COUNTRIES)], "published": str(day)}
            if kind == "text":
                sentences = np.split(vocab[words], ends[:-1])
                record["title"] = f"SYNTHETIC benchmark article {k}"
                record["text"] = " ".join(" ".join(s).capitalize() + "." for s in sentences if len(s))
            else:
                ids, counts = np.unique(words, return_counts=True)
                record["bow"] = dict(zip(vocab[ids].tolist(), counts.tolist()))
            fh.write(json.dumps(record) + "\n")
    return pairs, pool


# -- measurements --------------------------------------------------------------------------------------
def validator() -> RecordValidator:
    return RecordValidator(OutletRegistry(), Codebook.from_yaml(), set(read_country_groups()["country"]), Defaults())


def library_add(store: Store, path: Path, detect: bool = True):
    return add_records(store, read_paths([path]), collection="synthetic-bench", validator=validator(),
                       method="benchmark", sources=[str(path)], detect_near_duplicates=detect)


def rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline_cosine(store: Store, new_ids: list[int], threshold: float = 0.9, chunk: int = 2000) -> int:
    """The earlier method, for comparison: cosine of counts of each new article with every article."""
    ids = [r[0] for r in store.conn.execute("SELECT article_id FROM articles ORDER BY article_id")]
    indptr, term_ids, counts = store.feature_arrays(ids)
    X = sparse.csr_matrix((counts.astype(float), term_ids, indptr), shape=(len(ids), int(term_ids.max()) + 1))
    norms = np.sqrt(X.multiply(X).sum(axis=1)).A1
    X = sparse.diags(1 / np.where(norms == 0, 1, norms)) @ X
    position = {a: i for i, a in enumerate(ids)}
    rows = [position[a] for a in new_ids]
    found = 0
    for start in range(0, len(rows), chunk):
        block = rows[start:start + chunk]
        sims = (X[block] @ X.T).tocsr()
        for k, i in enumerate(block):
            row = sims.getrow(k)
            found += any(j < i and v >= threshold for j, v in zip(row.indices, row.data))
    return found


def recall(store: Store, pairs: list[tuple[str, str]]) -> tuple[int, int]:
    flags = dict(store.conn.execute("SELECT url, near_duplicate_of FROM articles WHERE near_duplicate_of IS NOT NULL"))
    from mediaframes.urls import canonical_url
    return sum(flags.get(copy) == canonical_url(orig) for copy, orig in pairs), len(pairs)


#: Runs the CLI and, at exit, prints the process's peak resident memory (VmHWM: this process only;
#: ru_maxrss would also count the memory of the parent it was forked from).
_CLI = ("import atexit, sys\n"
        "def peak():\n"
        "    try:\n"
        "        sys.stderr.write(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
        "    except OSError:\n"
        "        pass\n"
        "atexit.register(peak)\n"
        "from mediaframes.cli import main\n"
        "main()\n")


def cli_add(store_path: Path, path: Path) -> tuple[float, float | None, str]:
    """Run ``mediaframes corpus add`` in a child process: (seconds, its peak RSS in MB, its output)."""
    command = [sys.executable, "-c", _CLI, "corpus", "add", str(path), "--store", str(store_path),
               "--collection", "synthetic-bench", "--quiet"]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"corpus add failed ({result.returncode}):\n{result.stderr}")
    peak = next((int(line.split()[1]) / 1024 for line in result.stderr.splitlines() if line.startswith("VmHWM")),
                None)
    return seconds, peak, result.stdout.strip()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of synthetic articles (default 10,000)")
    parser.add_argument("--kind", choices=("text", "bow"), default="text", help="records with text or with bow")
    parser.add_argument("--dup-share", type=float, default=0.02, help="share of edited copies (default 0.02)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI path")
    parser.add_argument("--no-baseline", action="store_true", help="skip the all-pairs cosine comparison")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="mediaframes-bench-"))
    try:
        t0 = time.perf_counter()
        data = work / f"synthetic-{args.kind}-{args.n}.jsonl"
        pairs, pool = synthetic_records(data, args.n, args.kind, args.dup_share, args.seed)
        extra_path = work / "synthetic-extra-1000.jsonl"
        extra_pairs, _ = synthetic_records(extra_path, 1000, args.kind, args.dup_share, args.seed + 1, start=args.n,
                                           pool=pool)
        del pool
        print(f"SYNTHETIC data: {args.n:,} {args.kind} records ({data.stat().st_size / 1e6:.1f} MB), "
              f"{len(pairs)} planted near-duplicate copies; generated in {time.perf_counter() - t0:.1f} s")

        # (1) library path, timed
        store = Store(work / "library.sqlite")
        t0 = time.perf_counter()
        report = library_add(store, data)
        seconds = time.perf_counter() - t0
        found, planted = recall(store, pairs)
        print(f"\nlibrary add: {report.added:,} articles in {seconds:.1f} s = {report.added / seconds:,.0f} "
              f"articles/s (near-duplicate detection included); peak RSS of this process {rss_mb():,.0f} MB")
        print(f"  near duplicates flagged: {len(report.flagged)} "
              f"(planted copies found: {found} of {planted})")

        # (2) near-duplicate detection alone, on the full store
        ids = [r[0] for r in store.conn.execute("SELECT article_id FROM articles ORDER BY article_id")]
        with store.transaction(), store.savepoint("bench") as undo:
            store.conn.execute("UPDATE articles SET near_duplicate_of = NULL")
            t0 = time.perf_counter()
            flagged = flag_near_duplicates(store, ids)
            detect = time.perf_counter() - t0
            store.conn.execute("DELETE FROM minhash")
            t0 = time.perf_counter()
            index_articles(store, ids)
            indexing = time.perf_counter() - t0
            undo()
        print(f"  MinHash/LSH detection over all {len(ids):,} articles: {detect:.2f} s "
              f"({len(flagged)} flagged); computing their signatures: {indexing:.2f} s")
        if not args.no_baseline and len(ids) <= 20_000:
            t0 = time.perf_counter()
            n_cos = baseline_cosine(store, ids)
            print(f"  earlier method (cosine of counts >= 0.9, all pairs): {time.perf_counter() - t0:.2f} s "
                  f"({n_cos} flagged)")

        # (3) an incremental batch into the full store
        t0 = time.perf_counter()
        more = library_add(store, extra_path)
        seconds = time.perf_counter() - t0
        found, planted = recall(store, extra_pairs)
        print(f"\nincremental: 1,000 more articles into the store of {len(ids):,}: {seconds:.2f} s "
              f"= {more.added / seconds:,.0f} articles/s; copies of stored articles found: {found} of {planted}")
        store.close()

        # (1b) peak Python memory (tracemalloc slows Python down, so it is a separate run)
        if not args.no_tracemalloc:
            store = Store(work / "traced.sqlite")
            tracemalloc.start()
            library_add(store, data)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            store.close()
            print(f"\npeak Python allocations during the library add (tracemalloc): {peak / 1e6:,.0f} MB")

        # (4) CLI path: a fresh store holding the shipped corpus, then corpus add
        if not args.no_cli:
            shipped = work / "cli.sqlite"
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from mediaframes.cli import main; main()", "corpus", "stats",
                            "--store", str(shipped), "--quiet"], check=True, capture_output=True)
            build = time.perf_counter() - t0
            seconds, peak_mb, output = cli_add(shipped, data)
            n = int(output.split(": ", 1)[1].split(" added")[0].replace(",", ""))
            print(f"\nCLI `mediaframes corpus add` (fresh store with the shipped corpus, built in {build:.1f} s):")
            peak = f"{peak_mb:,.0f} MB" if peak_mb is not None else "unknown (no /proc)"
            print(f"  {n:,} articles in {seconds:.1f} s = {n / seconds:,.0f} articles/s "
                  f"(process start-up included); its peak RSS {peak}")
            print(f"  output: {output.splitlines()[0][:160]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
