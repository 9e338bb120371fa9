"""The embedded corpus (``corpus/balochistan-v1/``), built into a store on first use.

A fresh clone needs nothing but ``corpus/``: the first command that opens a store imports the shipped
articles (metadata, bags of words, codes) as collection ``balochistan-v1``, held to the strictest
checks (every domain registered, every code in the codebook, dates that parse, no duplicate URL).
A fingerprint of the shipped files is kept in the store, so an edited corpus file, registry or
codebook rebuilds that collection, and a user's own collections are left alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import config
from .codebook import Codebook
from .ingest import ImportReport, Origin, RecordValidator, add_records
from .readers import read_jsonl
from .registry import OutletRegistry, read_country_groups
from .store import Store

FINGERPRINT_KEY = "embedded_fingerprint"
_SHIPPED = (config.EMBEDDED_ARTICLES, config.OUTLETS_CSV, config.CODEBOOK_YML, config.COUNTRY_GROUPS_CSV)


def fingerprint() -> str:
    """SHA-256 over the shipped files that define the embedded collection."""
    digest = hashlib.sha256()
    for path in _SHIPPED:
        digest.update(path.name.encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def relative(path: Path) -> str:
    """A path relative to the project root when it lies inside it (for messages and provenance)."""
    try:
        return str(Path(path).resolve().relative_to(config.PROJ_ROOT))
    except ValueError:
        return str(path)


def ensure_embedded(store: Store, progress=None) -> ImportReport | None:
    """(Re)build the embedded collection when the store lacks it or it is stale; ``None`` if current."""
    current = fingerprint()
    if store.get_meta(FINGERPRINT_KEY) == current:
        return None
    registry = OutletRegistry.from_csv(config.OUTLETS_CSV)
    validator = RecordValidator(registry, Codebook.from_yaml(), set(read_country_groups()["country"]),
                                require_registered=True)
    source = relative(config.EMBEDDED_ARTICLES)
    records = ((raw, Origin(source, origin.line)) for raw, origin in read_jsonl(config.EMBEDDED_ARTICLES))
    with store.transaction():
        store.delete_collection(config.EMBEDDED_COLLECTION)
        for outlet in registry.outlets.values():
            store.register_outlet(outlet.domain, outlet.outlet, outlet.country, outlet.ownership, outlet.notes,
                                  registered_from=relative(config.OUTLETS_CSV))
        report = add_records(store, records, collection=config.EMBEDDED_COLLECTION, validator=validator,
                             method="embedded", sources=[source], detect_near_duplicates=False, progress=progress)
        store.set_meta(FINGERPRINT_KEY, current)
    return report


def open_store(path=None, embedded: bool = True, progress=None) -> Store:
    """Open the store at ``path`` (or the configured default) with the embedded corpus in place."""
    store = Store(config.store_path(path))
    if embedded:
        ensure_embedded(store, progress=progress)
    return store


#: Fields of the source data set left out of the vendored copy, and why.
NOT_VENDORED = {"found_by": "search queries, many of which quote headlines or article sentences verbatim"}


def vendor(source_dir: str | Path, errata: str | Path | None = None) -> int:
    """Write ``corpus/balochistan-v1/articles.jsonl`` from the source data set; returns the record count.

    Keeps every field but :data:`NOT_VENDORED`, applies the documented corrections of
    ``errata.csv`` (a term of a bag of words renamed, counts merged), and orders records by id so
    the file diffs cleanly. Run by maintainers (``mediaframes corpus vendor``), never at run time.
    """
    import csv
    import json

    source = Path(source_dir) / "articles.jsonl"
    errata_path = Path(errata or config.EMBEDDED_DIR / "errata.csv")
    fixes: dict[str, list[dict]] = {}
    with open(errata_path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            fixes.setdefault(row["id"], []).append(row)
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    for rec in records:
        for field in NOT_VENDORED:
            rec.pop(field, None)
        for fix in fixes.get(rec["id"], []):
            if fix["field"] != "bow" or fix["term"] not in rec["bow"]:
                raise ValueError(f"{errata_path}: erratum for {rec['id']} does not apply ({fix['term']!r} absent)")
            count = rec["bow"].pop(fix["term"])
            rec["bow"][fix["correction"]] = rec["bow"].get(fix["correction"], 0) + count
            rec["bow"] = dict(sorted(rec["bow"].items()))
    records.sort(key=lambda r: r["id"])
    config.EMBEDDED_DIR.mkdir(parents=True, exist_ok=True)
    with open(config.EMBEDDED_ARTICLES, "w", encoding="utf-8", newline="\n") as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(records)
