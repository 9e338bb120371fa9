"""Hydration: fetch the full text of stored article URLs into the local store.

The shipped corpus carries bags of words of each article's headline and lead, not its text. A user
who wants full text fetches it into their own store (``texts`` table, ``source = 'hydrate'``); it
never leaves that store. :class:`Fetcher` is a careful HTTP client written on the standard library
(:mod:`http.client`), and :func:`hydrate` drives it over the stored articles:

* **http and https only.** ``file://``, ``ftp://``, ``data:`` and every other scheme are refused
  before any request, and so is a redirect to one.
* **Bounded.** Connect and read timeouts, a cap on the body (it is streamed and reading stops past
  the cap: "oversize"; a gzip body is capped after decompression too), at most
  ``max_redirects`` redirects, with redirect loops detected.
* **Polite.** A ``User-Agent`` naming the project (:data:`USER_AGENT`) and a minimum interval
  between two requests to one domain (``rate``, default :data:`DEFAULT_RATE` = 1 second). Retries
  with exponential backoff and jitter (seeded, so a run is reproducible) only for HTTP 5xx, 429 and
  connection errors (never for 404 or other 4xx); a ``Retry-After`` header is honoured up to
  ``max_retry_after`` seconds, and a longer one ends the retries of that URL.
* **HTML only.** A response whose ``Content-Type`` is not ``text/html`` or
  ``application/xhtml+xml`` is a failure ("not HTML: application/pdf"); the body is not read.
* **Resumable.** Each article's outcome is committed on its own (one small transaction per article)
  in the ``hydration`` table: ``pending`` (about to be fetched, or in flight when a run was killed),
  ``ok`` or ``failed`` (with the error and the cumulative number of attempts). A re-run skips
  ``ok`` articles and, unless ``retry_failed``, ``failed`` ones; a killed run loses at most the
  article in flight.

**Unit of analysis.** By default hydration stores text only and leaves every article's features
alone: the shipped bags of words are of headline + lead, and mixing in full-text bags would change
what a per-1,000-word rate means for part of the corpus. With ``update_features=True`` the bag of
words and ``n_words`` of each hydrated article are recomputed from its title (unless the extracted
text already begins with it) and full text with the project :class:`~mediaframes.tokenize.Tokenizer`:
a deliberate change of the unit of analysis for those articles. Articles hydrated in earlier runs
get the same treatment from their stored text (no refetch). Their ``content_hash`` is left as
imported, so re-adding the original records stays a no-op; going back to headline + lead features
means importing those records again with ``corpus add --replace`` (or rebuilding the embedded
collection).

Text extraction uses trafilatura [1]_ with ``favor_precision=True`` (boilerplate, navigation and
comments dropped; title from the page metadata).

References
----------
.. [1] Barbaresi, A. (2021). Trafilatura: A web scraping library and command-line tool for text
   discovery and extraction. *Proceedings of ACL-IJCNLP 2021: System Demonstrations*, 122-131.
"""

from __future__ import annotations

import email.message
import email.utils
import http.client
import random
import socket
import ssl
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NamedTuple
from urllib.parse import quote, urljoin, urlsplit

import pandas as pd

from . import __version__
from .errors import MediaframesError
from .store import Store
from .tokenize import DEFAULT_TOKENIZER, Tokenizer
from .urls import domain_of

#: Sent with every request: names the project and says what it does.
USER_AGENT = (f"mediaframes/{__version__} (media-framing research toolkit; fetches the text of article "
              "URLs its user has stored, politely and once)")
#: Seconds of read (and connect) timeout.
DEFAULT_TIMEOUT = 20.0
#: Largest body read, in bytes (5 MB: far above any article page).
DEFAULT_MAX_BYTES = 5_000_000
#: Retries after the first attempt (only for 5xx, 429 and connection errors).
DEFAULT_RETRIES = 3
#: Minimum seconds between two requests to one domain.
DEFAULT_RATE = 1.0
#: Redirects followed before giving up.
DEFAULT_MAX_REDIRECTS = 5
#: Content types accepted as an article page.
HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Redirect statuses followed (with GET).
REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 65_536

# Reasons a fetch fails, the keys of :attr:`HydrateReport.failed` (an HTTP error is "http <status>").
REFUSED = "refused"
BAD_URL = "bad url"
TIMEOUT = "timeout"
CONNECTION = "connection error"
DNS = "dns error"
TLS = "tls error"
BAD_RESPONSE = "bad response"
OVERSIZE = "oversize"
NOT_HTML = "not html"
REDIRECT_LOOP = "redirect loop"
TOO_MANY_REDIRECTS = "too many redirects"
NO_TEXT = "no text"

#: Why an article was not fetched this run (keys of :attr:`HydrateReport.skipped`).
SKIP_OK = "already hydrated"
SKIP_FAILED = "failed before (pass --retry-failed)"
SKIP_TEXT = "has text from import"


class HydrateOptionError(MediaframesError, ValueError):
    """A hydration option out of range (the CLI prints it; exit code 1)."""


class HydrateInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`hydrate`; ``report`` holds what was done (all of it committed)."""

    def __init__(self, report: "HydrateReport"):
        super().__init__(report.summary())
        self.report = report


class Request(NamedTuple):
    """One HTTP request the fetcher sent: when (its clock), to which domain, which URL."""

    time: float
    domain: str
    url: str


@dataclass
class FetchResult:
    """What fetching one URL gave.

    ``ok`` is true for a 2xx HTML response read in full; otherwise ``reason`` (a short key such as
    ``"timeout"``, ``"http 404"``, ``"oversize"``) and ``error`` (a sentence) say why.
    ``attempts`` counts tries (a redirect chain is one try); ``n_bytes`` the body bytes read.
    """

    url: str
    ok: bool = False
    status: int | None = None
    final_url: str | None = None
    content_type: str | None = None
    charset: str | None = None
    body: bytes | None = None
    reason: str | None = None
    error: str | None = None
    attempts: int = 0
    n_bytes: int = 0
    retryable: bool = False
    retry_after: float | None = None

    def fail(self, reason: str, error: str, retryable: bool = False) -> "FetchResult":
        self.ok, self.reason, self.error, self.retryable = False, reason, error, retryable
        return self


class Fetcher:
    """A small, careful HTTP(S) GET client for article pages (standard library only).

    Parameters
    ----------
    timeout : float, default :data:`DEFAULT_TIMEOUT`
        Read timeout in seconds: the longest wait for the next bytes of a response.
    connect_timeout : float, optional
        Seconds to open the connection (TLS handshake included); defaults to ``timeout``.
    total_timeout : float, default 60
        Longest time to read one body (a server trickling bytes is cut off).
    max_bytes : int, default :data:`DEFAULT_MAX_BYTES`
        Largest body accepted, after decompression; reading stops past it ("oversize").
    retries : int, default :data:`DEFAULT_RETRIES`
        Retries after the first attempt, only for HTTP 5xx, 429 and connection errors
        (refused, reset, connect timeout). A read timeout is not retried (the server is slow
        already; ``--retry-failed`` tries again later).
    backoff : float, default 1.0
        Delay before retry ``k`` (from 0) is ``backoff * 2**k * (1 + jitter * u)``, ``u`` uniform
        in [0, 1) from ``random.Random(seed)``, at most ``backoff_max``.
    backoff_max : float, default 60
    jitter : float, default 0.5
    seed : int, default 0
    max_retry_after : float, default 120
        A ``Retry-After`` up to this many seconds is waited for (if longer than the backoff);
        a longer one ends the retries of that URL.
    rate : float, default :data:`DEFAULT_RATE`
        Minimum seconds between two requests to one domain (redirect hops and retries included).
    max_redirects : int, default :data:`DEFAULT_MAX_REDIRECTS`
    user_agent : str, default :data:`USER_AGENT`
    clock, sleep : callables, default ``time.monotonic`` and ``time.sleep``
        Used for the rate limit and the backoff (tests inject a fake clock).

    Attributes
    ----------
    requests_ : list of Request
        Every request sent, in order (time on ``clock``, domain, URL).
    """

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT, connect_timeout: float | None = None,
                 total_timeout: float = 60.0, max_bytes: int = DEFAULT_MAX_BYTES, retries: int = DEFAULT_RETRIES,
                 backoff: float = 1.0, backoff_max: float = 60.0, jitter: float = 0.5, seed: int = 0,
                 max_retry_after: float = 120.0, rate: float = DEFAULT_RATE,
                 max_redirects: int = DEFAULT_MAX_REDIRECTS, user_agent: str = USER_AGENT,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.jitter = jitter
        self.seed = seed
        self.max_retry_after = max_retry_after
        self.rate = rate
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        self.clock = clock
        self.sleep = sleep
        self._check()
        self.requests_: list[Request] = []
        self._last_request: dict[str, float] = {}
        self._rng = random.Random(seed)
        self._tls = ssl.create_default_context()

    def _check(self) -> None:
        positive = {"timeout": self.timeout, "total_timeout": self.total_timeout, "max_bytes": self.max_bytes}
        if self.connect_timeout is not None:
            positive["connect_timeout"] = self.connect_timeout
        for name, value in positive.items():
            if not value > 0:
                raise HydrateOptionError(f"{name} must be > 0, got {value!r}. Try the default.")
        for name in ("retries", "backoff", "backoff_max", "jitter", "max_retry_after", "rate", "max_redirects"):
            if getattr(self, name) < 0:
                raise HydrateOptionError(f"{name} must be >= 0, got {getattr(self, name)!r}. Try 0 to turn it off.")

    # -- public ----------------------------------------------------------------------------
    def fetch(self, url: str) -> FetchResult:
        """GET ``url`` with retries; never raises for a network or HTTP problem (see ``reason``)."""
        result = FetchResult(url)
        refusal = _refusal(url)
        if refusal:
            return result.fail(REFUSED, refusal)
        for attempt in range(self.retries + 1):
            result = self._follow(url)
            result.attempts = attempt + 1
            if result.ok or not result.retryable or attempt == self.retries:
                break
            delay = min(self.backoff * 2 ** attempt * (1 + self.jitter * self._rng.random()), self.backoff_max)
            if result.retry_after is not None:
                if result.retry_after > self.max_retry_after:
                    result.error += (f" (Retry-After {result.retry_after:g} s is over the {self.max_retry_after:g} s "
                                     "this fetcher waits; not retried)")
                    break
                delay = max(delay, result.retry_after)
            if delay > 0:
                self.sleep(delay)
        return result

    # -- one try: a chain of requests following redirects -----------------------------------
    def _follow(self, url: str) -> FetchResult:
        seen = [url.split("#", 1)[0]]
        current = url
        while True:
            result = self._request(current)
            if result.status not in REDIRECTS or result.reason not in (None, "redirect"):
                result.url = url
                return result
            location = result.final_url
            target = urljoin(current, location).split("#", 1)[0]
            refusal = _refusal(target)
            if refusal:
                return FetchResult(url, status=result.status, final_url=current).fail(
                    REFUSED, f"redirect to {target} refused: {refusal}")
            if target in seen:
                chain = " -> ".join(seen + [target])
                return FetchResult(url, status=result.status, final_url=current).fail(
                    REDIRECT_LOOP, f"redirect loop: {chain}")
            if len(seen) > self.max_redirects:
                return FetchResult(url, status=result.status, final_url=current).fail(
                    TOO_MANY_REDIRECTS, f"more than {self.max_redirects} redirects (last to {target})")
            seen.append(target)
            current = target

    def _wait_turn(self, domain: str) -> None:
        last = self._last_request.get(domain)
        if last is not None and self.rate > 0:
            wait = last + self.rate - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_request[domain] = self.clock()

    def _request(self, url: str) -> FetchResult:
        """One GET. A redirect comes back with ``reason = "redirect"`` and its Location in ``final_url``."""
        result = FetchResult(url, final_url=url)
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port
        except ValueError as exc:
            return result.fail(BAD_URL, f"bad URL {url!r}: {exc}")
        if not host:
            return result.fail(BAD_URL, f"bad URL {url!r}: no host")
        path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
        if parts.query:
            path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
        connect_timeout = self.connect_timeout or self.timeout
        if parts.scheme.lower() == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=connect_timeout, context=self._tls)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=connect_timeout)
        domain = domain_of(url)
        self._wait_turn(domain)
        self.requests_.append(Request(self.clock(), domain, url))
        phase = "connect"
        try:
            conn.connect()
            conn.sock.settimeout(self.timeout)
            phase = "read"
            conn.request("GET", path, headers={
                "User-Agent": self.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                "Accept-Encoding": "gzip",
                "Connection": "close",
            })
            response = conn.getresponse()
            result.status = response.status
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    return result.fail(BAD_RESPONSE, f"HTTP {response.status} redirect without a Location header")
                result.final_url, result.reason = location.strip(), "redirect"
                return result
            if not 200 <= response.status < 300:
                retryable = response.status >= 500 or response.status == 429
                result.retry_after = _retry_after(response.getheader("Retry-After"))
                return result.fail(f"http {response.status}", f"HTTP {response.status} {response.reason}".strip(),
                                   retryable)
            return self._read_body(response, result)
        except (TimeoutError, socket.timeout):
            if phase == "connect":
                return result.fail(TIMEOUT, f"connect timeout after {connect_timeout:g} s", retryable=True)
            return result.fail(TIMEOUT, f"read timeout after {self.timeout:g} s")
        except socket.gaierror as exc:
            return result.fail(DNS, f"cannot resolve {host}: {exc.strerror or exc}")
        except ssl.SSLError as exc:
            return result.fail(TLS, f"TLS error: {exc.reason or exc}")
        except (ConnectionError, http.client.IncompleteRead) as exc:
            return result.fail(CONNECTION, f"connection error: {type(exc).__name__}: {exc}".rstrip(": "),
                               retryable=True)
        except (http.client.HTTPException, zlib.error) as exc:
            return result.fail(BAD_RESPONSE, f"bad response: {type(exc).__name__}: {exc}".rstrip(": "))
        except OSError as exc:
            return result.fail(CONNECTION, f"connection error: {exc}", retryable=True)
        finally:
            conn.close()

    def _read_body(self, response: http.client.HTTPResponse, result: FetchResult) -> FetchResult:
        mime, charset = _content_type(response.getheader("Content-Type"))
        result.content_type, result.charset = mime, charset
        if mime not in HTML_TYPES:
            return result.fail(NOT_HTML, f"not HTML: {mime or 'no Content-Type'}")
        length = response.getheader("Content-Length")
        if length and length.strip().isdigit() and int(length) > self.max_bytes:
            return result.fail(OVERSIZE, f"oversize: Content-Length {int(length):,} bytes is over the cap of "
                                         f"{self.max_bytes:,}")
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding not in ("identity", "gzip", "x-gzip"):
            return result.fail(BAD_RESPONSE, f"unsupported Content-Encoding {encoding!r}")
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding != "identity" else None
        started, parts, size = time.monotonic(), [], 0
        while True:
            chunk = response.read(min(_CHUNK, self.max_bytes + 1 - result.n_bytes) or 1)
            if not chunk:
                break
            result.n_bytes += len(chunk)
            if inflate is not None:
                chunk = inflate.decompress(chunk, self.max_bytes + 1 - size)
                if inflate.unconsumed_tail:
                    size = self.max_bytes + 1
            size += len(chunk)
            parts.append(chunk)
            if size > self.max_bytes or result.n_bytes > self.max_bytes:
                return result.fail(OVERSIZE, f"oversize: body exceeds the cap of {self.max_bytes:,} bytes")
            if time.monotonic() - started > self.total_timeout:
                return result.fail(TIMEOUT, f"body took longer than {self.total_timeout:g} s")
        if inflate is not None:
            rest = inflate.flush()
            if size + len(rest) > self.max_bytes:
                return result.fail(OVERSIZE, f"oversize: body exceeds the cap of {self.max_bytes:,} bytes")
            parts.append(rest)
        result.body, result.ok = b"".join(parts), True
        return result


def _refusal(url: str) -> str | None:
    """Why ``url`` may not be fetched (not an absolute http(s) URL), or ``None``."""
    scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "relative"
        return f"{shown} URLs are not fetched (http and https only)"
    try:
        if not urlsplit(url.strip()).hostname:
            return "the URL has no host"
    except ValueError as exc:
        return f"unparsable URL ({exc})"
    return None


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    msg = email.message.Message()
    msg["Content-Type"] = header
    return msg.get_content_type().lower(), msg.get_content_charset()


def _retry_after(header: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta seconds or an HTTP date), or ``None``."""
    if not header:
        return None
    text = header.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


# -- extraction ----------------------------------------------------------------------------
def extract_article(html: bytes | str, url: str | None = None, charset: str | None = None,
                    favor_precision: bool = True) -> tuple[str | None, str | None]:
    """(title, text) of an article page with trafilatura; text is ``None`` when none was found.

    A ``charset`` from the HTTP header decodes the bytes; otherwise trafilatura detects it.
    """
    import trafilatura

    if isinstance(html, bytes) and charset:
        try:
            html = html.decode(charset, errors="replace")
        except LookupError:  # unknown charset name: let trafilatura guess
            pass
    doc = trafilatura.bare_extraction(html, url=url, favor_precision=favor_precision, with_metadata=True,
                                      include_comments=False)
    if doc is None:
        return None, None
    text = (doc.text or "").strip() or None
    title = (doc.title or "").strip() or None
    return title, text


# -- the run -------------------------------------------------------------------------------
@dataclass(frozen=True)
class HydrateOptions:
    """What a hydration run does besides fetching.

    Parameters
    ----------
    update_features : bool, default False
        Recompute the bag of words and ``n_words`` of each hydrated article from its title and full
        text (changes the unit of analysis of those articles from headline + lead to full text).
        Articles hydrated in earlier runs are recomputed from their stored text, without a refetch.
    retry_failed : bool, default False
        Fetch again the articles whose earlier hydration failed.
    tokenizer : Tokenizer, default the project tokenizer
    favor_precision : bool, default True
        Passed to trafilatura: drop doubtful boilerplate rather than keep it.
    """

    update_features: bool = False
    retry_failed: bool = False
    tokenizer: Tokenizer = DEFAULT_TOKENIZER
    favor_precision: bool = True


@dataclass
class HydrationPlan:
    """Articles a run will fetch (in order), those it skips and why, and those left for later."""

    todo: pd.DataFrame            # article_id, doc_id, url, domain
    skipped: Counter = field(default_factory=Counter)
    remaining: int = 0            # beyond --limit
    hydrated: list[int] = field(default_factory=list)  # article ids hydrated ('ok') in earlier runs

    def __len__(self) -> int:
        return len(self.todo)


#: Columns of :meth:`HydrateReport.to_frame`.
OUTCOME_COLUMNS = ("article_id", "doc_id", "url", "state", "reason", "error", "http_status", "final_url",
                   "attempts")


@dataclass
class HydrateReport:
    """What one hydration run did (every outcome is already committed)."""

    collection: str | None = None
    fetched: int = 0
    failed: Counter = field(default_factory=Counter)     # reason -> count
    skipped: Counter = field(default_factory=Counter)    # reason -> count
    remaining: int = 0
    features_updated: int = 0
    interrupted: bool = False
    outcomes: list[dict] = field(default_factory=list)

    @property
    def n_failed(self) -> int:
        return sum(self.failed.values())

    @property
    def n_skipped(self) -> int:
        return sum(self.skipped.values())

    def to_frame(self) -> pd.DataFrame:
        """One row per article tried this run, columns :data:`OUTCOME_COLUMNS`, in the order tried."""
        return pd.DataFrame(self.outcomes, columns=list(OUTCOME_COLUMNS))

    def summary(self) -> str:
        where = f" (collection {self.collection})" if self.collection else ""
        lines = [f"hydration{where}: {self.fetched} fetched, {self.n_skipped} skipped, {self.n_failed} failed"
                 + (" - interrupted" if self.interrupted else "")]
        for label, counts in (("skipped", self.skipped), ("failed", self.failed)):
            for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  {label}: {reason}: {n}")
        if self.remaining:
            lines.append(f"  {self.remaining} more to fetch beyond --limit; run again to continue")
        if self.features_updated:
            lines.append(f"  features recomputed from full text for {plural(self.features_updated, 'article')} "
                         "(their unit of analysis is now the full text)")
        return "\n".join(lines)


def plural(n: int, noun: str) -> str:
    """``1 article``, ``2 articles``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def plan_hydration(store: Store, *, collection: str | None = None, limit: int | None = None,
                   retry_failed: bool = False) -> HydrationPlan:
    """Which articles a run fetches, in which order, and which it skips.

    Skipped: ``ok`` articles, ``failed`` ones unless ``retry_failed``, and articles whose full
    text came with their import. The rest (never tried, or ``pending``) are ordered round-robin
    over domains (domains alphabetically, articles by ``doc_id`` within a domain) so the per-domain
    rate limit rarely makes the run wait; ``limit`` keeps the first ``limit`` of that order.

    Raises
    ------
    HydrateOptionError
        ``limit`` below 0, or a collection the store does not hold.
    """
    if limit is not None and limit < 0:
        raise HydrateOptionError(f"limit must be >= 0, got {limit}. Try --limit 10.")
    queue = store.hydration_queue(collection)
    if collection and queue.empty:
        held = [c for (c,) in store.conn.execute("SELECT DISTINCT collection FROM articles ORDER BY collection")]
        raise HydrateOptionError(f"the store holds no collection {collection!r}. "
                                 f"Try one of: {', '.join(held) or '(none: the store is empty)'}.")
    skipped: Counter = Counter()
    rows = []
    hydrated = []
    for row in queue.itertuples(index=False):
        if row.state == "ok":
            skipped[SKIP_OK] += 1
            hydrated.append(int(row.article_id))
        elif row.state == "failed" and not retry_failed:
            skipped[SKIP_FAILED] += 1
        elif row.state is None and isinstance(row.text_source, str) and row.text_source != "hydrate":
            skipped[SKIP_TEXT] += 1
        else:
            rows.append(row)
    by_domain: dict[str, list] = {}
    for row in rows:
        by_domain.setdefault(row.domain, []).append(row)
    ordered = []
    lanes = [by_domain[d] for d in sorted(by_domain)]
    for depth in range(max((len(lane) for lane in lanes), default=0)):
        ordered += [lane[depth] for lane in lanes if depth < len(lane)]
    remaining = 0
    if limit is not None and len(ordered) > limit:
        ordered, remaining = ordered[:limit], len(ordered) - limit
    todo = pd.DataFrame([(r.article_id, r.doc_id, r.url, r.domain) for r in ordered],
                        columns=["article_id", "doc_id", "url", "domain"])
    return HydrationPlan(todo, skipped, remaining, hydrated)


def hydrate(store: Store, *, collection: str | None = None, limit: int | None = None,
            fetcher: Fetcher | None = None, options: HydrateOptions | None = None,
            progress: Callable[[int], None] | None = None) -> HydrateReport:
    """Fetch the full text of stored articles into ``store`` (``texts``, ``source = 'hydrate'``).

    Parameters
    ----------
    store : Store
    collection : str, optional
        Only this collection (default: every article of the store).
    limit : int, optional
        Fetch at most this many articles this run (see :func:`plan_hydration` for the order).
    fetcher : Fetcher, optional
        Defaults to ``Fetcher()`` (timeouts, size cap, retries, 1 s per domain; see :class:`Fetcher`).
    options : HydrateOptions, optional
    progress : callable, optional
        Called with 1 after each article.

    Returns
    -------
    HydrateReport
        Counts of fetched, skipped (by reason) and failed (by reason) articles. A failed URL is
        recorded, never raised.

    Raises
    ------
    HydrateOptionError
        Bad ``limit`` or unknown ``collection``.
    HydrateInterrupted
        On Ctrl-C (a ``KeyboardInterrupt``), carrying the report; everything finished before it is
        committed and the article in flight stays ``pending``.
    """
    options = options or HydrateOptions()
    fetcher = fetcher or Fetcher()
    plan = plan_hydration(store, collection=collection, limit=limit, retry_failed=options.retry_failed)
    report = HydrateReport(collection=collection, skipped=Counter(plan.skipped), remaining=plan.remaining)
    if options.update_features and plan.hydrated:
        report.features_updated += _refeature(store, plan.hydrated, options.tokenizer)
    try:
        for article_id, doc_id, url, _domain in plan.todo.itertuples(index=False):
            article_id = int(article_id)
            with store.transaction():
                store.set_hydration(article_id, "pending")
            outcome = _hydrate_one(store, article_id, url, fetcher, options)
            outcome.update(doc_id=doc_id)
            report.outcomes.append(outcome)
            if outcome["state"] == "ok":
                report.fetched += 1
                report.features_updated += int(options.update_features)
            else:
                report.failed[outcome["reason"]] += 1
            if progress:
                progress(1)
    except KeyboardInterrupt:
        report.interrupted = True
        report.remaining += len(plan.todo) - len(report.outcomes)
        raise HydrateInterrupted(report) from None
    return report


def _feature_unit(title: str | None, text: str) -> str:
    """What full-text features are computed from: the title (unless the text begins with it) and the text."""
    return text if not title or text.startswith(title) else f"{title}\n{text}"


def _refeature(store: Store, article_ids: list[int], tokenizer: Tokenizer) -> int:
    """Recompute features of articles hydrated earlier from their stored text; returns how many changed."""
    texts = store.texts(article_ids)
    texts = texts[texts["source"] == "hydrate"]
    if texts.empty:
        return 0
    ids = [int(a) for a in texts["article_id"]]
    indptr, term_ids, counts = store.feature_arrays(ids)
    vocabulary = store.terms()
    changed = 0
    with store.transaction():
        for i, (article_id, title, text) in enumerate(zip(ids, texts["title"], texts["text"])):
            title = title if isinstance(title, str) else None
            unit = _feature_unit(title, text)
            bow = dict(tokenizer.bag_of_words(unit))
            span = slice(indptr[i], indptr[i + 1])
            stored = {vocabulary[int(t)]: int(c) for t, c in zip(term_ids[span], counts[span])}
            if stored != bow:
                store.set_features(article_id, bow)
                store.update_article(article_id, n_words=len(tokenizer.words(unit)))
                changed += 1
    return changed


def _hydrate_one(store: Store, article_id: int, url: str, fetcher: Fetcher, options: HydrateOptions) -> dict:
    """Fetch, extract and commit one article; returns its outcome row."""
    result = fetcher.fetch(url)
    title = text = None
    if result.ok and not result.body:
        result.fail(NO_TEXT, f"empty body (HTTP {result.status})")
    if result.ok:
        try:
            title, text = extract_article(result.body, result.final_url or url, result.charset,
                                          options.favor_precision)
        except Exception as exc:  # noqa: BLE001  (one odd page must not stop a long run)
            title, text = None, None
            result.fail(NO_TEXT, f"text extraction failed: {type(exc).__name__}: {exc}")
    if result.ok:
        if not text or not options.tokenizer.words(text):
            result.fail(NO_TEXT, "no article text found in the page")
    final_url = result.final_url if result.final_url and result.final_url != url else None
    with store.transaction():
        if result.ok:
            store.set_text(article_id, text, title, source="hydrate")
            if options.update_features:
                unit = _feature_unit(title, text)
                store.set_features(article_id, options.tokenizer.bag_of_words(unit))
                store.update_article(article_id, n_words=len(options.tokenizer.words(unit)))
        store.set_hydration(article_id, "ok" if result.ok else "failed", attempts=result.attempts,
                            http_status=result.status, final_url=final_url,
                            error=None if result.ok else result.error)
    return {"article_id": article_id, "url": url, "state": "ok" if result.ok else "failed",
            "reason": None if result.ok else result.reason, "error": None if result.ok else result.error,
            "http_status": result.status, "final_url": final_url, "attempts": result.attempts}
