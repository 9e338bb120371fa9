"""``mediaframes predict``: score new articles with a classifier trained on the store."""

from __future__ import annotations

from pathlib import Path

import click

from ..dfm import dfm_from_store
from ..errors import InputErrors, MediaframesError
from ..readers import FORMATS, ReadOptions, read_paths
from .common import pass_app

# The same as mediaframes.classify's TASKS, MODELS and MIN_CLASS_SIZE (a test checks): classify is
# imported only when the command runs, because scikit-learn slows every command's start by a second.
TASKS = ("country", "frame")
MODELS = ("logreg", "svm", "nb")
MIN_CLASS_SIZE = 10

PREDICT_HELP = """Score the articles in INPUTS (files or folders) with a classifier trained on the store.

\b
--task country  predicts the country group of an article's outlet (docvar
                'group'; --label group_fine for the finer grouping);
--task frame    predicts the coded primary_frame.
The model is fit on every stored article with a label (--collection: only
those of one collection); classes with fewer than --min-class-size labelled
articles are left out, and the command says so.

\b
INPUTS are read like `corpus add` reads them (.jsonl, .csv, .html, .txt, .json,
feeds); an article's text is tokenized with the corpus rules, else its 'bow'
is used. The outlets need not be registered, and nothing is written to the store.

\b
Output CSV (--out): one row per article, in input order: url, predicted,
p_<class> for each class (sorted). Probabilities: logreg and nb give their own;
svm is calibrated by Platt scaling on source-grouped folds.

\b
Exit codes: 0 done, 1 a problem with the input or the training data, 2 usage error.
"""


@click.command(help=PREDICT_HELP)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--task", type=click.Choice(TASKS), required=True, help="What to predict.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="CSV file to write.")
@click.option("--model", type=click.Choice(MODELS), default="logreg", show_default=True, help="Classifier.")
@click.option("--label", help="Docvar to predict instead of the task's default (e.g. group_fine).")
@click.option("--collection", help="Train only on the articles of this collection.")
@click.option("--min-class-size", type=click.IntRange(min=1), default=MIN_CLASS_SIZE, show_default=True,
              help="Leave out classes with fewer labelled articles.")
@click.option("--format", "fmt", type=click.Choice(("auto",) + FORMATS), default="auto", show_default=True,
              help="Read every input file in this format instead of guessing.")
@pass_app
def predict(app, inputs, task, out, model, label, collection, min_class_size, fmt):
    from ..classify import NO_LABEL, predict_table, record_bows, train

    try:
        urls, bows = record_bows(read_paths(inputs, ReadOptions(format=fmt)), source=", ".join(map(str, inputs)))
    except InputErrors as exc:
        raise MediaframesError(exc.summary(outcome="no predictions were written.")) from None
    store = app.open_store()
    try:
        dfm = dfm_from_store(store, collection=collection)
    finally:
        store.close()
    if label and label not in dfm.docvars.columns:
        raise click.BadParameter(f"{label!r} is not a docvar; try group_fine, group or primary_frame",
                                 param_hint="--label")
    if len(dfm) == 0:
        raise MediaframesError(f"no stored articles{f' in collection {collection}' if collection else ''} "
                               "to train on; check --collection")
    try:
        trained = train(dfm, task, model, label=label, min_class_size=min_class_size)
    except ValueError as exc:  # fewer than two classes large enough
        raise MediaframesError(str(exc)) from None
    table = predict_table(trained, urls, bows)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, lineterminator="\n", float_format="%.6f")
    click.echo(f"wrote {len(table)} predictions to {out} ({model}, {trained.label}, trained on "
               f"{trained.n_articles} articles; classes {', '.join(trained.classes)})")
    for cls, n, reason in trained.dropped[["class", "n_articles", "reason"]].itertuples(index=False):
        what = "articles without a label" if cls == NO_LABEL else f"class {cls} ({reason})"
        click.echo(f"  left out of training: {what}: {n} article{'s' if n != 1 else ''}")

