"""Add articles to the store: validate each record, resolve its outlet, dedupe, write in one transaction.

Every input format (see :mod:`mediaframes.readers`) yields raw records (dicts) with their origin
(file and line); :func:`add_records` turns them into articles. The batch policy is **all or nothing**:
every problem of the batch is collected and reported together (file, line, field, fix) and, if there
is any, nothing is written. Re-adding the same input changes nothing (idempotent); identical content
under another URL and near-duplicate wire copies are kept and flagged, never merged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from . import __version__  # noqa: F401  (recorded in provenance by the store)
from .codebook import Codebook
from .errors import InputErrors, Problem
from .registry import OutletRegistry
from .store import Store
from .tokenize import DEFAULT_TOKENIZER, Tokenizer
from .urls import URLError, canonical_url, domain_of

#: Metadata fields a record may carry (besides coded variables named in the codebook).
RECORD_FIELDS = ("id", "url", "domain", "outlet", "country", "publisher_country", "wire", "published",
                 "month", "language", "n_words", "text", "title", "bow", "coder", "codes",
                 "near_duplicate_of")
#: Fields read but deliberately not stored (search queries may quote headlines verbatim).
IGNORED_FIELDS = ("found_by",)

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

    def validate(self, raw: dict, origin: Origin) -> tuple[Article | None, list[Problem]]:
        problems: list[Problem] = []
        if not isinstance(raw, dict):
            return None, [origin.problem(f"expected an object, got {type(raw).__name__}",
                                         "write one JSON object per line")]
        url = raw.get("url")
        if not isinstance(url, str) or not url.strip():
            return None, [origin.problem("no url", "every article needs its address in 'url'", "url")]
        try:
            canonical = canonical_url(url)
        except URLError as exc:
            return None, [origin.problem(str(exc), "give the article's http(s) address", "url")]
        domain = str(raw.get("domain") or domain_of(url)).lower()

        # text or bag of words: exactly one is needed (text wins when both are given)
        text, bow, n_words = raw.get("text"), raw.get("bow"), raw.get("n_words")
        if text is not None and not isinstance(text, str):
            problems.append(origin.problem("text must be a string", "", "text"))
            text = None
        if isinstance(text, str):
            if not text.strip():
                problems.append(origin.problem("empty text", "drop the record or supply its text", "text"))
            words = self.tokenizer.words(text)
            bow = Counter(self.tokenizer.tokens(text))
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
            problems.append(origin.problem(f"n_words {n_words!r} is not a whole number >= 0", "", "n_words"))
            n_words = 0

        outlet, country = self._outlet(raw, domain, url, origin, problems)
        published = month = None
        try:
            published, month = parse_date(raw.get("published") or self.defaults.published, origin)
            if raw.get("month") and not published:
                _, month = parse_date(raw["month"], origin, "month")
        except InputErrors as exc:
            problems.extend(exc.problems)

        codes = dict(raw.get("codes") or {})
        if not isinstance(codes, dict):
            problems.append(origin.problem("codes must be an object", "write {\"variable\": value}", "codes"))
            codes = {}
        codes.update({k: v for k, v in raw.items() if k in self.codebook})
        codes = {k: v for k, v in codes.items() if v is not None}
        for name in codes:
            if name not in self.codebook:
                problems.append(origin.problem(f"unknown coded variable {name!r}",
                                               "add it to corpus/codebook.yml or remove it", f"codes.{name}"))
        for name, message in self.codebook.check(codes):
            problems.append(origin.problem(message, "use a value listed in corpus/codebook.yml", name))
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
        for term, count in bow.items():
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                return None, (f"count of {term!r} is {count!r}", "counts are whole numbers >= 1")
            if term != term.lower() or not _TERM.match(term) or term in self.tokenizer.stopwords:
                return None, (f"term {term!r} does not follow the tokenizer rules",
                              "lowercase words, multiword expressions joined with _, function words "
                              "dropped (see corpus/README.md); or give the text instead")
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
        return str(outlet).strip(), country


def add_records(store: Store, records: Iterable[tuple[dict, Origin]], *, collection: str,
                validator: RecordValidator, method: str, sources: Iterable[str] = (),
                replace: bool = False, detect_near_duplicates: bool = True,
                progress=None) -> ImportReport:
    """Validate and write records as one transaction (all or nothing).

    Parameters
    ----------
    store : Store
    records : iterable of (dict, Origin)
        Raw records, as readers yield them.
    collection : str
        Name the articles are filed under (``--collection``).
    validator : RecordValidator
    method : str
        Input format, recorded as provenance.
    replace : bool, default False
        Overwrite a stored article whose URL comes again with other content (else that is an error).
    progress : callable, optional
        Called with the number of records handled since the last call.

    Raises
    ------
    InputErrors
        Every problem of the batch; the store is left as it was.
    """
    report = ImportReport(collection)
    problems: list[Problem] = []
    seen: dict[str, Origin] = {}
    new_ids: list[int] = []
    with store.transaction():
        report.import_id = store.start_import(collection, method, sources)
        for chunk in _chunks(records, CHUNK):
            articles = []
            for raw, origin in chunk:
                article, found = validator.validate(raw, origin)
                problems.extend(found)
                if article is None:
                    continue
                if article.canonical_url in seen:
                    first = seen[article.canonical_url]
                    problems.append(origin.problem(
                        f"duplicate URL in this batch (first at {first.file}:{first.line})",
                        "keep one record per article", "url"))
                    continue
                seen[article.canonical_url] = origin
                articles.append(article)
            if progress:
                progress(len(chunk))
            if problems:  # keep validating to report everything, but write nothing more
                continue
            new_ids += _write_chunk(store, articles, collection, report, problems, replace, validator.registry)
        if problems:
            raise InputErrors(problems)
        if detect_near_duplicates and new_ids:
            from .dedup import flag_near_duplicates
            report.flagged += flag_near_duplicates(store, new_ids)
        store.finish_import(report.import_id, report.added + report.replaced, report.unchanged, len(report.flagged))
        if not report.changed:  # an idempotent re-run leaves no trace at all
            store.conn.execute("DELETE FROM imports WHERE import_id = ?", (report.import_id,))
            report.import_id = None
    return report


def _write_chunk(store: Store, articles: list[Article], collection: str, report: ImportReport,
                 problems: list[Problem], replace: bool, registry: OutletRegistry) -> list[int]:
    stored = store.lookup_urls(a.canonical_url for a in articles)
    by_hash = store.lookup_hashes(a.content_hash for a in articles if a.canonical_url not in stored)
    new_ids = []
    for art in articles:
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
            store.conn.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))
            report.replaced += 1
        else:
            report.added += 1
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
