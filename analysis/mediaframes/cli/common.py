"""What every command shares: the ``--store`` and ``--quiet`` options and the open store."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import click

from .. import progress


@dataclass
class AppContext:
    store: str | None = None
    quiet: bool = False

    def open_store(self, embedded: bool = True):
        """The store, with the embedded corpus built first when missing or stale."""
        from ..embedded import open_store  # imported when used: the CLI's --help stays instant

        with progress.bar(desc="building the embedded corpus", unit="article", quiet=self.quiet) as pbar:
            return open_store(self.store, embedded=embedded, progress=pbar.update)

    def bar(self, total=None, desc="", unit="it"):
        return progress.bar(total=total, desc=desc, unit=unit, quiet=self.quiet)


def common_options(func):
    """``--store PATH`` and ``--quiet``, accepted on the group and on every command."""

    # no envvar here: MEDIAFRAMES_STORE is read by config.store_path only when no --store was typed,
    # so a command's own --store, then the group's --store, then the environment decide.
    @click.option("--store", type=click.Path(dir_okay=False), default=None,
                  help="Store file (default corpus/store.sqlite, or MEDIAFRAMES_STORE).")
    @click.option("--quiet", "-q", is_flag=True, default=False, help="No progress bars.")
    @functools.wraps(func)
    def wrapper(*args, store=None, quiet=False, **kwargs):
        ctx = click.get_current_context()
        app = ctx.find_object(AppContext)
        if app is not None:
            app.store = store or app.store
            app.quiet = quiet or app.quiet
        return func(*args, store=store, quiet=quiet, **kwargs)

    return wrapper


def pass_app(func):
    """Give the command the :class:`AppContext` (after its own ``--store``/``--quiet``)."""

    @common_options
    @functools.wraps(func)
    def wrapper(*args, store=None, quiet=False, **kwargs):
        app = click.get_current_context().find_object(AppContext) or AppContext(store=store, quiet=quiet)
        return func(app, *args, **kwargs)

    return wrapper
