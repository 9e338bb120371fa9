"""Every path the project uses, derived from one project root (cookiecutter-data-science style).

The root is the folder holding ``corpus/`` and ``pyproject.toml``; ``MEDIAFRAMES_ROOT`` overrides it.
The default store lives at ``corpus/store.sqlite`` (ignored by git); ``MEDIAFRAMES_STORE`` or
``--store PATH`` override it.
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    env = os.environ.get("MEDIAFRAMES_ROOT")
    if env:
        return Path(env).resolve()
    # analysis/mediaframes/config.py -> project root two levels above the package
    return Path(__file__).resolve().parents[2]


PROJ_ROOT = _find_root()
CORPUS_DIR = PROJ_ROOT / "corpus"
LEXICON_DIR = CORPUS_DIR / "lexicons"
OUTLETS_CSV = CORPUS_DIR / "outlets.csv"
COUNTRY_GROUPS_CSV = CORPUS_DIR / "country_groups.csv"
CODEBOOK_YML = CORPUS_DIR / "codebook.yml"
CODEBOOK_MD = CORPUS_DIR / "codebook.md"
DATASHEET_MD = CORPUS_DIR / "README.md"
EMBEDDED_DIR = CORPUS_DIR / "balochistan-v1"
EMBEDDED_ARTICLES = EMBEDDED_DIR / "articles.jsonl"
EMBEDDED_COLLECTION = "balochistan-v1"
RESULTS_DIR = PROJ_ROOT / "results"
TABLES_DIR = RESULTS_DIR / "tables"
FIGURES_DIR = RESULTS_DIR / "figures"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
DEFAULT_STORE = CORPUS_DIR / "store.sqlite"
# Second, independent coding of a reliability sample. It may not be copied into the project
# (its source README lists only articles.jsonl and country_groups.csv), so it is read in place.
SHARED_DATA_DIR = PROJ_ROOT.parent / "shared" / "data" / "balochistan-coverage"
SECOND_CODING = SHARED_DATA_DIR / "second_coding.jsonl"


def store_path(path: str | os.PathLike | None = None) -> Path:
    """Resolve the store path: explicit argument, then ``MEDIAFRAMES_STORE``, then the default."""
    if path:
        return Path(path)
    env = os.environ.get("MEDIAFRAMES_STORE")
    if env:
        return Path(env)
    return DEFAULT_STORE


def second_coding_path() -> Path:
    """Where the reliability sample is read from (``MEDIAFRAMES_SECOND_CODING`` overrides)."""
    env = os.environ.get("MEDIAFRAMES_SECOND_CODING")
    return Path(env) if env else SECOND_CODING
