"""Hydration fetches full text over http(s) only, boundedly and politely, and resumes after a stop.

Every page is served by a local ``http.server`` on 127.0.0.1 in a background thread; a guard below
makes any other network connection fail the test. All page text is synthetic: short neutral
sentences written for these tests (not news coverage, not quoted from any article).
"""

from __future__ import annotations

import gzip
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mediaframes.codebook import Codebook
from mediaframes.hydrate import (USER_AGENT, Fetcher, HydrateInterrupted, HydrateOptionError, HydrateOptions,
                                 hydrate, plan_hydration)
from mediaframes.ingest import Origin, RecordValidator, add_records
from mediaframes.registry import Outlet, OutletRegistry
from mediaframes.store import Store
from mediaframes.tokenize import Tokenizer

COLLECTION = "synthetic-hydrate"

# Synthetic page (our own neutral sentences). trafilatura keeps the <h1> and the three paragraphs
# and drops navigation and footer; the title comes from the <h1> ("| Synthetic Daily" is not in it).
GOOD_HTML = b"""<!doctype html><html><head><meta charset="utf-8">
<title>Quarry town water | Synthetic Daily</title></head>
<body><nav><a href="/">Home</a> <a href="/about">About us</a> <a href="/contact">Contact</a></nav>
<article><h1>Quarry town water</h1>
<p>Synthetic text: the quarry town opened a new water pipeline on Monday.</p>
<p>The pipeline brings water to four villages near the quarry, residents said.</p>
<p>Engineers thanked the volunteers who helped build the pipeline.</p>
</article><footer><p>Copyright 2024 Synthetic Daily. All rights reserved.</p></footer></body></html>"""
GOOD_TEXT = ("Quarry town water\n"
             "Synthetic text: the quarry town opened a new water pipeline on Monday.\n"
             "The pipeline brings water to four villages near the quarry, residents said.\n"
             "Engineers thanked the volunteers who helped build the pipeline.")

# Synthetic second page, for runs over several articles.
OTHER_HTML = b"""<!doctype html><html><head><title>Library hours</title></head><body><article>
<h1>Library hours</h1>
<p>Synthetic text: the district library will stay open until eight in the evening this winter.</p>
<p>Staff said the reading room gained new shelves and a small garden was planted outside.</p>
</article></body></html>"""

# The bag of words each test article is imported with (stands in for headline + lead).
SHIPPED_BOW = {"synthetic": 2, "headline": 1, "lead": 1}
SHIPPED_N_WORDS = 6


# -- the local web site ----------------------------------------------------------------------
class Site:
    """Routes path -> handler function, and a log of every request the server received."""

    def __init__(self):
        self.routes = {}
        self.hits = Counter()
        self.agents = []
        self.base = ""

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path, body=GOOD_HTML, ctype="text/html; charset=utf-8", status=200, headers=()):
        def send(h):
            h.send_response(status)
            if ctype:
                h.send_header("Content-Type", ctype)
            for name, value in headers:
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        self.routes[path] = send

    def redirect(self, path, location, status=302):
        def send(h):
            h.send_response(status)
            h.send_header("Location", location)
            h.send_header("Content-Length", "0")
            h.end_headers()
        self.routes[path] = send

    def sequence(self, path, *senders):
        """Answer the n-th request with the n-th sender (the last one repeats)."""
        def send(h):
            senders[min(self.hits[path] - 1, len(senders) - 1)](h)
        self.routes[path] = send


def status_only(status, headers=()):
    def send(h):
        h.send_response(status)
        for name, value in headers:
            h.send_header(name, value)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return send


def html_ok(body=GOOD_HTML):
    def send(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return send


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):  # a client that hung up (timeout, cap): expected
        pass


@pytest.fixture
def site():
    s = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            s.hits[self.path] += 1
            s.agents.append(self.headers.get("User-Agent"))
            route = s.routes.get(self.path)
            if route is None:
                status_only(404)(self)
            else:
                route(self)

        def log_message(self, *args):
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    s.base = f"http://127.0.0.1:{server.server_port}"
    yield s
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """Any connection to a host other than this machine fails the test (no internet, ever)."""
    real = socket.create_connection

    def guarded(address, *args, **kwargs):
        if address[0] not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"test tried to reach {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)


class FakeClock:
    """An injected clock: ``sleep`` records the wait and moves time on, without waiting."""

    def __init__(self, start=100.0):
        self.t = start
        self.sleeps = []

    def __call__(self):
        return self.t

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.t += seconds


def fetcher(**kwargs) -> Fetcher:
    """A fetcher for tests: short timeouts, no retries, no backoff, no rate limit (unless given)."""
    params = dict(timeout=0.3, total_timeout=5.0, retries=0, backoff=0.0, rate=0.0)
    params.update(kwargs)
    return Fetcher(**params)


# -- articles in the store ---------------------------------------------------------------------
def add_articles(store: Store, urls: list[str], collection: str = COLLECTION) -> list[int]:
    """Import one article per URL through the library (outlet registered for 127.0.0.1); ids in order."""
    registry = OutletRegistry([Outlet("127.0.0.1", "Synthetic Local Outlet", "PK")], source="test-registry")
    validator = RecordValidator(registry, Codebook.from_yaml(), {"PK"})
    records = [({"id": f"h{i:02d}", "url": url, "bow": dict(SHIPPED_BOW, **{f"term{i}": 1}),
                 "n_words": SHIPPED_N_WORDS, "published": "2024-05-01"}, Origin("synthetic.jsonl", i))
               for i, url in enumerate(urls, start=1)]
    add_records(store, records, collection=collection, validator=validator, method="test",
                detect_near_duplicates=False)
    ids = dict(store.conn.execute("SELECT doc_id, article_id FROM articles"))
    return [ids[f"h{i:02d}"] for i in range(1, len(urls) + 1)]


def insert_raw(store: Store, doc_id: str, url: str, domain: str = "local.test", collection: str = COLLECTION) -> int:
    """Insert an article row directly (import validation would refuse a non-http URL)."""
    with store.transaction():
        store.register_outlet(domain, "Synthetic Local Outlet", "PK", registered_from="test")
        import_id = store.start_import(collection, "test", [])
        return store.insert_article({
            "doc_id": doc_id, "url": url, "canonical_url": url, "domain": domain,
            "outlet": "Synthetic Local Outlet", "country": "PK", "language": "en", "n_words": 3, "content_hash": doc_id,
            "collection": collection, "import_id": import_id, "source_file": "test"})


def bow_of(store: Store, article_id: int) -> dict:
    indptr, ids, counts = store.feature_arrays([article_id])
    terms = store.terms()
    return {terms[int(i)]: int(c) for i, c in zip(ids, counts)}


def n_words_of(store: Store, article_id: int) -> int:
    return store.conn.execute("SELECT n_words FROM articles WHERE article_id = ?", (article_id,)).fetchone()[0]


def state_of(store: Store, article_id: int) -> dict | None:
    frame = store.hydration()
    rows = frame[frame["article_id"] == article_id].to_dict("records")
    return rows[0] if rows else None


# -- a good page ---------------------------------------------------------------------------------
def test_good_page_stores_text_and_title_and_leaves_features_alone(store, site):
    site.page("/good")
    [aid] = add_articles(store, [site.url("/good")])
    before = bow_of(store, aid)

    report = hydrate(store, collection=COLLECTION, fetcher=fetcher())

    assert (report.fetched, report.n_failed, report.n_skipped) == (1, 0, 0)
    texts = store.texts([aid]).to_dict("records")
    assert texts == [{"article_id": aid, "title": "Quarry town water", "text": GOOD_TEXT, "source": "hydrate"}]
    # default: the unit of analysis stays headline + lead
    assert bow_of(store, aid) == before == dict(SHIPPED_BOW, term1=1)
    assert n_words_of(store, aid) == SHIPPED_N_WORDS
    assert report.features_updated == 0
    row = state_of(store, aid)
    assert (row["state"], row["attempts"], row["http_status"], row["error"]) == ("ok", 1, 200, None)


def test_update_features_recomputes_bag_of_words_from_full_text(store, site):
    site.page("/good")
    [aid] = add_articles(store, [site.url("/good")])
    hash_before = store.conn.execute("SELECT content_hash FROM articles").fetchone()[0]

    report = hydrate(store, fetcher=fetcher(), options=HydrateOptions(update_features=True))

    assert report.features_updated == 1
    bow = bow_of(store, aid)
    # hand count over GOOD_TEXT (the text starts with the title, so the title is counted once):
    # quarry: title 1 + sentence one 1 + sentence two 1 = 3; water: 1 + 1 + 1 = 3;
    # pipeline: sentence one 1 + two 1 + three 1 = 3; town: title 1 + sentence one 1 = 2
    assert (bow["quarry"], bow["water"], bow["pipeline"], bow["town"]) == (3, 3, 3, 2)
    assert "the" not in bow and "headline" not in bow and "term1" not in bow   # shipped bow replaced
    assert bow == dict(Tokenizer().bag_of_words(GOOD_TEXT))
    # n_words counts every word, function words included: 3 (title) + 12 + 12 + 9 = 36
    assert n_words_of(store, aid) == 36
    # the import's content hash stays, so re-adding the original records remains a no-op
    assert store.conn.execute("SELECT content_hash FROM articles").fetchone()[0] == hash_before


def test_update_features_later_uses_the_stored_text_without_refetching(store, site):
    site.page("/good")
    [aid] = add_articles(store, [site.url("/good")])
    hydrate(store, fetcher=fetcher())
    assert n_words_of(store, aid) == SHIPPED_N_WORDS

    later = hydrate(store, fetcher=fetcher(), options=HydrateOptions(update_features=True))
    assert (later.fetched, later.features_updated, site.hits["/good"]) == (0, 1, 1)
    assert n_words_of(store, aid) == 36 and bow_of(store, aid)["quarry"] == 3   # as in the test above

    again = hydrate(store, fetcher=fetcher(), options=HydrateOptions(update_features=True))
    assert again.features_updated == 0  # already full-text features: nothing changes


def test_title_not_in_text_is_prepended_for_features(store, site):
    # synthetic page without an <h1>: the title comes from <title> and is added to the features once
    site.page("/no-h1", body=b"<html><head><title>Bridge repair</title></head><body><article>"
                             b"<p>Synthetic text: workers painted the old bridge over the canal this week.</p>"
                             b"<p>The bridge will reopen to bicycles after the paint has dried.</p>"
                             b"</article></body></html>")
    [aid] = add_articles(store, [site.url("/no-h1")])
    hydrate(store, fetcher=fetcher(), options=HydrateOptions(update_features=True))
    text = store.texts([aid])["text"][0]
    assert not text.startswith("Bridge repair")
    # bridge: title 1 + sentence one 1 + sentence two 1 = 3; repair: title 1
    assert bow_of(store, aid)["bridge"] == 3 and bow_of(store, aid)["repair"] == 1


def test_user_agent_names_the_project(site):
    site.page("/good")
    fetcher().fetch(site.url("/good"))
    assert site.agents == [USER_AGENT]
    assert USER_AGENT.startswith("mediaframes/")


# -- failures --------------------------------------------------------------------------------
def test_timeout_is_recorded_and_not_retried(store, site):
    def slow(h):
        time.sleep(0.6)  # longer than the 0.2 s read timeout
        html_ok()(h)
    site.routes["/slow"] = slow
    [aid] = add_articles(store, [site.url("/slow")])

    report = hydrate(store, fetcher=fetcher(timeout=0.2, retries=2))

    assert report.failed == Counter({"timeout": 1})
    assert site.hits["/slow"] == 1  # a read timeout is not retried
    row = state_of(store, aid)
    assert (row["state"], row["attempts"], row["error"]) == ("failed", 1, "read timeout after 0.2 s")
    assert store.texts([aid]).empty


def test_404_fails_without_retry(store, site):
    [aid] = add_articles(store, [site.url("/missing")])
    report = hydrate(store, fetcher=fetcher(retries=3))
    assert report.failed == Counter({"http 404": 1})
    assert site.hits["/missing"] == 1
    row = state_of(store, aid)
    assert (row["state"], row["attempts"], row["http_status"]) == ("failed", 1, 404)
    assert row["error"].startswith("HTTP 404")


def test_500_then_200_is_retried_and_succeeds(store, site):
    site.sequence("/flaky", status_only(500), html_ok())
    [aid] = add_articles(store, [site.url("/flaky")])
    report = hydrate(store, fetcher=fetcher(retries=2))
    assert (report.fetched, report.n_failed) == (1, 0)
    assert site.hits["/flaky"] == 2
    row = state_of(store, aid)
    assert (row["state"], row["attempts"], row["http_status"]) == ("ok", 2, 200)


def test_retries_give_up_after_the_last_one():
    # no server needed: a 503 every time would be retried; here a connection is refused every time
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    clock = FakeClock()
    f = fetcher(retries=2, backoff=0.5, jitter=0.0, clock=clock, sleep=clock.sleep)
    result = f.fetch(f"http://127.0.0.1:{port}/nobody")
    assert (result.ok, result.reason, result.attempts) == (False, "connection error", 3)
    assert len(f.requests_) == 3
    assert clock.sleeps == [0.5, 1.0]  # 0.5 * 2**0, 0.5 * 2**1


def test_backoff_is_exponential_and_jitter_is_seeded(site):
    site.routes["/down"] = status_only(503)
    clock = FakeClock()
    f = fetcher(retries=3, backoff=0.5, jitter=0.0, clock=clock, sleep=clock.sleep)
    result = f.fetch(site.url("/down"))
    assert (result.reason, result.attempts, site.hits["/down"]) == ("http 503", 4, 4)
    assert clock.sleeps == [0.5, 1.0, 2.0]  # 0.5 * 2**k for k = 0, 1, 2

    runs = []
    for _ in range(2):
        clock = FakeClock()
        fetcher(retries=3, backoff=0.5, jitter=0.5, seed=7, clock=clock, sleep=clock.sleep).fetch(site.url("/down"))
        runs.append(clock.sleeps)
    assert runs[0] == runs[1]  # same seed, same waits
    for k, wait in enumerate(runs[0]):  # base * (1 + 0.5 * u), u in [0, 1)
        assert 0.5 * 2 ** k <= wait < 0.5 * 2 ** k * 1.5


def test_retry_after_is_honoured(site):
    site.sequence("/busy", status_only(429, [("Retry-After", "2")]), html_ok())
    clock = FakeClock()
    result = fetcher(retries=1, backoff=0.1, jitter=0.0, clock=clock, sleep=clock.sleep).fetch(site.url("/busy"))
    assert result.ok and result.attempts == 2
    assert clock.sleeps == [2.0]  # Retry-After 2 s beats the 0.1 s backoff


def test_too_long_retry_after_ends_the_retries(site):
    site.routes["/later"] = status_only(503, [("Retry-After", "3600")])
    clock = FakeClock()
    result = fetcher(retries=3, max_retry_after=120, clock=clock, sleep=clock.sleep).fetch(site.url("/later"))
    assert (result.ok, result.reason, result.attempts, site.hits["/later"]) == (False, "http 503", 1, 1)
    assert "Retry-After 3600 s" in result.error
    assert clock.sleeps == []


def test_oversize_by_content_length(store, site):
    site.page("/big", body=b"<html><body>" + b"<p>synthetic filler</p>" * 200 + b"</body></html>")
    [aid] = add_articles(store, [site.url("/big")])
    report = hydrate(store, fetcher=fetcher(max_bytes=1000))
    assert report.failed == Counter({"oversize": 1})
    assert state_of(store, aid)["error"].startswith("oversize: Content-Length")


def test_oversize_body_is_streamed_and_cut_at_the_cap(site):
    def endless(h):  # no Content-Length: the body ends when the server closes (HTTP/1.0)
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        for _ in range(200):
            h.wfile.write(b"<p>synthetic filler line</p>" * 40)   # about 1 MB in all
    site.routes["/stream"] = endless
    result = fetcher(max_bytes=1000).fetch(site.url("/stream"))
    assert (result.ok, result.reason) == (False, "oversize")
    assert result.n_bytes <= 1001  # reading stopped one byte past the cap


def test_oversize_after_gzip_decompression(site):
    bomb = gzip.compress(b" " * 200_000)  # about 200 bytes on the wire, 200 kB unpacked
    site.page("/bomb", body=bomb, headers=[("Content-Encoding", "gzip")])
    result = fetcher(max_bytes=10_000).fetch(site.url("/bomb"))
    assert (result.ok, result.reason) == (False, "oversize")


def test_gzip_page_is_decompressed(site):
    site.page("/zipped", body=gzip.compress(GOOD_HTML), headers=[("Content-Encoding", "gzip")])
    result = fetcher().fetch(site.url("/zipped"))
    assert result.ok and result.body == GOOD_HTML


@pytest.mark.parametrize("ctype", ["application/pdf", "image/png"])
def test_non_html_content_type_is_a_failure(store, site, ctype):
    site.page("/file", body=b"%synthetic binary%", ctype=ctype)
    [aid] = add_articles(store, [site.url("/file")])
    report = hydrate(store, fetcher=fetcher())
    assert report.failed == Counter({"not html": 1})
    assert state_of(store, aid)["error"] == f"not HTML: {ctype}"
    assert store.texts([aid]).empty


def test_page_without_text_is_a_failure(store, site):
    site.page("/empty", body=b"<html><head><title>x</title></head><body></body></html>")
    [aid] = add_articles(store, [site.url("/empty")])
    report = hydrate(store, fetcher=fetcher())
    assert report.failed == Counter({"no text": 1})


# -- redirects -------------------------------------------------------------------------------
def test_redirect_is_followed_and_final_url_recorded(store, site):
    site.redirect("/old", "/new", status=301)
    site.page("/new")
    [aid] = add_articles(store, [site.url("/old")])
    hydrate(store, fetcher=fetcher())
    row = state_of(store, aid)
    assert (row["state"], row["final_url"]) == ("ok", site.url("/new"))
    assert store.texts([aid])["title"][0] == "Quarry town water"


def test_redirect_loop_is_detected(store, site):
    site.redirect("/loop-a", "/loop-b")
    site.redirect("/loop-b", "/loop-a")
    [aid] = add_articles(store, [site.url("/loop-a")])
    report = hydrate(store, fetcher=fetcher(max_redirects=10))
    assert report.failed == Counter({"redirect loop": 1})
    assert (site.hits["/loop-a"], site.hits["/loop-b"]) == (1, 1)  # stopped on seeing /loop-a again
    assert state_of(store, aid)["error"] == (f"redirect loop: {site.url('/loop-a')} -> {site.url('/loop-b')} "
                                             f"-> {site.url('/loop-a')}")


def test_redirect_limit(site):
    for i in range(6):
        site.redirect(f"/hop{i}", f"/hop{i + 1}")
    site.page("/hop6")
    result = fetcher(max_redirects=3).fetch(site.url("/hop0"))
    assert (result.ok, result.reason) == (False, "too many redirects")
    # hop0 -> hop1 -> hop2 -> hop3 followed (3 redirects); hop3's redirect to hop4 is refused
    assert [site.hits[f"/hop{i}"] for i in range(6)] == [1, 1, 1, 1, 0, 0]
    assert fetcher(max_redirects=6).fetch(site.url("/hop0")).ok


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:text/html,synthetic"])
def test_redirect_to_a_non_http_scheme_is_refused(store, site, target):
    site.redirect("/escape", target)
    [aid] = add_articles(store, [site.url("/escape")])
    report = hydrate(store, fetcher=fetcher())
    assert report.failed == Counter({"refused": 1})
    assert state_of(store, aid)["error"].startswith(f"redirect to {target} refused")
    assert store.texts([aid]).empty


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/synthetic.html",
                                 "data:text/html,<p>synthetic</p>", "gopher://127.0.0.1/1"])
def test_non_http_urls_are_refused_without_any_request(store, url):
    aid = insert_raw(store, "raw1", url)
    f = fetcher()
    report = hydrate(store, fetcher=f)
    assert f.requests_ == []
    assert report.failed == Counter({"refused": 1})
    row = state_of(store, aid)
    assert (row["state"], row["attempts"]) == ("failed", 0)
    assert "http and https only" in row["error"]


# -- politeness: per-domain rate limit -------------------------------------------------------
def test_rate_limit_spaces_requests_to_one_domain(site):
    site.page("/a")
    site.page("/b")
    clock = FakeClock(start=100.0)
    f = fetcher(rate=1.0, clock=clock, sleep=clock.sleep)
    f.fetch(site.url("/a"))
    f.fetch(site.url("/b"))
    assert [(r.time, r.domain) for r in f.requests_] == [(100.0, "127.0.0.1"), (101.0, "127.0.0.1")]
    assert clock.sleeps == [1.0]  # the fake clock did not move between the requests: a full second waited
    # another domain is not held back by 127.0.0.1's interval
    f.fetch(site.base.replace("127.0.0.1", "localhost") + "/a")
    assert f.requests_[-1].domain == "localhost" and f.requests_[-1].time == 101.0
    assert clock.sleeps == [1.0]


def test_rate_limit_counts_time_already_passed(site):
    site.page("/a")
    clock = FakeClock(start=0.0)
    f = fetcher(rate=1.0, clock=clock, sleep=clock.sleep)
    f.fetch(site.url("/a"))
    clock.t += 0.25  # work done elsewhere
    f.fetch(site.url("/a"))
    assert clock.sleeps == [0.75]  # 1.0 - 0.25
    assert [r.time for r in f.requests_] == [0.0, 1.0]


def test_hydrate_interleaves_domains_and_keeps_the_interval(store, site):
    for p in ("/a", "/b", "/c"):
        site.page(p)
    add_articles(store, [site.url(p) for p in ("/a", "/b", "/c")])
    clock = FakeClock(start=0.0)
    f = fetcher(rate=2.0, clock=clock, sleep=clock.sleep)
    hydrate(store, fetcher=f)
    times = [r.time for r in f.requests_]
    assert times == [0.0, 2.0, 4.0]


# -- resume and idempotency ---------------------------------------------------------------------
def test_resume_after_limit_fetches_only_the_rest_and_rerun_fetches_nothing(store, site):
    paths = ["/one", "/two", "/three"]
    for p in paths:
        site.page(p, body=OTHER_HTML)
    ids = add_articles(store, [site.url(p) for p in paths])

    first = hydrate(store, limit=1, fetcher=fetcher())
    assert (first.fetched, first.remaining) == (1, 2)
    assert dict(site.hits) == {"/one": 1}  # doc_id order within the one domain

    second = hydrate(store, fetcher=fetcher())
    assert (second.fetched, second.skipped) == (2, Counter({"already hydrated": 1}))
    assert dict(site.hits) == {"/one": 1, "/two": 1, "/three": 1}  # /one not fetched again

    third = hydrate(store, fetcher=fetcher())
    assert (third.fetched, third.n_failed, third.skipped) == (0, 0, Counter({"already hydrated": 3}))
    assert sum(site.hits.values()) == 3
    assert sorted(store.texts(ids)["article_id"]) == sorted(ids)
    assert list(store.hydration()["attempts"]) == [1, 1, 1]


def test_failed_articles_are_skipped_unless_retry_failed(store, site):
    site.sequence("/later-ok", status_only(404), html_ok())
    [aid] = add_articles(store, [site.url("/later-ok")])
    assert hydrate(store, fetcher=fetcher()).failed == Counter({"http 404": 1})

    again = hydrate(store, fetcher=fetcher())
    assert (again.fetched, again.skipped) == (0, Counter({"failed before (pass --retry-failed)": 1}))
    assert site.hits["/later-ok"] == 1

    retried = hydrate(store, fetcher=fetcher(), options=HydrateOptions(retry_failed=True))
    assert retried.fetched == 1
    row = state_of(store, aid)
    assert (row["state"], row["attempts"], row["error"]) == ("ok", 2, None)  # attempts add up over runs


def test_interrupt_keeps_finished_articles_and_leaves_the_one_in_flight_pending(store, site):
    for p in ("/one", "/two", "/three"):
        site.page(p, body=OTHER_HTML)
    ids = add_articles(store, [site.url(p) for p in ("/one", "/two", "/three")])

    class CtrlCOnSecond(Fetcher):
        def fetch(self, url):
            if len(self.requests_) == 1:  # Ctrl-C while the second article is in flight
                raise KeyboardInterrupt
            return super().fetch(url)

    with pytest.raises(HydrateInterrupted) as stopped:
        hydrate(store, fetcher=CtrlCOnSecond(timeout=0.3, retries=0, backoff=0, rate=0))
    report = stopped.value.report
    assert (report.fetched, report.interrupted, report.remaining) == (1, True, 2)
    assert isinstance(stopped.value, KeyboardInterrupt)
    states = dict(zip(store.hydration()["article_id"], store.hydration()["state"]))
    assert states == {ids[0]: "ok", ids[1]: "pending"}  # the third was never started
    assert list(store.texts()["article_id"]) == [ids[0]]

    resumed = hydrate(store, fetcher=fetcher())
    assert (resumed.fetched, resumed.skipped) == (2, Counter({"already hydrated": 1}))
    assert dict(site.hits) == {"/one": 1, "/two": 1, "/three": 1}


def test_article_with_imported_text_is_skipped(store, site):
    site.page("/has-text")
    [aid] = add_articles(store, [site.url("/has-text")])
    with store.transaction():
        store.set_text(aid, "Synthetic text supplied with the import.", source="import")
    report = hydrate(store, fetcher=fetcher())
    assert (report.fetched, report.skipped) == (0, Counter({"has text from import": 1}))
    assert site.hits["/has-text"] == 0


def test_plan_orders_round_robin_over_domains(store):
    for doc_id, host in [("d1", "b.test"), ("d2", "b.test"), ("d3", "a.test"), ("d4", "b.test"), ("d5", "a.test")]:
        insert_raw(store, doc_id, f"https://{host}/{doc_id}", domain=host)
    plan = plan_hydration(store)
    # domains alphabetically, doc_id within: a.test d3, b.test d1, a.test d5, b.test d2, b.test d4
    assert list(plan.todo["doc_id"]) == ["d3", "d1", "d5", "d2", "d4"]
    assert list(plan_hydration(store, limit=2).todo["doc_id"]) == ["d3", "d1"]


def test_bad_options_are_user_errors(store):
    insert_raw(store, "raw1", "https://local.test/a")
    with pytest.raises(HydrateOptionError, match="no collection 'nope'.*Try one of: synthetic-hydrate"):
        plan_hydration(store, collection="nope")
    with pytest.raises(HydrateOptionError, match="limit must be >= 0"):
        plan_hydration(store, limit=-1)
    with pytest.raises(HydrateOptionError, match="timeout must be > 0"):
        Fetcher(timeout=0)
    with pytest.raises(HydrateOptionError, match="rate must be >= 0"):
        Fetcher(rate=-1)


# -- command line ----------------------------------------------------------------------------
@pytest.fixture
def cli_store(tmp_path, embedded_store):
    """Path of a store holding the shipped corpus (copied, so it is not rebuilt) and no test articles."""
    path = tmp_path / "cli.sqlite"
    target = sqlite3.connect(path)
    embedded_store.conn.backup(target)
    target.close()
    return path


def run_cli(args):
    from mediaframes.cli import main

    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def test_cli_hydrates_records_failures_and_exits_0(cli_store, site, capsys):
    site.page("/good")
    with Store(cli_store) as s:
        add_articles(s, [site.url("/good"), site.url("/gone")])
    code = run_cli(["corpus", "hydrate", "--store", str(cli_store), "--collection", COLLECTION,
                    "--timeout", "0.5", "--retries", "0", "--rate", "0", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0  # a failed URL is recorded, not an error of the command
    assert f"hydration (collection {COLLECTION}): 1 fetched, 0 skipped, 1 failed" in out
    assert "failed: http 404: 1" in out
    assert "features unchanged" in out
    with Store(cli_store) as s:
        assert sorted(s.hydration(COLLECTION)["state"]) == ["failed", "ok"]
        assert s.texts()["source"].tolist() == ["hydrate"]


def test_cli_update_features(cli_store, site, capsys):
    site.page("/good")
    with Store(cli_store) as s:
        [aid] = add_articles(s, [site.url("/good")])
    code = run_cli(["corpus", "hydrate", "--store", str(cli_store), "--collection", COLLECTION,
                    "--rate", "0", "--update-features", "--quiet"])
    assert code == 0
    assert "features recomputed from full text for 1 article " in capsys.readouterr().out
    with Store(cli_store) as s:
        assert n_words_of(s, aid) == 36


@pytest.mark.parametrize("args, message", [
    (["--collection", "nope"], "no collection 'nope'"),
    (["--collection", COLLECTION, "--timeout", "0"], "timeout must be > 0"),
    (["--collection", COLLECTION, "--limit", "-2"], "limit must be >= 0"),
])
def test_cli_bad_options_exit_1(cli_store, site, capsys, args, message):
    with Store(cli_store) as s:
        add_articles(s, [site.url("/good")])
    assert run_cli(["corpus", "hydrate", "--store", str(cli_store), "--quiet", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert sum(site.hits.values()) == 0


def test_cli_ctrl_c_reports_progress_and_exits_130(cli_store, site, capsys, monkeypatch):
    for p in ("/one", "/two"):
        site.page(p, body=OTHER_HTML)
    with Store(cli_store) as s:
        add_articles(s, [site.url("/one"), site.url("/two")])
    real_fetch = Fetcher.fetch

    def fetch(self, url):
        if url.endswith("/two"):
            raise KeyboardInterrupt
        return real_fetch(self, url)

    monkeypatch.setattr(Fetcher, "fetch", fetch)
    code = run_cli(["corpus", "hydrate", "--store", str(cli_store), "--collection", COLLECTION,
                    "--rate", "0", "--quiet"])
    assert code == 130
    assert "interrupted after 1 article (1 fetched, 0 failed)" in capsys.readouterr().err
    with Store(cli_store) as s:
        assert sorted(s.hydration(COLLECTION)["state"]) == ["ok", "pending"]


@pytest.mark.slow  # a child process imports the package (seconds)
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_sigint_to_a_running_hydrate_exits_130_and_keeps_what_was_done(cli_store, site):
    site.page("/quick", body=OTHER_HTML)

    def stalled(h):
        time.sleep(10)  # the child is interrupted while waiting for this page
    site.routes["/stalled"] = stalled
    with Store(cli_store) as s:
        quick, slow = add_articles(s, [site.url("/quick"), site.url("/stalled")])
    env = dict(os.environ, MEDIAFRAMES_STORE=str(cli_store))
    child = subprocess.Popen([sys.executable, "-c", "from mediaframes.cli import main; main()", "corpus",
                              "hydrate", "--collection", COLLECTION, "--rate", "0", "--timeout", "30", "--quiet"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while site.hits["/stalled"] == 0 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert site.hits["/stalled"] == 1
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, err
    assert "interrupted after 1 article (1 fetched, 0 failed)" in err and "Traceback" not in err
    with Store(cli_store) as s:
        states = dict(zip(s.hydration()["article_id"], s.hydration()["state"]))
        assert states == {quick: "ok", slow: "pending"}
        assert s.texts()["article_id"].tolist() == [quick]
