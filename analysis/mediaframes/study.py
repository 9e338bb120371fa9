"""The study: one command regenerates every table and figure of ``results/`` from the store.

The study is a small DAG (cookiecutter-data-science): store -> document-feature matrix -> one stage
per analysis -> ``results/tables/*.csv`` and ``results/figures/*.png|svg`` -> ``results/REPORT.md``
(written by :mod:`mediaframes.report` from the tables on disk). Each stage is a function with
explicit inputs and outputs and can run alone (``mediaframes study --only keyness``).

Every output is byte-identical from run to run: seeded bootstraps and permutations, floats written
with a fixed format, rows in a fixed order, figures without timestamps. To find where a number in
``results/`` comes from, look up its file name in :data:`STAGES` below.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from . import __version__, config
from .dfm import DocumentFeatureMatrix, dfm_from_store
from .registry import read_country_groups
from .store import Store

# Stages import their analysis modules (and matplotlib, scikit-learn) when they run, so that
# `mediaframes --help` and `study --only corpus` do not pay for what they do not use.

#: Float format of every CSV in results/tables: 6 significant digits, stable across platforms.
FLOAT_FORMAT = "%.6g"


@dataclass
class StudyConfig:
    """Parameters of the study (written to ``results/tables/parameters.csv``).

    Parameters
    ----------
    n_boot : int
        Cluster-bootstrap replicates for every interval.
    n_perm : int
        Label permutations for the classifiers' permutation test.
    permutation_model : str
        The classifier whose score the permutation test assesses (and whose confusion matrix and
        top terms are drawn); the others are reported without a permutation test, to keep the
        study quick.
    seed : int
        Seed of every random step.
    by : str
        Docvar that defines the compared groups (``group`` or ``group_fine``).
    keyness_min_count : int
        Keyness tables keep terms used at least this often in the two compared groups together.
    """

    n_boot: int = 2000
    n_perm: int = 100
    permutation_model: str = "svm"
    n_splits: int = 5
    seed: int = 0
    by: str = "group"
    keyness_min_count: int = 5
    keyness_figure_terms: int = 20
    collection: str | None = None
    groups_csv: str = str(config.COUNTRY_GROUPS_CSV)
    lexicon: str = str(config.LEXICON_DIR / "framing.yml")
    naming_lexicon: str = str(config.LEXICON_DIR / "naming.yml")
    second_coding: str = field(default_factory=lambda: str(config.second_coding_path()))


@dataclass
class StudyContext:
    """What every stage receives: the matrix, the parameters and where to write."""

    dfm: DocumentFeatureMatrix
    config: StudyConfig
    tables: Path
    figures: Path
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, frame: pd.DataFrame, name: str) -> pd.DataFrame:
        path = self.tables / f"{name}.csv"
        frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        self.written.append(path)
        return frame

    def figure(self, fig, name: str) -> None:
        from .figures import save

        self.written += save(fig, name, self.figures)


# -- stages -------------------------------------------------------------------------------------
def stage_corpus(ctx: StudyContext) -> None:
    """Corpus summary and attention over time."""
    from . import figures
    from .attention import attention_over_time, event_weeks
    from .describe import corpus_summary

    ctx.table(corpus_summary(ctx.dfm), "corpus_summary")
    attention = ctx.table(attention_over_time(ctx.dfm, by=ctx.config.by), "attention_weekly")
    peaks = ctx.table(event_weeks(ctx.dfm), "event_peak_weeks")
    ctx.figure(figures.attention_figure(attention, peaks), "attention_over_time")


def stage_codes(ctx: StudyContext) -> None:
    """Coded frames, stance, India's role and events by group (shares with cluster-bootstrap CIs)."""
    from . import figures
    from .codes import code_shares

    cfg = ctx.config
    shares = {}
    for variable, name in (("primary_frame", "frames_by_group"), ("stance_bla", "stance_by_group"),
                           ("india_role", "india_role_by_group"), ("events", "events_by_group")):
        shares[variable] = ctx.table(code_shares(ctx.dfm, variable, by=cfg.by, n_boot=cfg.n_boot, seed=cfg.seed), name)
    ctx.figure(figures.shares_figure(shares["primary_frame"], "Primary frame of the article, by group (coded)"),
               "frames_by_group")
    ctx.figure(figures.shares_figure(shares["india_role"], "What the article says of India's role (coded)"),
               "india_role_by_group")
    ctx.figure(figures.events_heatmap(shares["events"]), "events_by_group")


def stage_naming(ctx: StudyContext) -> None:
    """Names for the armed groups: shares by group from word counts and from codes, and their agreement."""
    from . import figures
    from .lexicon import Lexicon
    from .naming import naming_agreement, naming_table

    cfg = ctx.config
    lexicon = Lexicon.from_yaml(cfg.naming_lexicon)
    table = ctx.table(naming_table(ctx.dfm, lexicon, by=cfg.by, n_boot=cfg.n_boot, seed=cfg.seed), "naming")
    ctx.table(naming_agreement(ctx.dfm, lexicon), "naming_agreement")
    ctx.figure(figures.naming_figure(table, names=list(lexicon.categories)), "naming")


def stage_lexicon(ctx: StudyContext) -> None:
    """Framing-lexicon rates per 1,000 words by group and outlet, and differences between groups."""
    from . import figures
    from .lexicon import Lexicon, group_differences, lexicon_rates

    cfg = ctx.config
    lexicon = Lexicon.from_yaml(cfg.lexicon)
    rates = ctx.table(lexicon_rates(ctx.dfm, lexicon, by=cfg.by, n_boot=cfg.n_boot, seed=cfg.seed), "lexicon_rates")
    ctx.table(lexicon_rates(ctx.dfm, lexicon, by="outlet", n_boot=cfg.n_boot, seed=cfg.seed), "lexicon_rates_by_outlet")
    ctx.table(group_differences(ctx.dfm, lexicon, by=cfg.by, n_boot=cfg.n_boot, seed=cfg.seed), "lexicon_differences")
    ctx.figure(figures.rates_figure(rates), "lexicon_rates")


def stage_keyness(ctx: StudyContext) -> None:
    """Keyness (Fightin' Words z, chi2, G2) for every pair of groups and each group against the rest."""
    from . import figures
    from .keyness import keyness

    cfg = ctx.config
    present = set(ctx.dfm.docvars[cfg.by].dropna().astype(str))
    order = [g for g in figures.GROUP_ORDER if g in present] + sorted(present - set(figures.GROUP_ORDER))
    options = dict(by=cfg.by, groups=order, min_count=cfg.keyness_min_count)
    pairs = ctx.table(keyness(ctx.dfm, pairs="all", **options), "keyness_pairs")
    rest = ctx.table(keyness(ctx.dfm, pairs="rest", **options), "keyness_vs_rest")
    pk_in = pairs[(pairs["group_a"] == "PK") & (pairs["group_b"] == "IN")]
    if len(pk_in):
        ctx.figure(figures.keyness_figure(pk_in, n=cfg.keyness_figure_terms), "keyness_PK_vs_IN")
    for a, part in rest.groupby("group_a", sort=True):
        ctx.figure(figures.keyness_figure(part, n=cfg.keyness_figure_terms), f"keyness_{a}_vs_rest")


def _classifier_stage(ctx: StudyContext, task: str, title: str) -> None:
    from . import figures
    from .classify import evaluate

    cfg = ctx.config
    report = evaluate(ctx.dfm, task=task, n_splits=cfg.n_splits, n_boot=cfg.n_boot, n_perm=cfg.n_perm,
                      permutation_models=(cfg.permutation_model,), seed=cfg.seed,
                      label=cfg.by if task == "country" else None)
    ctx.notes += [f"{task} classifier: {note}" for note in report.notes]
    ctx.table(report.metrics, f"classifier_metrics_{task}")
    confusion = ctx.table(report.confusion, f"classifier_confusion_{task}")
    top = ctx.table(report.top_terms, f"classifier_top_terms_{task}")
    model = cfg.permutation_model
    ctx.figure(figures.confusion_figure(confusion[confusion["model"] == model],
                                        title=f"{title}: {model}, outlet-grouped CV"), f"confusion_{task}")
    ctx.figure(figures.top_terms_figure(top[top["model"] == model]), f"top_terms_{task}")


def stage_classify_country(ctx: StudyContext) -> None:
    """Country-group classifiers under outlet-grouped cross-validation, with a permutation test."""
    _classifier_stage(ctx, "country", "Country group of the outlet")


def stage_classify_frame(ctx: StudyContext) -> None:
    """Primary-frame classifiers under the same protocol."""
    _classifier_stage(ctx, "frame", "Primary frame (coded)")


def stage_reliability(ctx: StudyContext) -> None:
    """Inter-coder agreement with the second coding, when that file is at hand (it may not be copied)."""
    from .datasheet import RELIABILITY_VARIABLES, read_second_coding
    from .reliability import agreement_table

    path = Path(ctx.config.second_coding)
    if not path.is_file():
        ctx.notes.append(f"reliability skipped: no second coding at {path}; results/tables/reliability.csv "
                         "was left as it was")
        return
    second = read_second_coding(path)
    variables = [v for v in RELIABILITY_VARIABLES if v in ctx.dfm.docvars and v in second]
    ctx.table(agreement_table(ctx.dfm.docvars[["url", *variables]], second, variables, key="url"), "reliability")


#: Stage name -> function. ``--only`` takes these names, or a prefix before "_" (``classify``).
STAGES: dict[str, Callable[[StudyContext], None]] = {
    "corpus": stage_corpus,
    "codes": stage_codes,
    "naming": stage_naming,
    "lexicon": stage_lexicon,
    "keyness": stage_keyness,
    "classify_country": stage_classify_country,
    "classify_frame": stage_classify_frame,
    "reliability": stage_reliability,
}


def parameters_table(cfg: StudyConfig) -> pd.DataFrame:
    """The study's parameters as a two-column table (paths relative to the project root)."""
    rows = [("mediaframes_version", __version__)]
    for key, value in asdict(cfg).items():
        if isinstance(value, str) and value.startswith(str(config.PROJ_ROOT)):
            value = str(Path(value).relative_to(config.PROJ_ROOT))
        elif key == "second_coding":
            value = "../shared/data/balochistan-coverage/second_coding.jsonl (read in place when present)"
        rows.append((key, "" if value is None else str(value)))
    return pd.DataFrame(rows, columns=["parameter", "value"])


def expand_stages(names) -> list[str]:
    """Stage names in run order from names or prefixes (``classify`` -> both classifier stages)."""
    names = list(names) if names else list(STAGES)
    unknown = [n for n in names if n not in STAGES and not any(s.startswith(n + "_") for s in STAGES)]
    if unknown:
        raise ValueError(f"unknown stage(s) {', '.join(unknown)}; choose from {', '.join(STAGES)} (or classify)")
    return [s for s in STAGES if s in names or any(s.startswith(n + "_") for n in names)]


def _run_stage(name: str, ctx: StudyContext) -> tuple[str, list[Path], list[str], float]:
    """Run one stage on its own copy of the context (in a worker process when parallel)."""
    from threadpoolctl import threadpool_limits

    ctx = StudyContext(ctx.dfm, ctx.config, ctx.tables, ctx.figures)
    start = time.perf_counter()
    with threadpool_limits(limits=1):  # one BLAS thread per stage: stages, not BLAS, share the cores
        STAGES[name](ctx)
    return name, ctx.written, ctx.notes, time.perf_counter() - start


#: Stages that take longest, started first when stages run in parallel.
_LONGEST_FIRST = ("classify_country", "classify_frame", "lexicon", "keyness", "corpus", "codes")


def run_study(store: Store, out_dir: str | Path = config.RESULTS_DIR, only=None, cfg: StudyConfig | None = None,
              on_stage: Callable[[str, int, int, float], None] | None = None,
              n_jobs: int | None = None) -> StudyContext:
    """Run the study's stages and write their tables, figures and ``REPORT.md`` into ``out_dir``.

    Parameters
    ----------
    store : Store
    out_dir : path, default ``results/``
    only : iterable of str, optional
        Stage names or prefixes (see :func:`expand_stages`); default all.
    cfg : StudyConfig, optional
    on_stage : callable, optional
        Called as ``on_stage(name, index, total, seconds)`` as each stage finishes.
    n_jobs : int, optional
        Stages run in this many processes at once (default: up to 2, the cores of a small laptop).
        Stages are independent given the matrix and each seeds its own random steps, so the files
        are the same whatever ``n_jobs`` is.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed
    import multiprocessing
    import os

    from .report import write_report

    cfg = cfg or StudyConfig()
    names = expand_stages(only)
    out = Path(out_dir)
    ctx = StudyContext(dfm_from_store(store, collection=cfg.collection, groups=read_country_groups(cfg.groups_csv)),
                       cfg, out / "tables", out / "figures")
    ctx.tables.mkdir(parents=True, exist_ok=True)
    ctx.figures.mkdir(parents=True, exist_ok=True)
    ctx.table(parameters_table(cfg), "parameters")
    n_jobs = n_jobs or min(2, os.cpu_count() or 1)
    ordered = sorted(names, key=lambda n: _LONGEST_FIRST.index(n) if n in _LONGEST_FIRST else len(_LONGEST_FIRST))
    results = {}
    if n_jobs > 1 and len(names) > 1 and "fork" in multiprocessing.get_all_start_methods():
        # fork: workers inherit the loaded modules and the matrix instead of importing them again
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_run_stage, name, ctx) for name in ordered]
            for done, future in enumerate(as_completed(futures), start=1):
                name, written, notes, seconds = future.result()
                results[name] = (written, notes)
                if on_stage:
                    on_stage(name, done, len(names), seconds)
    else:
        for done, name in enumerate(ordered, start=1):
            name, written, notes, seconds = _run_stage(name, ctx)
            results[name] = (written, notes)
            if on_stage:
                on_stage(name, done, len(names), seconds)
    for name in names:  # collect in stage order, so the context reads the same whatever the schedule
        ctx.written += results[name][0]
        ctx.notes += results[name][1]
    ctx.written.append(write_report(out))
    return ctx
