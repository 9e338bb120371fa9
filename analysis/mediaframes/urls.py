"""Canonical URLs: one address per article, whatever variant a user or a feed supplies.

Two URLs that differ only by scheme, a ``www.``/``m.``/``amp.`` host prefix, an AMP path or
parameter, tracking parameters, a fragment, a default port or a trailing slash are the same article.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ocid|cmpid|ref|ref_src|ref_url|"
    r"referrer|src|source|smid|smtyp|at_medium|at_campaign|at_custom\d*|taid|ito|sh|share|"
    r"__twitter_impression|_ga|amp|outputtype|output_type|usqp|s|si|from|guccounter|guce_.*)$",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_AMP_PATH = re.compile(r"(/amp)+(?=/|$)|/amp(?=/)", re.IGNORECASE)
_AMP_SUFFIX = re.compile(r"(\.amp\.html?|\.amp|/amp\.html?)$", re.IGNORECASE)


class URLError(ValueError):
    """The string is not an absolute http(s) URL."""


def domain_of(url: str) -> str:
    """Host of ``url`` in lower case, without ``www.`` and port: the key of ``corpus/outlets.csv``."""
    host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") and host.count(".") >= 2 else host


def candidate_domains(url: str) -> list[str]:
    """Domains to look an outlet up under, most specific first.

    ``6495.read.newszop.com`` -> itself, ``read.newszop.com``, ``newszop.com``;
    ``m.rediff.com`` -> itself, then ``rediff.com``.
    """
    host = domain_of(url)
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] or [host]


def _bare_host(url: str) -> str:
    """Host without ``www.``/``m.``/``mobile.``/``amp.`` prefixes: mobile and AMP copies are one page."""
    host = domain_of(url)
    changed = True
    while changed:
        changed = False
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix):]
                changed = True
    return host


def canonical_url(url: str) -> str:
    """Canonical form of an article URL (https, bare host, no AMP, no tracking, sorted query).

    Default ports (80, 443) are dropped; any other port is kept.

    Raises :class:`URLError` when ``url`` is not an absolute http(s) address.
    """
    raw = url.strip()
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise URLError(f"not an absolute http(s) URL: {raw!r}")
    host = _bare_host(raw)
    try:
        port = parts.port
    except ValueError:
        raise URLError(f"invalid port in {raw!r}") from None
    if port is not None and port not in (80, 443):  # another port can be another site (local servers)
        host = f"{host}:{port}"
    path = _normalise_path(parts.path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def _percent(match: re.Match) -> str:
    """Decode an escape of an unreserved character; upper-case every other escape (RFC 3986, 6.2.2)."""
    char = chr(int(match.group(0)[1:], 16))
    return char if char in _UNRESERVED else match.group(0).upper()


def _normalise_path(path: str) -> str:
    path = _PERCENT.sub(_percent, path)
    path = _AMP_SUFFIX.sub(lambda m: ".html" if "html" in m.group(0).lower() else "", path)
    path = _AMP_PATH.sub("", path)
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    return path or "/"
