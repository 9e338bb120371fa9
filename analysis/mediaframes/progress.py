"""Progress bars for anything that may take over a second; ``--quiet`` silences them.

Bars go to stderr and appear only after a second (tqdm's ``delay``), so quick steps stay silent.
"""

from __future__ import annotations

from tqdm.auto import tqdm


def bar(total: int | None = None, desc: str = "", unit: str = "it", quiet: bool = False):
    """A tqdm progress bar (call ``.update(n)``; use as a context manager)."""
    return tqdm(total=total, desc=desc, unit=unit, disable=quiet, delay=1.0, leave=False, dynamic_ncols=True)
