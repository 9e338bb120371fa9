"""``mediaframes corpus add`` and ``corpus export``: extend the corpus, and write its shareable form."""

from __future__ import annotations

import re
from pathlib import Path

import click

from .. import config
from ..codebook import Codebook
from ..errors import InputErrors
from ..ingest import (EXPORT_FORMATS, Defaults, Origin, RecordValidator, add_records, outlet_registry,
                      parse_date, write_export)
from ..readers import FORMATS, ReadOptions, list_inputs, read_paths
from ..registry import read_country_groups
from .common import pass_app
from .corpus import corpus

_COLLECTION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SHOW_FLAGGED = 20


def _collection(ctx, param, value):
    if value is None:
        return value
    if not _COLLECTION.match(value):
        raise click.BadParameter(f"{value!r}: use letters, digits, '.', '_' or '-' (at most 64), e.g. my-scrape-2025")
    if param.name == "collection" and ctx.command.name == "add" and value == config.EMBEDDED_COLLECTION:
        raise click.BadParameter(f"{value} is the shipped corpus, rebuilt from corpus/; choose another name")
    return value


def _country(ctx, param, value):
    if value is None:
        return value
    code = value.strip().upper()
    known = set(read_country_groups()["country"])
    if code not in known:
        raise click.BadParameter(f"{value!r} has no group in corpus/country_groups.csv; use one of "
                                 f"{', '.join(sorted(known))}, or add a row for it there")
    return code


def _published(ctx, param, value):
    if value is None:
        return value
    try:
        day, month = parse_date(value, Origin("--published"))
    except InputErrors as exc:
        raise click.BadParameter(exc.problems[0].message + "; write YYYY-MM-DD or YYYY-MM") from None
    return day or month


ADD_HELP = """Add articles from PATHS (files or folders) to the store.

\b
Formats (--format auto: by extension, then by content):
  .jsonl   one JSON object per line: url, text or bow (term -> count), and
           optionally id, outlet, country, published, title, coder, codes
  .csv     the same fields as columns; bow and codes as JSON; a list-valued
           code as a JSON array in its cell: ["militants", "separatists"]
  .html    article pages; text, title and date extracted (trafilatura); URL
           from <link rel="canonical"> or og:url, else from a sidecar
  .txt     article text; URL and other metadata from a sidecar
  .json    scraper output: one object, a list, or {"articles": [...]}
           (link, content/body, date_published/date, ... are understood)
  .rss .atom .xml   feeds: one article per entry
Sidecars: story.meta.json next to story.txt/story.html, or a row of
metadata.csv (column 'file' = story.txt) in the same folder.

\b
Outlets: a URL's domain is looked up in corpus/outlets.csv (and the domains
this store learnt before). An unknown domain is an error: register it there,
or pass --outlet and --country (used for records whose domain is unknown).

\b
All or nothing: every problem of the batch is listed (file, line, field, fix)
and, if there is any, nothing is written. Ctrl-C or a crash also leaves the
store as it was (an import is one transaction). Adding the same input again
changes nothing. A URL already stored with other content is an error unless
--replace. Near-duplicate copies (same terms, Jaccard >= 0.7) and identical
content under another URL are kept and flagged, never merged.

\b
Exit codes: 0 done (or nothing to do), 1 problems in the input (nothing
written), 2 usage error, 130 interrupted (nothing written).
"""


@corpus.command(help=ADD_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--collection", default="user", show_default=True, callback=_collection,
              help="Collection the articles are filed under.")
@click.option("--outlet", help="Outlet name for records whose domain is not registered (with --country).")
@click.option("--country", callback=_country, help="Country code of that outlet (see corpus/country_groups.csv).")
@click.option("--published", callback=_published, help="Date (YYYY-MM-DD or YYYY-MM) for records without one.")
@click.option("--coder", help="Coder id for records that carry codes but no coder.")
@click.option("--format", "fmt", type=click.Choice(("auto",) + FORMATS), default="auto", show_default=True,
              help="Read every file in this format instead of guessing.")
@click.option("--replace", is_flag=True, help="Overwrite stored articles whose URL comes with other content.")
@click.option("--dry-run", is_flag=True, help="Check and report everything, write nothing.")
@pass_app
def add(app, paths, collection, outlet, country, published, coder, fmt, replace, dry_run):
    if bool(outlet) != bool(country):
        raise click.UsageError("--outlet and --country go together (the outlet and its country)")
    options = ReadOptions(format=fmt)
    files, _ = list_inputs(paths, options)
    store = app.open_store()
    try:
        validator = RecordValidator(outlet_registry(store), Codebook.from_yaml(),
                                    set(read_country_groups()["country"]),
                                    Defaults(outlet=outlet, country=country, coder=coder, published=published))
        with app.bar(total=len(files), desc="reading", unit="file") as files_bar, \
                app.bar(desc="importing", unit="article") as records_bar:
            options.on_file = lambda _path: files_bar.update(1)
            report = add_records(store, read_paths(paths, options), collection=collection, validator=validator,
                                 method=f"corpus add --format {fmt}", sources=[str(p) for p in paths],
                                 replace=replace, progress=records_bar.update, dry_run=dry_run)
    finally:
        store.close()
    click.echo(report.summary())
    for url, earlier, how in report.flagged[:_SHOW_FLAGGED]:
        click.echo(f"  duplicate ({how}): {url}\n    of {earlier}")
    if len(report.flagged) > _SHOW_FLAGGED:
        click.echo(f"  ... and {len(report.flagged) - _SHOW_FLAGGED} more (near_duplicate_of in the store)")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)


@corpus.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="jsonl", show_default=True,
              help="jsonl (re-importable with corpus add) or parquet.")
@click.option("--collection", callback=_collection, help="Only this collection (default: all).")
@click.option("--with-text", is_flag=True, help="Include full texts held in the store (for your own use only).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@pass_app
def export(app, fmt, collection, with_text, out):
    """Write the shareable form of the corpus: metadata, bags of words and codes, one record per article.

    Records are ordered by id, so the same store gives the same file. Full text is left out unless
    --with-text (third-party text must not be shared). A JSONL export can be read back with
    `mediaframes corpus add FILE --collection NAME`.
    """
    store = app.open_store()
    try:
        if collection and not store.count(collection):
            known = [r[0] for r in store.conn.execute("SELECT DISTINCT collection FROM articles ORDER BY 1")]
            raise click.BadParameter(f"no articles in collection {collection!r} (collections: {', '.join(known)})",
                                     param_hint="--collection")
        with app.bar(total=store.count(collection), desc="exporting", unit="article") as bar:
            n = write_export(store, out, fmt, collection=collection, with_text=with_text, progress=bar.update)
    finally:
        store.close()
    click.echo(f"wrote {n} articles to {out}" + (" (with full text: do not share it)" if with_text else ""))
