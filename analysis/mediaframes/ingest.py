"""Add articles to the store: validate each record, resolve its outlet, dedupe, write in one transaction.

Every input format (see :mod:`mediaframes.readers`) yields raw records (dicts) with their origin
(file and line); :func:`add_records` turns them into articles. The batch policy is **all or nothing**:
every problem of the batch (unreadable lines and files included) is collected and reported together
(file, line, field, fix) and, if there is any, nothing is written. Re-adding the same input changes
nothing (idempotent); identical content under another URL and near-duplicate wire copies are kept and
flagged, never merged (see :mod:`mediaframes.dedup`).

:func:`export_records` and :func:`write_export` are the inverse: the shareable form of stored articles
(metadata, bags of words, codes; full text only on request), which ``corpus add`` reads back.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from . import config
from .codebook import Codebook
from .errors import InputError, InputErrors, Problem
from .registry import Outlet, OutletRegistry
from .store import Store
from .tokenize import DEFAULT_TOKENIZER, Tokenizer
from .urls import URLError, canonical_url, domain_of

#: Metadata fields a record may carry (besides coded variables named in the codebook).
RECORD_FIELDS = ("id", "url", "domain", "outlet", "country", "publisher_country", "wire", "published",
                 "month", "language", "n_words", "text", "title", "bow", "coder", "codes",
                 "near_duplicate_of")
#: Fields read but deliberately not stored (search queries may quote headlines verbatim; the
#: collection of a re-imported export is the one ``--collection`` names).
IGNORED_FIELDS = ("found_by", "collection")
#: Record fields that must be text when present.
_TEXT_FIELDS = ("domain", "outlet", "country", "publisher_country", "wire", "language", "title", "coder",
                "near_duplicate_of")

_TERM = re.compile(r"^[^\W_]+(?:_[^\W_]+)*$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_COUNTRY = re.compile(r"^[A-Z]{2,3}$")
CHUNK = 500


@dataclass(frozen=True)
class Origin:
    """Where a raw record came from: file and line (or record number)."""

    file: str
    line: int | None = None

    def problem(self, message: str, fix: str = "", field: str | None = None) -> Problem:
        return Problem(self.file, message, fix, line=self.line, field=field)


@dataclass
class Article:
    """A validated record, ready for the store."""

    doc_id: str
    url: str
    canonical_url: str
    domain: str
    outlet: str
    country: str
    publisher_country: str | None
    wire: str | None
    published: str | None
    month: str | None
    language: str
    n_words: int
    bow: Counter
    content_hash: str
    text: str | None = None
    title: str | None = None
    coder: str | None = None
    codes: dict = field(default_factory=dict)
    near_duplicate_of: str | None = None
    origin: Origin = Origin("?")


@dataclass
class ImportReport:
    """What one ``corpus add`` did."""

    collection: str
    import_id: int | None = None
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    flagged: list[tuple[str, str, str]] = field(default_factory=list)  # (url, duplicate of, how)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)

    def summary(self) -> str:
        parts = [f"{self.added} added", f"{self.unchanged} unchanged"]
        if self.replaced:
            parts.append(f"{self.replaced} replaced")
        if self.flagged:
            parts.append(f"{len(self.flagged)} flagged as duplicates (kept)")
        text = f"collection {self.collection}: " + ", ".join(parts)
        if self.dry_run:
            return "dry run, nothing written: " + text.replace(" added", " would be added").replace(
                " replaced", " would be replaced")
        if not self.changed:
            text += " - the store already held all of this input; nothing changed"
        return text


@dataclass
class Defaults:
    """Values the command line supplies for records that lack them."""

    outlet: str | None = None
    country: str | None = None
    coder: str | None = None
    language: str = "en"
    published: str | None = None


def content_hash(bow: Counter) -> str:
    """SHA-1 of the sorted bag of words: equal for the same article given as text or as features."""
    payload = json.dumps(sorted(bow.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def parse_date(value, origin: Origin, fieldname: str = "published") -> tuple[str | None, str | None]:
    """(day, month) from YYYY-MM-DD, YYYY-MM, an ISO timestamp or an RFC 2822 date; ``None`` when empty."""
    if value in (None, ""):
        return None, None
    text = str(value).strip()
    parsed: date | None = None
    if _MONTH.match(text):
        try:
            datetime.strptime(text, "%Y-%m")
        except ValueError:
            raise InputErrors([origin.problem(f"invalid month {text!r}", "write YYYY-MM", fieldname)]) from None
        _check_range(date(int(text[:4]), int(text[5:7]), 1), origin, fieldname)
        return None, text
    try:
        if _DAY.match(text):
            parsed = date.fromisoformat(text)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        from email.utils import parsedate_to_datetime
        try:
            parsed = parsedate_to_datetime(text).date()
        except (TypeError, ValueError, IndexError):
            raise InputErrors([origin.problem(f"invalid date {text!r}", "write YYYY-MM-DD (or YYYY-MM)",
                                              fieldname)]) from None
    _check_range(parsed, origin, fieldname)
    return parsed.isoformat(), parsed.isoformat()[:7]


def _check_range(day: date, origin: Origin, fieldname: str) -> None:
    if day.year < 1990 or day > date.today() + timedelta(days=1):
        raise InputErrors([origin.problem(f"date {day.isoformat()} is outside 1990 to today",
                                          "check the year (dates are YYYY-MM-DD)", fieldname)])


class RecordValidator:
    """Turns raw records into :class:`Article` objects or problems.

    Parameters
    ----------
    registry : OutletRegistry
    codebook : Codebook
    countries : set of str
        Country codes that have a group in ``corpus/country_groups.csv``.
    defaults : Defaults
    tokenizer : Tokenizer
    require_registered : bool, default False
        Reject a domain missing from the registry even when the record names its outlet
        (the shipped corpus is held to this).
    """

    def __init__(self, registry: OutletRegistry, codebook: Codebook, countries: set[str],
                 defaults: Defaults | None = None, tokenizer: Tokenizer = DEFAULT_TOKENIZER,
                 require_registered: bool = False):
        self.registry = registry
        self.codebook = codebook
        self.countries = countries
        self.defaults = defaults or Defaults()
        self.tokenizer = tokenizer
        self.require_registered = require_registered
        #: Fields seen in records that are neither record fields nor coded variables (name -> count).
        self.ignored: Counter = Counter()
        self._good_terms: set[str] = set()   # terms of bags of words already checked

    def validate(self, raw: dict, origin: Origin) -> tuple[Article | None, list[Problem]]:
        """The record as an :class:`Article`, or ``None`` and every problem found in it."""
        problems: list[Problem] = []
        if not isinstance(raw, dict):
            return None, [origin.problem(f"expected an object, got {type(raw).__name__}",
                                         "write one JSON object per line")]
        self.ignored.update(k for k in raw if k not in RECORD_FIELDS and k not in IGNORED_FIELDS
                            and k not in self.codebook)
        url = raw.get("url")
        if not isinstance(url, str) or not url.strip():
            return None, [origin.problem("no url", "every article needs its address in 'url'", "url")]
        try:
            canonical = canonical_url(url)
        except URLError as exc:
            return None, [origin.problem(str(exc), "give the article's http(s) address", "url")]
        for name in _TEXT_FIELDS:
            if raw.get(name) is not None and not isinstance(raw[name], str):
                problems.append(origin.problem(f"{name} must be text, got {type(raw[name]).__name__}",
                                               f"write {name} as a string", name))
        doc_id = raw.get("id")
        if doc_id is not None and (isinstance(doc_id, bool) or not isinstance(doc_id, (str, int))):
            problems.append(origin.problem(f"id must be text, got {type(doc_id).__name__}",
                                           "write the id as a string, or leave it out", "id"))
        if problems:
            return None, problems
        domain = str(raw.get("domain") or domain_of(url)).lower()

        # text or bag of words: exactly one is needed (text wins when both are given)
        text, bow, n_words = raw.get("text"), raw.get("bow"), raw.get("n_words")
        if text is not None and not isinstance(text, str):
            problems.append(origin.problem("text must be a string", "", "text"))
            text = None
        if isinstance(text, str):
            if not text.strip():
                problems.append(origin.problem("empty text", "drop the record or supply its text", "text"))
            words, tokens = self.tokenizer.words_and_tokens(text)
            bow = Counter(tokens)
            if text.strip() and not bow:
                problems.append(origin.problem("the text has no words", "check the file's encoding and content",
                                               "text"))
            n_words = len(words) if n_words in (None, "") else n_words
        elif bow is not None:
            bow, bow_problem = self._check_bow(bow)
            if bow_problem:
                problems.append(origin.problem(bow_problem[0], bow_problem[1], "bow"))
        else:
            problems.append(origin.problem("neither text nor bow", "give the article's 'text' or its "
                                           "bag of words 'bow' (term -> count)", "text"))
        if bow is not None and n_words in (None, ""):
            n_words = sum(bow.values())
        try:
            n_words = int(n_words) if n_words is not None else 0
            if n_words < 0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(origin.problem(f"n_words {n_words!r} is not a whole number >= 0",
                                           "give the number of words, or leave it out", "n_words"))
            n_words = 0

        outlet, country = self._outlet(raw, domain, url, origin, problems)
        published = month = None
        try:
            published, month = parse_date(raw.get("published") or (None if raw.get("month") else
                                                                   self.defaults.published), origin)
            if raw.get("month") and not published:
                _, month = parse_date(raw["month"], origin, "month")
        except InputErrors as exc:
            problems.extend(exc.problems)

        codes = raw.get("codes")
        if codes is None:
            codes = {}
        elif isinstance(codes, dict):
            codes = dict(codes)
        else:
            problems.append(origin.problem(f"codes must be an object, got {type(codes).__name__}",
                                           "write {\"variable\": value, ...}", "codes"))
            codes = {}
        codes.update({k: v for k, v in raw.items() if k in self.codebook})
        codes = {k: v for k, v in codes.items() if v is not None}
        for name in codes:
            if name not in self.codebook:
                problems.append(origin.problem(f"unknown coded variable {name!r}",
                                               "add it to corpus/codebook.yml or remove it", f"codes.{name}"))
        for name, message in self.codebook.check(codes):
            if self.codebook.variables[name].kind == "multi" and isinstance(codes[name], str):
                fix = 'write a list, e.g. ["a", "b"] (in a CSV cell the same JSON array)'
            else:
                fix = "use a value listed in corpus/codebook.yml"
            problems.append(origin.problem(message, fix, name))
        coder = raw.get("coder") or self.defaults.coder or ("user" if codes else None)

        if problems or bow is None:
            return None, problems
        return Article(
            doc_id=str(raw.get("id") or "u" + hashlib.sha1(canonical.encode()).hexdigest()[:12]),
            url=url.strip(), canonical_url=canonical, domain=domain, outlet=outlet, country=country,
            publisher_country=raw.get("publisher_country") or None, wire=raw.get("wire") or None,
            published=published, month=month, language=str(raw.get("language") or self.defaults.language),
            n_words=n_words, bow=bow, content_hash=content_hash(bow), text=text if isinstance(text, str) else None,
            title=raw.get("title") or None, coder=coder, codes=codes,
            near_duplicate_of=raw.get("near_duplicate_of") or None, origin=origin,
        ), []

    def _check_bow(self, bow) -> tuple[Counter | None, tuple[str, str] | None]:
        if not isinstance(bow, dict) or not bow:
            return None, ("bow must be a non-empty object term -> count", "write {\"term\": count, ...}")
        good = self._good_terms
        for term, count in bow.items():
            if type(count) is not int or count < 1:  # bool is not a count
                return None, (f"count of {term!r} is {count!r}", "counts are whole numbers >= 1")
            if term in good:
                continue
            if term != term.lower() or not _TERM.match(term) or term in self.tokenizer.stopwords:
                return None, (f"term {term!r} does not follow the tokenizer rules",
                              "lowercase words, multiword expressions joined with _, function words "
                              "dropped (see corpus/README.md); or give the text instead")
            if len(good) < 1_000_000:
                good.add(term)
        return Counter(bow), None

    def _outlet(self, raw, domain, url, origin, problems) -> tuple[str, str]:
        registered = self.registry.resolve(domain) or self.registry.resolve(url)
        if registered is None and self.require_registered:
            problems.append(origin.problem(f"domain {domain} is not in {self.registry.source}",
                                           "register it there (domain,outlet,country,ownership,notes)", "domain"))
        outlet = raw.get("outlet") or (registered.outlet if registered else None) or self.defaults.outlet
        country = raw.get("country") or (registered.country if registered else None) or self.defaults.country
        if not outlet or not country:
            problems.append(origin.problem(
                f"unknown domain {domain}",
                f"register it with a row '{domain},OUTLET NAME,COUNTRY,ownership,notes' in corpus/outlets.csv, "
                "or pass --outlet and --country", "url"))
            return "", ""
        country = str(country).strip().upper()
        if not _COUNTRY.match(country) or country not in self.countries:
            problems.append(origin.problem(
                f"country {country!r} has no group", "use an ISO 3166 code listed in corpus/country_groups.csv "
                "or add a row for it there", "country"))
        publisher = raw.get("publisher_country")
        if publisher and str(publisher).strip().upper() not in self.countries:
            problems.append(origin.problem(
                f"publisher_country {publisher!r} has no group", "use an ISO 3166 code listed in "
                "corpus/country_groups.csv or add a row for it there", "publisher_country"))
        return str(outlet).strip(), country


def outlet_registry(store: Store | None = None, path: str | os.PathLike | None = None) -> OutletRegistry:
    """``corpus/outlets.csv``, plus the domains a store learnt from earlier ``--outlet/--country`` imports.

    A row of the CSV file wins over the store's record of the same domain.
    """
    registry = OutletRegistry.from_csv(path)
    outlets = list(registry.outlets.values())
    if store is not None:
        for row in store.outlets().itertuples(index=False):
            if row.domain not in registry:
                outlets.append(Outlet(row.domain, row.outlet, row.country, row.ownership, row.notes))
    return OutletRegistry(outlets, source=registry.source)


def add_records(store: Store, records: Iterable[tuple[dict, Origin]], *, collection: str,
                validator: RecordValidator, method: str, sources: Iterable[str] = (),
                replace: bool = False, detect_near_duplicates: bool = True,
                progress: Callable[[int], object] | None = None, dry_run: bool = False) -> ImportReport:
    """Validate and write records as one transaction (all or nothing).

    Parameters
    ----------
    store : Store
    records : iterable of (dict, Origin)
        Raw records, as readers yield them. An :class:`~mediaframes.errors.InputErrors` raised by
        the iterable (unreadable lines or files) joins the batch's problems.
    collection : str
        Name the articles are filed under (``--collection``).
    validator : RecordValidator
    method : str
        Input format, recorded as provenance.
    replace : bool, default False
        Overwrite a stored article whose URL comes again with other content (else that is an error).
    detect_near_duplicates : bool, default True
        Flag new articles whose bag of words is close to an earlier article's
        (:func:`mediaframes.dedup.flag_near_duplicates`); their signatures are indexed either way.
    progress : callable, optional
        Called with the number of records handled since the last call.
    dry_run : bool, default False
        Do everything, report it, then undo it: the store is left as it was.

    Returns
    -------
    ImportReport

    Raises
    ------
    InputErrors
        Every problem of the batch; the store is left as it was.
    """
    from .dedup import flag_near_duplicates, index_articles

    report = ImportReport(collection, dry_run=dry_run)
    problems: list[Problem] = []
    seen: dict[str, Origin] = {}
    seen_ids: dict[str, tuple[str, Origin]] = {}
    new_ids: list[int] = []
    validator.ignored.clear()
    with store.transaction(), store.savepoint("add_records") as undo:
        report.import_id = store.start_import(collection, method, sources)
        for chunk in _chunks(_collecting(records, problems), CHUNK):
            articles = []
            for raw, origin in chunk:
                article, found = validator.validate(raw, origin)
                problems.extend(found)
                if article is None:
                    continue
                if article.canonical_url in seen:
                    first = seen[article.canonical_url]
                    problems.append(origin.problem(
                        f"duplicate URL in this batch (first at {_where(first)})",
                        "keep one record per article", "url"))
                    continue
                if article.doc_id in seen_ids:
                    other_url, first = seen_ids[article.doc_id]
                    problems.append(origin.problem(
                        f"id {article.doc_id!r} is also the id of {other_url} (at {_where(first)})",
                        "give each article its own id, or leave ids out to derive them from the URLs", "id"))
                    continue
                seen[article.canonical_url] = origin
                seen_ids[article.doc_id] = (article.url, origin)
                articles.append(article)
            if progress:
                progress(len(chunk))
            # after the first problem, keep checking (to report everything) but write nothing more
            new_ids += _write_chunk(store, articles, collection, report, problems, replace, validator.registry)
        if problems:
            raise InputErrors(_in_input_order(problems))
        index_articles(store, new_ids)
        if detect_near_duplicates and new_ids:
            report.flagged += flag_near_duplicates(store, new_ids)
        store.finish_import(report.import_id, report.added + report.replaced, report.unchanged, len(report.flagged))
        if not report.changed:  # an idempotent re-run leaves no trace at all
            store.conn.execute("DELETE FROM imports WHERE import_id = ?", (report.import_id,))
            report.import_id = None
        if validator.ignored:
            report.warnings.append("fields not stored (neither record fields nor coded variables): "
                                   + ", ".join(f"{k} ({n} record{'s' if n > 1 else ''})"
                                               for k, n in sorted(validator.ignored.items())))
        if dry_run:
            undo()
            report.import_id = None
    return report


def _collecting(records: Iterable[tuple[dict, Origin]], problems: list[Problem]) -> Iterator[tuple[dict, Origin]]:
    """The records; problems the reader raises at the end join ``problems`` instead of escaping."""
    try:
        yield from records
    except InputErrors as exc:
        problems.extend(exc.problems)
    except InputError as exc:
        problems.append(exc.problem)


def _where(origin: Origin) -> str:
    return origin.file + (f":{origin.line}" if origin.line is not None else "")


def _in_input_order(problems: list[Problem]) -> list[Problem]:
    """Problems sorted by file (path by path component, the order folders are walked in), then line."""
    return sorted(problems, key=lambda p: (Path(p.file).parts, p.line if p.line is not None else 0))


def _write_chunk(store: Store, articles: list[Article], collection: str, report: ImportReport,
                 problems: list[Problem], replace: bool, registry: OutletRegistry) -> list[int]:
    """Compare a chunk with the store, then write it unless the batch has a problem so far."""
    stored = store.lookup_urls(a.canonical_url for a in articles)
    by_hash = store.lookup_hashes(a.content_hash for a in articles if a.canonical_url not in stored)
    stored_ids = store.lookup_doc_ids(a.doc_id for a in articles)
    plan: list[tuple[Article, int | None]] = []   # (article, stored article_id it replaces)
    for art in articles:
        owner = stored_ids.get(art.doc_id)
        if owner is not None and owner != art.canonical_url:
            problems.append(art.origin.problem(
                f"id {art.doc_id!r} is already used in the store by {owner}",
                "give this article another id, or leave the id out to derive one from the URL", "id"))
            continue
        if art.canonical_url in stored:
            article_id, old_hash = stored[art.canonical_url]
            if old_hash == art.content_hash:
                report.unchanged += 1
                continue
            if not replace:
                problems.append(art.origin.problem(
                    "this URL is already stored with other content",
                    "pass --replace to overwrite it, or fix the URL", "url"))
                continue
            owner_collection = store.conn.execute("SELECT collection FROM articles WHERE article_id = ?",
                                                  (article_id,)).fetchone()[0]
            if owner_collection == config.EMBEDDED_COLLECTION != collection:
                problems.append(art.origin.problem(
                    f"this URL belongs to the shipped corpus ({config.EMBEDDED_COLLECTION}), which --replace "
                    "does not overwrite", "drop the record; to add its full text use `mediaframes corpus hydrate`",
                    "url"))
                continue
            plan.append((art, article_id))
        else:
            plan.append((art, None))
    if problems:
        return []
    new_ids = []
    for art, replaces in plan:
        if replaces is None:
            report.added += 1
        else:
            store.conn.execute("DELETE FROM articles WHERE article_id = ?", (replaces,))
            report.replaced += 1
        if art.content_hash in by_hash and by_hash[art.content_hash] != art.canonical_url:
            art.near_duplicate_of = art.near_duplicate_of or by_hash[art.content_hash]
            report.flagged.append((art.url, by_hash[art.content_hash], "identical content"))
        by_hash.setdefault(art.content_hash, art.canonical_url)
        new_ids.append(_insert(store, art, collection, report.import_id, registry))
    return new_ids


def _insert(store: Store, art: Article, collection: str, import_id: int, registry: OutletRegistry) -> int:
    if not store.conn.execute("SELECT 1 FROM outlets WHERE domain = ?", (art.domain,)).fetchone():
        known = registry.resolve(art.domain)
        if known:
            store.register_outlet(art.domain, known.outlet, known.country, known.ownership, known.notes,
                                  registered_from=registry.source)
        else:
            store.register_outlet(art.domain, art.outlet, art.publisher_country or art.country,
                                  registered_from=art.origin.file)
    article_id = store.insert_article({
        "doc_id": art.doc_id, "url": art.url, "canonical_url": art.canonical_url, "domain": art.domain,
        "outlet": art.outlet, "country": art.country, "publisher_country": art.publisher_country,
        "wire": art.wire, "published": art.published, "month": art.month, "language": art.language,
        "n_words": art.n_words, "content_hash": art.content_hash, "near_duplicate_of": art.near_duplicate_of,
        "collection": collection, "import_id": import_id, "source_file": art.origin.file,
        "source_record": art.origin.line,
    })
    store.set_features(article_id, art.bow)
    if art.text is not None:
        store.set_text(article_id, art.text, art.title, source="import")
    if art.codes:
        store.set_codes(article_id, art.coder or "user", art.codes)
    return article_id


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- export: the shareable form, which corpus add reads back -----------------------------------------
#: Metadata fields of an exported record, in order (then bow, codes, coder, near_duplicate_of, collection).
EXPORT_FIELDS = ("id", "url", "domain", "outlet", "country", "publisher_country", "wire", "published", "month",
                 "language", "n_words")
EXPORT_FORMATS = ("jsonl", "parquet")


def export_records(store: Store, collection: str | None = None, with_text: bool = False,
                   codebook: Codebook | None = None, chunk: int = 1000) -> Iterator[dict]:
    """Stored articles as records that ``corpus add`` accepts, ordered by ``id`` (``doc_id``).

    Each record holds the metadata of :data:`EXPORT_FIELDS`, the bag of words ``bow`` (terms
    sorted), the primary codes as fields (codebook order) with their ``coder`` (when an article has
    several primary coders, the first by name), ``near_duplicate_of`` and ``collection``. With
    ``with_text`` also ``title`` and ``text`` where the store holds them; full text is for the
    user's own use and is never part of a shared export.
    """
    codebook = codebook or Codebook.from_yaml()
    order = [v.name for v in codebook]
    articles = store.articles(collection)
    codes = store.codes(primary_only=True)
    by_article: dict[int, dict] = {}
    if len(codes):
        for row in codes.sort_values(["article_id", "coder"]).to_dict("records"):
            if row["article_id"] in by_article:
                continue
            values = {k: v for k, v in row.items() if k not in ("article_id", "coder") and not _missing(v)}
            by_article[row["article_id"]] = {"coder": row["coder"], "codes": values}
    terms = store.terms()
    texts = store.texts().set_index("article_id") if with_text else None
    for start in range(0, len(articles), chunk):
        part = articles.iloc[start:start + chunk]
        ids = part["article_id"].tolist()
        indptr, term_ids, counts = store.feature_arrays(ids)
        names = terms.reindex(term_ids).to_numpy(dtype=object) if len(term_ids) else []
        for k, row in enumerate(part.to_dict("records")):
            record = {"id": row["doc_id"]}
            for name in EXPORT_FIELDS[1:]:
                value = row[name]
                record[name] = None if _missing(value) else (int(value) if name == "n_words" else value)
            if texts is not None and row["article_id"] in texts.index:
                record["title"] = _none(texts.at[row["article_id"], "title"])
                record["text"] = texts.at[row["article_id"], "text"]
            lo, hi = indptr[k], indptr[k + 1]
            record["bow"] = dict(sorted(zip(names[lo:hi], (int(c) for c in counts[lo:hi]))))
            coded = by_article.get(row["article_id"])
            if coded:
                values = coded["codes"]
                for name in order + sorted(set(values) - set(order)):
                    if name in values:
                        record[name] = values[name]
                record["coder"] = coded["coder"]
            record["near_duplicate_of"] = _none(row["near_duplicate_of"])
            record["collection"] = row["collection"]
            yield record


def write_export(store: Store, out: str | os.PathLike, fmt: str = "jsonl", collection: str | None = None,
                 with_text: bool = False, progress: Callable[[int], object] | None = None) -> int:
    """Write :func:`export_records` to ``out`` (JSON lines or Parquet); returns the number of articles.

    The file is written next to ``out`` and moved into place at the end, so an interrupted export
    never leaves a half-written file. Output is deterministic: the same store gives the same bytes.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    records = export_records(store, collection, with_text)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    try:
        if fmt == "jsonl":
            n = 0
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                for record in records:
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                    n += 1
                    if progress:
                        progress(1)
        else:
            n = _write_parquet(records, tmp, with_text, progress)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return n


def _write_parquet(records: Iterable[dict], path: str, with_text: bool, progress) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    codebook = Codebook.from_yaml()
    fields = [pa.field(name, pa.int64() if name == "n_words" else pa.string()) for name in EXPORT_FIELDS]
    if with_text:
        fields += [pa.field("title", pa.string()), pa.field("text", pa.string())]
    fields.append(pa.field("bow", pa.map_(pa.string(), pa.int64())))
    fields += [pa.field(v.name, pa.list_(pa.string()) if v.kind == "multi" else pa.string()) for v in codebook]
    fields += [pa.field(name, pa.string()) for name in ("coder", "near_duplicate_of", "collection")]
    schema = pa.schema(fields)
    columns: dict[str, list] = {f.name: [] for f in fields}
    n = 0
    for record in records:
        for name in columns:
            value = record.get(name)
            columns[name].append(list(value.items()) if name == "bow" else value)
        n += 1
        if progress:
            progress(1)
    pq.write_table(pa.table(columns, schema=schema), path)
    return n


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _none(value):
    return None if _missing(value) else value
