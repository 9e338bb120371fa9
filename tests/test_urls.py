"""Canonical URLs: every variant of one article's address maps to one string (the dedup key)."""

import pytest

from mediaframes.urls import URLError, candidate_domains, canonical_url, domain_of

BASE = "https://news.example/world/2025/03/council-water-plan"


@pytest.mark.parametrize("variant", [
    # scheme: http and https are one page; case of scheme and host does not matter
    "http://news.example/world/2025/03/council-water-plan",
    "HTTPS://NEWS.Example/world/2025/03/council-water-plan",
    # host prefixes of the same site: www., m., mobile., amp. (and stacked ones)
    "https://www.news.example/world/2025/03/council-water-plan",
    "https://m.news.example/world/2025/03/council-water-plan",
    "https://mobile.news.example/world/2025/03/council-water-plan",
    "https://amp.news.example/world/2025/03/council-water-plan",
    "https://www.m.news.example/world/2025/03/council-water-plan",
    # AMP paths: a trailing or leading /amp segment, a .amp suffix
    "https://news.example/world/2025/03/council-water-plan/amp",
    "https://news.example/amp/world/2025/03/council-water-plan",
    "https://news.example/world/2025/03/council-water-plan.amp",
    # AMP and tracking query parameters
    "https://news.example/world/2025/03/council-water-plan?amp=1",
    "https://news.example/world/2025/03/council-water-plan?outputType=amp",
    "https://news.example/world/2025/03/council-water-plan?utm_source=twitter&utm_medium=social",
    "https://news.example/world/2025/03/council-water-plan?fbclid=IwAR0abc&gclid=xyz",
    "https://news.example/world/2025/03/council-water-plan?ref=homepage&ocid=msn",
    # fragment, trailing slash, doubled slashes, default port, surrounding spaces
    "https://news.example/world/2025/03/council-water-plan#comments",
    "https://news.example/world/2025/03/council-water-plan/",
    "https://news.example//world/2025/03//council-water-plan",
    "https://news.example:443/world/2025/03/council-water-plan",
    "  https://news.example/world/2025/03/council-water-plan \n",
    # percent-escapes of unreserved characters are decoded (RFC 3986, 6.2.2.2): %2D is "-", %61 "a"
    "https://news.example/world/2025/03/council%2Dwater%2dpl%61n",
])
def test_variants_of_one_article_share_the_canonical_url(variant):
    assert canonical_url(variant) == BASE


def test_amp_html_suffix_becomes_html():
    assert canonical_url("https://news.example/story-1.amp.html") == "https://news.example/story-1.html"


def test_reserved_escapes_are_kept_and_upper_cased():
    # %2f is an encoded "/" inside a segment: decoding it would change the path, so it stays (as %2F)
    assert canonical_url("https://news.example/a%2fb/%7Euser") == "https://news.example/a%2Fb/~user"


def test_meaningful_query_parameters_are_kept_and_sorted():
    url = "https://news.example/story.php?utm_campaign=x&story_id=42&page=2"
    assert canonical_url(url) == "https://news.example/story.php?page=2&story_id=42"
    # the same parameters in another order are the same page
    assert canonical_url("https://news.example/story.php?story_id=42&page=2") == canonical_url(url)


def test_space_encodings_in_the_query_agree():
    assert canonical_url("https://news.example/s?q=a%20b") == canonical_url("https://news.example/s?q=a+b")


def test_root_path_keeps_its_slash():
    assert canonical_url("http://www.news.example") == "https://news.example/"


def test_path_case_is_kept():
    # hosts are case-insensitive, paths are not
    assert canonical_url("https://news.example/World/A") == "https://news.example/World/A"


def test_two_label_hosts_keep_their_prefix():
    # "www.example" is the whole registered name, not a www. prefix of "example"
    assert canonical_url("https://www.example/a") == "https://www.example/a"
    assert canonical_url("https://amp.example/a") == "https://amp.example/a"


@pytest.mark.parametrize("url", [
    "ftp://news.example/a", "file:///etc/passwd", "javascript:alert(1)", "mailto:desk@news.example",
    "news.example/a", "/world/a", "https:///a", "", "   ",
])
def test_non_http_urls_are_refused(url):
    with pytest.raises(URLError, match="not an absolute http"):
        canonical_url(url)


@pytest.mark.parametrize("url", [
    BASE, "https://news.example/story.amp.html", "https://news.example/s?q=a+b&p=1", "https://news.example/",
    "https://news.example/a%2Fb",
])
def test_canonical_url_is_idempotent(url):
    once = canonical_url(url)
    assert canonical_url(once) == once


def test_domain_of_drops_www_and_port_but_keeps_other_subdomains():
    assert domain_of("https://www.tribune.com.pk:443/story/1") == "tribune.com.pk"
    assert domain_of("https://m.rediff.com/news") == "m.rediff.com"
    assert domain_of("https://WWW.News.Example/") == "news.example"


def test_candidate_domains_walk_up_to_the_registered_name():
    assert candidate_domains("https://6495.read.newszop.com/x") == [
        "6495.read.newszop.com", "read.newszop.com", "newszop.com"]
    assert candidate_domains("https://m.rediff.com/a") == ["m.rediff.com", "rediff.com"]


def test_a_non_default_port_is_kept_and_a_default_one_dropped():
    # two local servers on different ports are different sites; :443 and :80 add nothing
    assert canonical_url("http://127.0.0.1:8080/a") == "https://127.0.0.1:8080/a"
    assert canonical_url("http://127.0.0.1:8080/a") != canonical_url("http://127.0.0.1:9090/a")
    assert canonical_url("https://example.com:443/a") == "https://example.com/a"
    assert canonical_url("http://example.com:80/a") == "https://example.com/a"


def test_an_invalid_port_is_an_url_error():
    with pytest.raises(URLError, match="invalid port"):
        canonical_url("http://example.com:99999/a")
