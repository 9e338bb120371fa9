"""``mediaframes study``: the main job, regenerating ``results/``."""

from __future__ import annotations

import time

import click

from .. import config
from ..study import STAGES, StudyConfig, expand_stages, run_study
from .common import pass_app


def _stages(ctx, param, value):
    if not value:
        return None
    try:
        return expand_stages(v.strip() for v in value.split(",") if v.strip())
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.option("--only", callback=_stages, metavar="STAGE[,STAGE...]",
              help=f"Regenerate only these stages ({', '.join(STAGES)}; 'classify' means both classifiers).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=str(config.RESULTS_DIR),
              show_default="results/", help="Folder to write tables/, figures/ and REPORT.md into.")
@click.option("--n-boot", type=click.IntRange(min=100), default=StudyConfig.n_boot, show_default=True,
              help="Bootstrap replicates for every interval.")
@click.option("--n-perm", type=click.IntRange(min=0), default=StudyConfig.n_perm, show_default=True,
              help="Label permutations for the classifiers' permutation test.")
@click.option("--seed", type=int, default=StudyConfig.seed, show_default=True, help="Seed of every random step.")
@click.option("--by", type=click.Choice(["group", "group_fine"]), default="group", show_default=True,
              help="Compare the coarse country groups or the finer ones.")
@click.option("--collection", help="Only the articles of this collection (default: all).")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Stages run in this many processes at once (default: up to 2). Results do not depend on it.")
@pass_app
def study(app, only, out_dir, n_boot, n_perm, seed, by, collection, jobs):
    """Run the study: regenerate results/ (tables, figures, REPORT.md) from the store."""
    start = time.perf_counter()
    store = app.open_store()
    cfg = StudyConfig(n_boot=n_boot, n_perm=n_perm, seed=seed, by=by, collection=collection)

    def report(name, index, total, seconds):
        if not app.quiet:
            click.echo(f"[{index}/{total}] {name} done in {seconds:.1f} s", err=True)

    if not app.quiet:
        click.echo(f"running {len(only or STAGES)} stages ...", err=True)
    ctx = run_study(store, out_dir, only=only, cfg=cfg, on_stage=report, n_jobs=jobs)
    for note in ctx.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {len(ctx.written)} files to {out_dir} in {time.perf_counter() - start:.1f} s")
