"""Input formats for ``corpus add``: each reader yields raw records with their origin (file, line).

Readers only parse; validation, outlet resolution and writing happen in :mod:`mediaframes.ingest`.
:func:`read_paths` is the single entry point (``corpus add`` and ``predict`` both use it): it walks
directories, picks each file's format, and yields ``(record, Origin)`` pairs lazily, one file after
another. Every problem (file, line, field, fix) is collected; after the last record it raises them
all together as :class:`~mediaframes.errors.InputErrors`, so a caller sees every problem of the
input in one pass.

Formats (``--format auto`` picks by extension, then by sniffing the first bytes):

``jsonl`` (``.jsonl``, ``.ndjson``)
    One JSON object per line: ``url``, ``text`` or ``bow`` (term -> count), and optionally
    ``id, outlet, country, publisher_country, wire, published, month, language, n_words, title,
    coder, near_duplicate_of``, coded variables as fields or in a ``codes`` object.
``csv`` (``.csv``)
    The same fields as columns (header required, UTF-8; comma-separated, or semicolon- or
    tab-separated as some spreadsheets write). ``bow`` and ``codes`` are JSON strings;
    a list-valued code is a **JSON array** in its cell (``["militants", "separatists"]``), never a
    ``;``-separated string. An empty cell is a missing value.
``html`` (``.html``, ``.htm``)
    One article page per file. trafilatura extracts text, title and date; the URL is the page's
    ``<link rel="canonical">``, else its ``og:url``, else it must come from a sidecar (below).
``txt`` (``.txt``)
    The article text, UTF-8. Its URL (and any other metadata) comes from a sidecar.
``json`` (``.json``)
    Article files as scrapers write them: one object, a list of objects, an object holding the
    list under ``articles``, ``items``, ``results`` or ``data``, or one object per line. Common field names are understood
    (:data:`ALIASES`: ``link`` -> url, ``content``/``body``/``maintext`` -> text,
    ``date_published``/``datePublished``/``publishedAt``/``date`` -> published, ...).
``rss`` (``.rss``, ``.atom``, ``.xml``)
    RSS or Atom feeds (feedparser): one article per entry (link, title, content or summary,
    published date).

Sidecars (for ``.html`` and ``.txt``): metadata for ``story.txt`` is read from ``story.meta.json``
next to it (one JSON object: ``url``, ``title``, ``published``, ``outlet``, ``country``, codes ...),
else from the row of ``metadata.csv`` in the same folder whose ``file`` column is ``story.txt``.
Sidecar values win over what is extracted from a page; command-line options (``--outlet``,
``--country``, ``--published``, ``--coder``) fill in what neither gives. When walking a folder,
``*.meta.json`` and ``metadata.csv`` are read as sidecars, never as articles.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import InputError, InputErrors, Problem
from .ingest import Origin

#: Longest accepted line of a JSONL or CSV file (a line beyond this is almost surely not one article).
MAX_LINE_BYTES = 20_000_000
#: Largest accepted single-article file (HTML page, text file).
MAX_FILE_BYTES = 20_000_000
FORMATS = ("jsonl", "csv", "html", "txt", "json", "rss")
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".html": "html", ".htm": "html",
              ".txt": "txt", ".json": "json", ".rss": "rss", ".atom": "rss", ".xml": "rss"}
SIDECAR_SUFFIX = ".meta.json"
METADATA_CSV = "metadata.csv"
#: Field names scrapers use, by the record field they mean (the first one present is taken).
ALIASES = {
    "url": ("link", "canonical_url", "canonical", "article_url", "source_url", "href"),
    "text": ("content", "body", "maintext", "article_text", "article_body", "articleBody", "full_text",
             "fulltext"),
    "title": ("headline",),
    "published": ("date_published", "datePublished", "date_publish", "publish_date", "published_at",
                  "publishedAt", "published_date", "pubDate", "pub_date", "date"),
}
_JSON_CELLS = ("bow", "codes")      # CSV columns always holding JSON
_PLAIN_CELLS = ("url", "text", "title", "id", "published", "month", "outlet", "country")
_LIST_KEYS = ("articles", "items", "results", "data")
_HTML_HINT = re.compile(rb"<(p|br|div|span|a|em|strong|b|i|ul|li|h[1-6])[\s/>]", re.IGNORECASE)
_FEED_ITEM = re.compile(rb"<(?:item|entry)[\s>]", re.IGNORECASE)
_WS = re.compile(r"\s*")
_HINT = ("pass article files (.jsonl, .csv, .html, .htm, .txt, .json, .rss, .atom, .xml) "
         "or name the format with --format")


@dataclass
class ReadOptions:
    """How :func:`read_paths` reads its inputs.

    Parameters
    ----------
    format : str, default "auto"
        One of :data:`FORMATS`, or ``"auto"`` (by extension, then by sniffing the content).
        With an explicit format every file found is read in that format.
    on_file : callable, optional
        Called with each file's path once it has been read (progress bars).
    on_skip : callable, optional
        Called with ``(path, reason)`` for each file of a walked folder that is not read.
    max_line_bytes : int, default :data:`MAX_LINE_BYTES`
    """

    format: str = "auto"
    on_file: Callable[[str], None] | None = None
    on_skip: Callable[[str, str], None] | None = None
    max_line_bytes: int = MAX_LINE_BYTES

    def __post_init__(self):
        if self.format not in ("auto",) + FORMATS:
            raise ValueError(f"format {self.format!r} is not one of auto, {', '.join(FORMATS)}")


# -- entry point ----------------------------------------------------------------------------------
def list_inputs(paths: Iterable[str | os.PathLike], options: ReadOptions | None = None
                ) -> tuple[list[tuple[Path, str | None]], list[Problem]]:
    """The files :func:`read_paths` will read, in order, with their format (``None``: sniff it).

    Folders are walked recursively in sorted order; hidden files, sidecars and (with
    ``--format auto``) files of other extensions are skipped. A path given twice is read once.
    """
    options = options or ReadOptions()
    files: list[tuple[Path, str | None]] = []
    problems: list[Problem] = []
    seen: set[str] = set()

    def add(path: Path, fmt: str | None) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            files.append((path, fmt))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found, skipped = [], []
            for file in _walk(path):
                fmt = _format_in_folder(file.name, options.format)
                if fmt is None:
                    if not file.name.startswith(".") and not _is_sidecar(file.name):
                        skipped.append(file)
                        if options.on_skip:
                            options.on_skip(str(file), "not an article file")
                    continue
                found.append((file, fmt))
            if not found:
                shown = ", ".join(p.name for p in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
                problems.append(Problem(str(path), "no article files in this folder"
                                        + (f" (skipped: {shown})" if skipped else " (it is empty)"), _HINT))
            for file, fmt in found:
                add(file, fmt)
        elif path.exists():
            if options.format != "auto":
                add(path, options.format)
            else:
                add(path, EXTENSIONS.get(path.suffix.lower()))   # None: sniff the content
        else:
            problems.append(Problem(str(path), "no such file or folder", "check the path"))
    return files, problems


def read_paths(paths: Iterable[str | os.PathLike], options: ReadOptions | None = None
               ) -> Iterator[tuple[dict, Origin]]:
    """Yield ``(record, Origin)`` for every article in ``paths`` (files and folders).

    Records are plain dicts with the field names of :data:`mediaframes.ingest.RECORD_FIELDS`
    (scraper aliases already mapped). Files are opened one at a time, in order, as the caller
    consumes the records. After the last record, every problem found is raised at once.

    Raises
    ------
    InputErrors
        Each unreadable file, line or record (file, line, field, fix).
    """
    options = options or ReadOptions()
    files, problems = list_inputs(paths, options)
    sidecars = Sidecars()
    for path, fmt in files:
        try:
            yield from _read_file(path, fmt, sidecars, options, problems)
        except InputErrors as exc:
            problems.extend(exc.problems)
        except InputError as exc:
            problems.append(exc.problem)
        except OSError as exc:
            problems.append(Problem(str(path), f"cannot read it ({exc.strerror or exc})",
                                    "check the file's permissions"))
        if options.on_file:
            options.on_file(str(path))
    if problems:
        raise InputErrors(problems)


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in sorted order, a subfolder's files where its name sorts (not hidden ones)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file() or not entry.is_symlink():
            yield Path(entry.path)


def _format_in_folder(name: str, fmt: str) -> str | None:
    if name.startswith(".") or _is_sidecar(name):
        return None
    if fmt != "auto":
        return fmt
    return EXTENSIONS.get(Path(name).suffix.lower())


def _is_sidecar(name: str) -> bool:
    return name.lower().endswith(SIDECAR_SUFFIX) or name.lower() == METADATA_CSV


def sniff(head: bytes) -> str | None:
    """The format the first bytes of a file suggest, or ``None``."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    low = text[:2048].lower()
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        first = text.split(b"\n", 1)[0]
        try:
            json.loads(first)
            return "jsonl"
        except ValueError:
            return "json"
    if low.startswith(b"<"):
        if b"<rss" in low or b"<feed" in low or b"<rdf:rdf" in low:
            return "rss"
        if b"<html" in low or b"<!doctype html" in low or b"<body" in low or b"<head" in low:
            return "html"
    return None


def _read_file(path: Path, fmt: str | None, sidecars: "Sidecars", options: ReadOptions,
               problems: list[Problem]) -> Iterator[tuple[dict, Origin]]:
    name = str(path)
    with open(path, "rb") as fh:
        head = fh.peek(8192)[:8192]
        if not head.strip():  # blank so far: read on until something shows, then put it all back
            consumed = []
            while True:
                block = fh.read(1 << 16)
                consumed.append(block)
                if not block or block.strip():
                    break
            if not block:
                problems.append(Problem(name, "the file is empty", "remove it or fill it", line=1))
                return
            prefix = b"".join(consumed)
            head = prefix.lstrip()[:8192]
            fh = io.BufferedReader(_Prefixed(prefix, fh))
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            problems.append(Problem(name, "UTF-16 text, not UTF-8", "re-save the file as UTF-8", line=1))
            return
        if b"\x00" in head:
            problems.append(Problem(name, "a binary file, not text", _HINT, line=1))
            return
        if fmt is None:
            fmt = sniff(head)
            if fmt is None:
                problems.append(Problem(name, "cannot tell the file's format from its name or content",
                                        f"pass --format ({', '.join(FORMATS)})", line=1))
                return
        before = len(problems)
        n = 0
        for record, origin in READERS[fmt](path, fh, sidecars, options, problems):
            n += 1
            yield record, origin
        if n == 0 and len(problems) == before:
            problems.append(Problem(name, f"no articles in this file (read as {fmt})",
                                    "check the file's content, or pass --format", line=1))


class _Prefixed(io.RawIOBase):
    """A stream that gives ``prefix`` first, then the rest of ``stream``."""

    def __init__(self, prefix: bytes, stream):
        self.prefix, self.stream = prefix, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.prefix:
            n = min(len(buffer), len(self.prefix))
            buffer[:n], self.prefix = self.prefix[:n], self.prefix[n:]
            return n
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


# -- JSON lines -----------------------------------------------------------------------------------
def _lines(fh, path: Path, problems: list[Problem], limit: int) -> Iterator[tuple[int, bytes]]:
    """Numbered raw lines; a line over ``limit`` bytes is reported and skipped, never held whole."""
    line_no = 0
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        line_no += 1
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if len(raw) > limit and not raw.endswith(b"\n"):
            size = len(raw)
            while raw and not raw.endswith(b"\n"):
                raw = fh.readline(1 << 20)
                size += len(raw)
            problems.append(Problem(str(path), f"line is {size:,} bytes, over the limit of {limit:,}",
                                    "split the record or check the file", line=line_no))
            continue
        yield line_no, raw


def _jsonl(path: Path, fh, sidecars, options: ReadOptions, problems: list[Problem]):
    for line_no, raw in _lines(fh, path, problems, options.max_line_bytes):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(path), f"not UTF-8 ({exc.reason} at byte {exc.start} of the line)",
                                    "re-save the file as UTF-8", line=line_no))
            continue
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(path), f"malformed JSON ({exc.msg}, column {exc.colno})",
                                    "write one complete JSON object per line", line=line_no))
            continue
        if not isinstance(record, dict):
            problems.append(Problem(str(path), f"expected a JSON object, got {type(record).__name__}",
                                    "write one JSON object per line", line=line_no))
            continue
        yield normalize_record(record), Origin(str(path), line_no)


def read_jsonl(path: str | os.PathLike) -> Iterator[tuple[dict, Origin]]:
    """One JSON object per line; blank lines are skipped; every bad line is reported."""
    problems: list[Problem] = []
    with open(path, "rb") as fh:
        yield from _jsonl(Path(path), fh, None, ReadOptions(), problems)
    if problems:
        raise InputErrors(problems)


# -- CSV ------------------------------------------------------------------------------------------
def _csv(path: Path, fh, sidecars, options: ReadOptions, problems: list[Problem]):
    name = str(path)
    decode_problems: list[Problem] = []
    lines = _decoded_lines(fh, path, decode_problems, options.max_line_bytes)
    first = next(lines, "")
    if not first:  # the first line was not UTF-8
        problems.extend(decode_problems)
        return
    # comma, or the semicolon or tab some spreadsheets write, whichever the header uses most
    delimiter = max(",;\t", key=lambda d: (first.count(d), d == ","))
    old_limit = csv.field_size_limit()
    csv.field_size_limit(options.max_line_bytes)
    try:
        reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            problems.extend(decode_problems)
            return
        except csv.Error as exc:
            problems.append(Problem(name, f"unreadable CSV header ({exc})", "write a header row", line=1))
            return
        header = [h.strip() for h in header]
        bad = _check_header(header)
        if bad:
            problems.append(Problem(name, bad[0], bad[1], line=1, field=bad[2]))
            return
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problems.append(Problem(name, f"malformed CSV ({exc})", "check the quoting of this row",
                                        line=start))
                break
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                problems.append(Problem(name, f"the row has {len(row)} values but the header {len(header)} "
                                        "columns", "quote values that contain commas", line=line,
                                        field=f"column {len(header) + 1}"))
                continue
            record = parse_cells(dict(zip(header, row)), Origin(name, line), problems)
            if record is not None:
                yield normalize_record(record), Origin(name, line)
    finally:
        csv.field_size_limit(old_limit)
    problems.extend(decode_problems)


def _decoded_lines(fh, path: Path, problems: list[Problem], limit: int) -> Iterator[str]:
    """Lines of a UTF-8 file as text; stops at the first line that is not UTF-8 (and reports it)."""
    for line_no, raw in _lines(fh, path, problems, limit):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(path), f"not UTF-8 ({exc.reason} at byte {exc.start} of the line)",
                                    "re-save the file as UTF-8 (the rest of the file was not read)",
                                    line=line_no))
            return


def _check_header(header: list[str]) -> tuple[str, str, str] | None:
    if "url" not in header and not any(a in header for a in ALIASES["url"]):
        return ("missing column url", "add a column 'url' with each article's address", "url")
    if not {"text", "bow"} & set(header) and not any(a in header for a in ALIASES["text"]):
        return ("missing column text or bow", "add a column 'text' (the article) or 'bow' (a JSON object "
                "term -> count)", "text")
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        return (f"column {dupes[0]!r} appears twice", "keep one column per field", dupes[0])
    return None


def parse_cells(row: dict, origin: Origin, problems: list[Problem]) -> dict | None:
    """CSV cells to record values: empty cells dropped; ``bow``/``codes`` and ``[...]`` cells as JSON."""
    record = {}
    for key, value in row.items():
        if not key or value is None or not value.strip():
            continue
        if key in _JSON_CELLS:
            try:
                record[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                problems.append(origin.problem(f"not valid JSON ({exc.msg}, column {exc.colno})",
                                               'write a JSON object, e.g. {"term": 2}', key))
                return None
        elif key not in _PLAIN_CELLS and value.lstrip().startswith("["):
            try:  # a list-valued code; a cell that is not a JSON array stays text (the validator says so)
                record[key] = json.loads(value)
            except json.JSONDecodeError:
                record[key] = value.strip()
        else:
            record[key] = value if key == "text" else value.strip()
    return record


# -- scraper JSON ---------------------------------------------------------------------------------
def _json(path: Path, fh, sidecars, options: ReadOptions, problems: list[Problem]):
    name = str(path)
    data = fh.read()
    text = _decode(data, path, problems)
    if text is None:
        return
    decoder = json.JSONDecoder()
    start = _WS.match(text, 0).end()
    try:
        if text.startswith("[", start):
            items = _json_list(text, start, decoder)
        else:
            value, end = decoder.raw_decode(text, start)
            rest = _WS.match(text, end).end()
            if rest != len(text):
                if isinstance(value, dict) and text.startswith("{", rest) and "\n" in text[end:rest]:
                    # one object per line in a .json file: read it as JSON lines
                    yield from _jsonl(path, io.BufferedReader(io.BytesIO(data)), sidecars, options, problems)
                    return
                raise json.JSONDecodeError("extra data after the JSON value", text, rest)
            items = _unwrap(value, text, decoder)
        for line, item in items:
            if not isinstance(item, dict):
                problems.append(Problem(name, f"expected an article object, got {type(item).__name__}",
                                        "write one object per article", line=line))
                continue
            yield normalize_record(item), Origin(name, line)
    except json.JSONDecodeError as exc:
        problems.append(Problem(name, f"malformed JSON ({exc.msg}, column {exc.colno})",
                                "write one JSON object or a list of objects", line=exc.lineno))


def _unwrap(value, text: str, decoder: json.JSONDecoder) -> Iterator[tuple[int | None, object]]:
    """An object that is one article, or a wrapper holding the list of articles."""
    if isinstance(value, dict) and not any(k in value for k in ("url",) + ALIASES["url"]):
        for key in _LIST_KEYS:
            if isinstance(value.get(key), list):
                found = re.search(r'"%s"\s*:\s*\[' % re.escape(key), text)
                if found:
                    yield from _json_list(text, found.end() - 1, decoder)
                else:  # pragma: no cover - the key was parsed, so it is in the text
                    yield from ((None, item) for item in value[key])
                return
    yield 1 + text.count("\n", 0, _WS.match(text, 0).end()), value


def _json_list(text: str, start: int, decoder: json.JSONDecoder) -> Iterator[tuple[int, object]]:
    """Items of the JSON array opening at ``start``, each with the line it starts on."""
    pos = _WS.match(text, start + 1).end()
    line, counted = 1 + text.count("\n", 0, start), start
    if text.startswith("]", pos):
        return
    while True:
        line += text.count("\n", counted, pos)
        counted = pos
        item, pos = decoder.raw_decode(text, pos)
        yield line, item
        pos = _WS.match(text, pos).end()
        if text.startswith(",", pos):
            pos = _WS.match(text, pos + 1).end()
        elif text.startswith("]", pos):
            return
        else:
            raise json.JSONDecodeError("expected ',' or ']' between list items", text, pos)


# -- HTML pages and text files --------------------------------------------------------------------
def _html(path: Path, fh, sidecars: "Sidecars", options: ReadOptions, problems: list[Problem]):
    name = str(path)
    data = _read_capped(fh, path, problems)
    if data is None:
        return
    extracted = extract_html(data)
    meta = sidecars.get(path, problems)
    if meta is None:
        return
    if not extracted.get("text"):
        problems.append(Problem(name, "no article text could be extracted from this page", "check that it is "
                                "an article page (not an index, login or script-only page), or save the "
                                "article's text as a .txt file with a sidecar", field="text"))
        return
    record = {k: v for k, v in extracted.items() if v}
    record.update(meta)
    if not record.get("url"):
        problems.append(_no_url(path, name, "no URL: the page has no <link rel=\"canonical\"> or og:url"))
        return
    yield record, Origin(name)


def _no_url(path: Path, name: str, message: str) -> Problem:
    """A page or text file without an address: the fix is a sidecar or a metadata.csv row."""
    return Problem(name, message, f"write {path.stem}{SIDECAR_SUFFIX} next to it with {{\"url\": \"https://...\"}}, "
                   f"or add a row for {path.name} to {METADATA_CSV} in its folder", field="url")


def extract_html(data: bytes | str) -> dict:
    """Text, title, date and URL of an article page (trafilatura; URL from canonical link or og:url)."""
    import trafilatura

    doc = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False,
                                      date_extraction_params={"extensive_search": False, "original_date": True})
    text = (doc.text or "").strip() if doc is not None else ""
    return {"url": _page_url(data) or (doc.url if doc is not None else None),
            "title": doc.title if doc is not None else None,
            "published": doc.date if doc is not None else None,
            "text": text or None}


def _page_url(data: bytes | str) -> str | None:
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(data)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None
    og = next((m.get("content") for m in tree.iter("meta")
               if (m.get("property") or m.get("name") or "").lower() == "og:url" and m.get("content")), None)
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            href = link.get("href").strip()
            if "://" not in href and og:
                from urllib.parse import urljoin
                href = urljoin(og, href)
            return href
    return og.strip() if og else None


def _txt(path: Path, fh, sidecars: "Sidecars", options: ReadOptions, problems: list[Problem]):
    name = str(path)
    data = _read_capped(fh, path, problems)
    if data is None:
        return
    text = _decode(data, path, problems)
    if text is None:
        return
    meta = sidecars.get(path, problems)
    if meta is None:
        return
    record = {"text": text}
    record.update(meta)
    if not record.get("url"):
        problems.append(_no_url(path, name, "no URL for this text file"))
        return
    yield record, Origin(name)


class Sidecars:
    """Metadata of ``.html``/``.txt`` files: ``NAME.meta.json``, else a row of ``metadata.csv``."""

    def __init__(self):
        self._tables: dict[Path, dict[str, dict] | None] = {}

    def get(self, path: Path, problems: list[Problem]) -> dict | None:
        """The file's metadata (``{}`` when it has none); ``None`` after reporting a bad sidecar."""
        sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
        if sidecar.is_file():
            try:
                value = json.loads(sidecar.read_bytes().decode("utf-8-sig"))
            except UnicodeDecodeError as exc:
                problems.append(Problem(str(sidecar), f"not UTF-8 ({exc.reason})", "re-save the file as UTF-8"))
                return None
            except json.JSONDecodeError as exc:
                problems.append(Problem(str(sidecar), f"malformed JSON ({exc.msg}, column {exc.colno})",
                                        "write one JSON object of metadata", line=exc.lineno))
                return None
            if not isinstance(value, dict):
                problems.append(Problem(str(sidecar), "expected one JSON object of metadata",
                                        '{"url": "https://...", "published": "YYYY-MM-DD"}', line=1))
                return None
            return normalize_record(value)
        table = self._table(path.parent, problems)
        if table is None:
            return None
        return dict(table.get(path.name, {}))

    def _table(self, folder: Path, problems: list[Problem]) -> dict[str, dict] | None:
        if folder not in self._tables:
            self._tables[folder] = self._read_table(folder / METADATA_CSV, problems)
        return self._tables[folder]

    @staticmethod
    def _read_table(path: Path, problems: list[Problem]) -> dict[str, dict] | None:
        if not path.is_file():
            return {}
        name, rows, ok = str(path), {}, True
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, f"not UTF-8 ({exc.reason})", "re-save the file as UTF-8"))
            return None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if "file" not in (reader.fieldnames or []):
            problems.append(Problem(name, "missing column file", "the first column 'file' names each .txt or "
                                    ".html file of the folder", line=1, field="file"))
            return None
        line = 2
        for row in reader:
            origin = Origin(name, line)
            line = reader.line_num + 1
            key = (row.pop("file") or "").strip()
            if not key:
                continue
            record = parse_cells(row, origin, problems)
            if record is None:
                ok = False
                continue
            rows[key] = normalize_record(record)
        return rows if ok else None


# -- RSS and Atom ---------------------------------------------------------------------------------
def _feed(path: Path, fh, sidecars, options: ReadOptions, problems: list[Problem]):
    import feedparser

    name = str(path)
    data = fh.read()
    parsed = feedparser.parse(data)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        problems.append(Problem(name, "not an RSS or Atom feed" + (f" ({reason})" if reason else ""),
                                "pass a feed file, or name the format with --format", line=1))
        return
    starts = [data.count(b"\n", 0, m.start()) + 1 for m in _FEED_ITEM.finditer(data)]
    for k, entry in enumerate(parsed.entries):
        line = starts[k] if len(starts) == len(parsed.entries) else None
        record = {"url": entry.get("link") or (entry.get("id") if str(entry.get("id", "")).startswith("http")
                                               else None),
                  "title": _plain(entry.get("title")) or None}
        bodies = [c.get("value") for c in entry.get("content") or [] if c.get("value")]
        body = max(bodies + [entry.get("summary") or ""], key=len)
        record["text"] = html_to_text(body) if body else None
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        if when:
            record["published"] = f"{when.tm_year:04d}-{when.tm_mon:02d}-{when.tm_mday:02d}"
        else:
            record["published"] = entry.get("published") or entry.get("updated")
        yield {k: v for k, v in record.items() if v is not None}, Origin(name, line)


# -- shared helpers -------------------------------------------------------------------------------
def normalize_record(record: dict) -> dict:
    """Map scraper field names to record fields (:data:`ALIASES`); HTML or paragraph-list text to text."""
    out = dict(record)
    for target, aliases in ALIASES.items():
        if out.get(target) in (None, ""):
            for alias in aliases:
                if out.get(alias) not in (None, ""):
                    out[target] = out.pop(alias)
                    break
    text = out.get("text")
    if isinstance(text, list) and all(isinstance(p, str) for p in text):
        out["text"] = "\n\n".join(text)
    elif isinstance(text, str) and _HTML_HINT.search(text[:5000].encode("utf-8", "replace")):
        out["text"] = html_to_text(text)
    published = out.get("published")
    if isinstance(published, (int, float)) and not isinstance(published, bool) and published > 0:
        seconds = published / 1000 if published > 1e11 else published
        out["published"] = datetime.fromtimestamp(seconds, tz=timezone.utc).date().isoformat()
    return out


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: block elements become line breaks, tags and scripts go."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return fragment
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for block in root.xpath(".//p|.//div|.//br|.//li|.//h1|.//h2|.//h3|.//h4|.//h5|.//h6|.//blockquote"):
        block.tail = "\n" + (block.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _plain(value) -> str | None:
    if not isinstance(value, str):
        return None
    return html_to_text(value) if "<" in value else value.strip()


def _read_capped(fh, path: Path, problems: list[Problem]) -> bytes | None:
    data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        problems.append(Problem(str(path), f"the file is over {MAX_FILE_BYTES:,} bytes, too large for one article",
                                "check the file (one article per .html or .txt file)", line=1))
        return None
    return data


def _decode(data: bytes, path: Path, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(str(path), f"not UTF-8 ({exc.reason} at byte {exc.start})",
                                "re-save the file as UTF-8", line=line))
        return None


READERS = {"jsonl": _jsonl, "csv": _csv, "html": _html, "txt": _txt, "json": _json, "rss": _feed}
