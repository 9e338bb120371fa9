"""Benchmark: wall time of `mediaframes study` on the embedded corpus, per stage, and the size of
what it writes. Prints figures; not a test. Run: .venv/bin/python benchmarks/bench_study.py [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from mediaframes.embedded import open_store
from mediaframes.study import StudyConfig, run_study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=None, help="processes for the stages (default: up to 2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs to time (the best is reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        store = open_store(Path(tmp) / "store.sqlite")
        print(f"store built from corpus/ in {time.perf_counter() - start:.2f} s ({store.count()} articles)")
        best = None
        for run in range(args.repeat):
            stages = {}
            start = time.perf_counter()
            run_study(store, Path(tmp) / "results", cfg=StudyConfig(), n_jobs=args.jobs,
                      on_stage=lambda name, i, n, seconds: stages.__setitem__(name, seconds))
            wall = time.perf_counter() - start
            best = wall if best is None else min(best, wall)
            print(f"run {run + 1}: {wall:.1f} s wall; stages (s): "
                  + ", ".join(f"{k} {v:.1f}" for k, v in sorted(stages.items(), key=lambda kv: -kv[1])))
        files = [p for p in (Path(tmp) / "results").rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        print(f"best wall time: {best:.1f} s on {os.cpu_count()} cores; results/: {len(files)} files, "
              f"{size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
