"""``mediaframes corpus hydrate``: fetch full text for stored article URLs (see :mod:`mediaframes.hydrate`)."""

from __future__ import annotations

import sys

import click

from .. import hydrate as lib
from .common import pass_app
from .corpus import corpus


@corpus.command()
@click.option("--collection", help="Only this collection (default: every article in the store).")
@click.option("--limit", type=int, help="Fetch at most N articles this run (run again to continue).")
@click.option("--timeout", type=float, default=lib.DEFAULT_TIMEOUT, show_default=True,
              help="Connect and read timeout in seconds.")
@click.option("--max-bytes", type=int, default=lib.DEFAULT_MAX_BYTES, show_default=True,
              help="Largest page accepted; a bigger one is recorded as 'oversize'.")
@click.option("--retries", type=int, default=lib.DEFAULT_RETRIES, show_default=True,
              help="Retries (with exponential backoff) after HTTP 5xx, 429 or a connection error.")
@click.option("--rate", type=float, default=lib.DEFAULT_RATE, show_default=True,
              help="Minimum seconds between two requests to one domain.")
@click.option("--update-features", is_flag=True,
              help="Also recompute each hydrated article's bag of words and n_words from its full text "
                   "(changes the unit of analysis of those articles from headline + lead to full text).")
@click.option("--retry-failed", is_flag=True, help="Fetch again articles whose hydration failed before.")
@pass_app
def hydrate(app, collection, limit, timeout, max_bytes, retries, rate, update_features, retry_failed):
    """Fetch full text for stored article URLs (http/https only) into the local store.

    Text goes to the store's texts table and never leaves it. Each article's outcome is committed
    as soon as it is fetched, so an interrupted run resumes where it stopped; articles already
    hydrated are skipped (failed ones too, unless --retry-failed). Failed URLs are recorded with
    their reason and do not change the exit code.
    """
    fetcher = lib.Fetcher(timeout=timeout, max_bytes=max_bytes, retries=retries, rate=rate)
    options = lib.HydrateOptions(update_features=update_features, retry_failed=retry_failed)
    store = app.open_store()
    plan = lib.plan_hydration(store, collection=collection, limit=limit, retry_failed=retry_failed)
    if not app.quiet:
        domains = lib.plural(plan.todo["domain"].nunique(), "domain")
        click.echo(f"{lib.plural(len(plan), 'article')} to fetch from {domains} "
                   f"(at most one request per {rate:g} s per domain)", err=True)
    with app.bar(total=len(plan), desc="hydrating", unit="article") as bar:
        try:
            report = lib.hydrate(store, collection=collection, limit=limit, fetcher=fetcher, options=options,
                                 progress=bar.update)
        except lib.HydrateInterrupted as stop:
            bar.close()
            done = stop.report
            finished = lib.plural(done.fetched + done.n_failed, "article")
            click.echo(f"\ninterrupted after {finished} ({done.fetched} fetched, {done.n_failed} failed), "
                       "all of them saved; the article in flight stays pending. "
                       "Run the same command again to resume.", err=True)
            click.echo(done.summary())
            sys.exit(130)
    click.echo(report.summary())
    if report.fetched and not update_features:
        click.echo("features unchanged (text stored only); --update-features recomputes them from the full text")
