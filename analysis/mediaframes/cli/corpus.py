"""``mediaframes corpus ...``: describe, build and maintain the corpus."""

from __future__ import annotations

import click

from .. import config
from .common import pass_app


@click.group()
def corpus():
    """Add, describe, hydrate and export articles of the corpus store."""


@corpus.command()
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the tidy table to FILE.")
@click.option("--collection", help="Only this collection.")
@pass_app
def stats(app, csv_path, collection):
    """Articles per country group, outlet, month and event."""
    from ..describe import corpus_summary
    from ..dfm import dfm_from_store

    store = app.open_store()
    table = corpus_summary(dfm_from_store(store, collection=collection))
    if csv_path:
        table.to_csv(csv_path, index=False, lineterminator="\n")
    n = store.count(collection)
    click.echo(f"{n} articles in {store.path}" + (f" (collection {collection})" if collection else ""))
    for dim, part in table.groupby("dimension", sort=False):
        if dim in ("outlet", "country"):
            part = part.sort_values(["n_articles", "value"], ascending=[False, True])
            shown, rest = part.head(15), len(part) - 15
        else:
            shown, rest = part, 0
        click.echo(f"\n{dim} ({len(part)} values)")
        width = max(len(str(v)) for v in shown["value"])
        for value, count, outlets in shown[["value", "n_articles", "n_outlets"]].itertuples(index=False):
            click.echo(f"  {str(value):<{width}}  {count:>6}  ({outlets} outlets)")
        if rest > 0:
            click.echo(f"  ... {rest} more (see --csv)")


@corpus.command()
@click.argument("source_dir", type=click.Path(exists=True, file_okay=False))
def vendor(source_dir):
    """Maintainers: rewrite corpus/balochistan-v1/ from the coded data set in SOURCE_DIR."""
    from ..embedded import vendor as write

    n = write(source_dir)
    click.echo(f"wrote {n} records to {config.EMBEDDED_ARTICLES}")


@corpus.command()
@click.option("--check", is_flag=True, help="Only compare: exit 1 if the committed files differ from the store.")
@pass_app
def datasheet(app, check):
    """Regenerate the tables of corpus/README.md and corpus/codebook.md from the store."""
    from ..datasheet import write
    from ..embedded import relative

    differing, sheet = write(app.open_store(), check=check)
    for note in sheet.kept:
        click.echo(f"note: {note}", err=True)
    for path, names in differing:
        what = f" (blocks: {', '.join(names)})" if names else ""
        verb = "differs from the store" if check else "rewritten"
        click.echo(f"{relative(path)}: {verb}{what}")
    if check and differing:
        click.echo("the datasheet is out of date: run `mediaframes corpus datasheet` and commit the result",
                   err=True)
        click.get_current_context().exit(1)
    if not differing:
        click.echo("the datasheet and codebook match the store")
