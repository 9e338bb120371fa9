"""The ``mediaframes`` command. Commands only parse options, call the library and print.

Exit codes: 0 success; 1 a problem with the input (the message says where and what to do);
2 a usage error (unknown option, missing argument); 130 interrupted (the store is unchanged).
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import MediaframesError
from .common import AppContext, common_options


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.version_option(__version__, prog_name="mediaframes")
@click.pass_context
def cli(ctx: click.Context, store, quiet):
    """Compare how news outlets frame the Balochistan conflict."""
    ctx.obj = AppContext(store=store, quiet=quiet)


# Each module adds its commands to a group on import; the groups are then added here.
from . import corpus, hydrate, ingest, predict, study  # noqa: E402,F401

cli.add_command(corpus.corpus)
cli.add_command(study.study)
cli.add_command(predict.predict)


def main(argv=None) -> None:
    """Entry point: run the command and turn user errors into messages and exit codes."""
    try:
        code = cli.main(args=argv, prog_name="mediaframes", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # usage errors, bad option values
        exc.show()
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("\ninterrupted: nothing was written (an import is one transaction).", err=True)
        sys.exit(130)
    except MediaframesError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)  # a command's ctx.exit(n) returns n here
