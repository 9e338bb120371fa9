"""Input formats for ``corpus add``: each reader yields raw records with their origin (file, line).

Readers only parse; validation, outlet resolution and writing happen in :mod:`mediaframes.ingest`.
A reader raises :class:`~mediaframes.errors.InputErrors` for a file it cannot read at all, and
yields what it could parse otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from .errors import InputErrors, Problem
from .ingest import Origin

#: Longest accepted line of a JSONL file (a line beyond this is almost surely not one article).
MAX_LINE_BYTES = 20_000_000


def read_jsonl(path: Path) -> Iterator[tuple[dict, Origin]]:
    """One JSON object per line; blank lines are skipped; every bad line is reported."""
    problems = []
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if len(raw) > MAX_LINE_BYTES:
                problems.append(Problem(str(path), f"line is {len(raw):,} bytes, over the limit of "
                                        f"{MAX_LINE_BYTES:,}", "split the record or check the file", line=line_no))
                continue
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                problems.append(Problem(str(path), f"not UTF-8 ({exc.reason} at byte {exc.start})",
                                        "re-save the file as UTF-8", line=line_no))
                continue
            except json.JSONDecodeError as exc:
                problems.append(Problem(str(path), f"malformed JSON ({exc.msg}, column {exc.colno})",
                                        "write one complete JSON object per line", line=line_no))
                continue
            yield record, Origin(str(path), line_no)
    if problems:
        raise InputErrors(problems)
