"""Bad input to `mediaframes corpus add`: exit code 1, a message naming file, line and field with a
fix, no traceback, and a store left exactly as it was (a batch is all or nothing).

Each case writes its (synthetic) input files, runs the command in-process and checks the
``FILE:LINE [FIELD]: message -> fix`` lines it prints. Whole-file problems (an empty or binary
file, a folder) have no field; one-article files (HTML, text) have no line.
"""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from mediaframes.cli import main
from mediaframes.readers import MAX_LINE_BYTES

from helpers import snapshot

OUTLET = ["--outlet", "Synthetic Outlet", "--country", "GB"]
GOOD = {"url": "https://valley-times.example/good", "text": "A synthetic sentence about the council."}


def jsonl(*records):
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


PAGE_WITHOUT_TEXT = ('<html><head><link rel="canonical" href="https://valley-times.example/empty">'
                     "<script>var x = 1;</script></head><body><script>render();</script></body></html>")
PAGE_WITHOUT_URL = ("<html><head><title>No address</title></head><body><article><p>"
                    + "The council met again on Monday to discuss the water plan and the budget. " * 4
                    + "</p></article></body></html>")
NEXT_YEAR = (date.today() + timedelta(days=366)).isoformat()

# name -> (files to write, extra options, expected [(file, line, field, words of the message)])
CASES = {
    "malformed JSON line": (
        {"a.jsonl": jsonl(GOOD, '{"url": "https://valley-times.example/2", "text": "unterminated')},
        OUTLET, [("a.jsonl", 2, None, "malformed JSON")]),
    "CSV with a missing column": (
        {"a.csv": "title,text\nA title,Some synthetic words.\n"},
        OUTLET, [("a.csv", 1, "url", "missing column url")]),
    "CSV without text or bow column": (
        {"a.csv": "url,title\nhttps://valley-times.example/1,A title\n"},
        OUTLET, [("a.csv", 1, "text", "missing column text or bow")]),
    "wrong encoding (latin-1)": (
        {"a.jsonl": jsonl(GOOD).encode() + '{"url": "https://valley-times.example/2", "text": "caf\u00e9"}\n'
         .encode("latin-1")},
        OUTLET, [("a.jsonl", 2, None, "not UTF-8")]),
    "latin-1 CSV": (
        {"a.csv": "url,text\nhttps://valley-times.example/1,ok\nhttps://valley-times.example/2,na\u00efve\n"
         .encode("latin-1")},
        OUTLET, [("a.csv", 3, None, "not UTF-8")]),
    "empty text": (
        {"a.jsonl": jsonl(GOOD, {"url": "https://valley-times.example/2", "text": "   "})},
        OUTLET, [("a.jsonl", 2, "text", "empty text")]),
    "unknown domain": (
        {"a.jsonl": jsonl({"url": "https://unregistered-daily.example/1", "text": "Synthetic words."})},
        [], [("a.jsonl", 1, "url", "unknown domain unregistered-daily.example")]),
    "invalid date": (
        {"a.jsonl": jsonl(dict(GOOD, published="2025-02-30"))},
        OUTLET, [("a.jsonl", 1, "published", "invalid date '2025-02-30'")]),
    "future date": (
        {"a.jsonl": jsonl(dict(GOOD, published=NEXT_YEAR))},
        OUTLET, [("a.jsonl", 1, "published", "outside 1990 to today")]),
    "invalid month": (
        {"a.jsonl": jsonl(dict(GOOD, month="2025-13"))},
        OUTLET, [("a.jsonl", 1, "month", "invalid month '2025-13'")]),
    "duplicate URL inside one batch": (
        {"a.jsonl": jsonl(GOOD, dict(GOOD, url="http://www.valley-times.example/good/?utm_source=x", text="Other."))},
        OUTLET, [("a.jsonl", 2, "url", "duplicate URL in this batch")]),
    "duplicate URL across two files": (
        {"a.jsonl": jsonl(GOOD), "b.csv": "url,text\nhttps://valley-times.example/good,Other words.\n"},
        OUTLET, [("b.csv", 2, "url", "duplicate URL in this batch (first at")]),
    "directory with no usable files": (
        {"notes.md": "synthetic notes", "photo.png": b"\x89PNG\r\n"},
        OUTLET, [("", None, None, "no article files in this folder (skipped: notes.md, photo.png)")]),
    "binary file": (
        {"a.jsonl": b"\x00\x01\x02\x03 synthetic binary \x00"},
        OUTLET, [("a.jsonl", 1, None, "a binary file")]),
    "UTF-16 file": (
        {"a.jsonl": jsonl(GOOD).encode("utf-16")},
        OUTLET, [("a.jsonl", 1, None, "UTF-16")]),
    "huge line": (
        {"a.jsonl": b'{"url": "https://valley-times.example/1", "text": "' + b"w " * (MAX_LINE_BYTES // 2)
         + b'"}\n' + jsonl(GOOD).encode()},
        OUTLET, [("a.jsonl", 1, None, "over the limit of 20,000,000")]),
    "non-http URL": (
        {"a.jsonl": jsonl(dict(GOOD, url="file:///etc/passwd"))},
        OUTLET, [("a.jsonl", 1, "url", "not an absolute http(s) URL")]),
    "bow with a bad term": (
        {"a.jsonl": jsonl({"url": "https://valley-times.example/1", "bow": {"Water": 2}})},
        OUTLET, [("a.jsonl", 1, "bow", "term 'Water' does not follow the tokenizer rules")]),
    "bow with a function word": (
        {"a.jsonl": jsonl({"url": "https://valley-times.example/1", "bow": {"water": 2, "the": 4}})},
        OUTLET, [("a.jsonl", 1, "bow", "term 'the' does not follow")]),
    "bow with a bad count": (
        {"a.jsonl": jsonl({"url": "https://valley-times.example/1", "bow": {"water": 1.5}})},
        OUTLET, [("a.jsonl", 1, "bow", "count of 'water' is 1.5")]),
    "CSV bow that is not JSON": (
        {"a.csv": "url,bow\nhttps://valley-times.example/1,{water: 2}\n"},
        OUTLET, [("a.csv", 2, "bow", "not valid JSON")]),
    "unknown coded variable": (
        {"a.jsonl": jsonl(dict(GOOD, codes={"tone": "grim"}))},
        OUTLET, [("a.jsonl", 1, "codes.tone", "unknown coded variable 'tone'")]),
    "code value outside the codebook": (
        {"a.jsonl": jsonl(dict(GOOD, primary_frame="sports"))},
        OUTLET, [("a.jsonl", 1, "primary_frame", "'sports' is not one of")]),
    "list code given as a ;-separated string in CSV": (
        {"a.csv": "url,text,events\nhttps://valley-times.example/1,Words.,other;herof_2024\n"},
        OUTLET, [("a.csv", 2, "events", "expected a list of strings")]),
    "codes that are not an object": (
        {"a.jsonl": jsonl(dict(GOOD, codes=["political_process"]))},
        OUTLET, [("a.jsonl", 1, "codes", "codes must be an object")]),
    "country without group": (
        {"a.jsonl": jsonl(dict(GOOD, outlet="Elsewhere News", country="XX"))},
        [], [("a.jsonl", 1, "country", "country 'XX' has no group")]),
    "empty file": (
        {"a.jsonl": b""},
        OUTLET, [("a.jsonl", 1, None, "the file is empty")]),
    "file with records but no articles": (
        {"a.json": "[]"},
        OUTLET, [("a.json", 1, None, "no articles in this file")]),
    "HTML page with no extractable text": (
        {"page.html": PAGE_WITHOUT_TEXT},
        OUTLET, [("page.html", None, "text", "no article text could be extracted")]),
    "HTML page without a URL": (
        {"page.html": PAGE_WITHOUT_URL},
        OUTLET, [("page.html", None, "url", "no URL: the page has no <link rel=\"canonical\"> or og:url")]),
    "text file without a sidecar": (
        {"story.txt": "Synthetic words of a story."},
        OUTLET, [("story.txt", None, "url", "no URL for this text file")]),
    "malformed sidecar": (
        {"story.txt": "Synthetic words.", "story.meta.json": '{"url": "https://valley-times.example/s",'},
        OUTLET, [("story.meta.json", 1, None, "malformed JSON")]),
    "RSS file that is not a feed": (
        {"feed.rss": "<html><body><p>Not a feed at all.</p></body></html>"},
        OUTLET, [("feed.rss", 1, None, "not an RSS or Atom feed")]),
    "doc id clash": (
        {"a.jsonl": jsonl(dict(GOOD, id="same"), {"id": "same", "url": "https://valley-times.example/2",
                                                  "text": "Other words."})},
        OUTLET, [("a.jsonl", 2, "id", "id 'same' is also the id of https://valley-times.example/good")]),
    "doc id of a shipped article": (
        {"a.jsonl": jsonl(dict(GOOD, id="bc0001"))},
        OUTLET, [("a.jsonl", 1, "id", "id 'bc0001' is already used in the store by")]),
    "n_words that is not a number": (
        {"a.jsonl": jsonl(dict(GOOD, n_words="many"))},
        OUTLET, [("a.jsonl", 1, "n_words", "n_words 'many' is not a whole number")]),
    "title that is not text": (
        {"a.jsonl": jsonl(dict(GOOD, title=["a", "list"]))},
        OUTLET, [("a.jsonl", 1, "title", "title must be text")]),
}


def run(capsys, *args):
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def write(folder: Path, files: dict) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def where(folder: Path, name: str, line, field) -> str:
    """The start of a problem line, as :class:`mediaframes.errors.Problem` prints it."""
    text = str(folder / name)
    if line is not None:
        text += f":{line}"
    if field:
        text += f" [{field}]"
    return text + ": "


def test_at_least_15_kinds():
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_rejected_with_file_line_field_and_fix(case, capsys, store_path, tmp_path):
    files, options, expected = CASES[case]
    inputs = tmp_path / "in"
    write(inputs, files)
    before = snapshot(store_path)
    code, out, err = run(capsys, "corpus", "add", "--store", store_path, inputs, *options, "--quiet")
    assert code == 1, (out, err)
    assert "Traceback" not in err and out == ""
    lines = err.splitlines()
    for name, line, field, words in expected:
        start = where(inputs, name, line, field)
        found = [text for text in lines if text.startswith(start) or text.startswith("error: " + start)]
        assert found, f"no line starting {start!r} in:\n{err}"
        assert words in found[0]
        assert " -> " in found[0] and found[0].split(" -> ", 1)[1].strip()   # a fix follows the message
    n = len(expected)
    assert lines[-1] == f"{n} problem{'s' if n > 1 else ''}; nothing was imported (a batch is all or nothing)."
    assert snapshot(store_path) == before


def test_url_already_stored_with_other_content(capsys, store_path, tmp_path):
    first = tmp_path / "first.jsonl"
    first.write_text(jsonl(GOOD), encoding="utf-8")
    assert run(capsys, "corpus", "add", "--store", store_path, first, *OUTLET, "-q")[0] == 0
    before = snapshot(store_path)
    second = tmp_path / "second.jsonl"
    second.write_text(jsonl({"url": "https://www.valley-times.example/good?utm_medium=x", "text": "New words."}),
                      encoding="utf-8")
    code, _, err = run(capsys, "corpus", "add", "--store", store_path, second, *OUTLET, "-q")
    assert code == 1
    assert f"error: {second}:1 [url]: this URL is already stored with other content -> pass --replace" in err
    assert snapshot(store_path) == before


def test_every_problem_of_the_batch_is_listed_in_one_pass(capsys, store_path, tmp_path):
    write(tmp_path / "in", {
        "a.jsonl": jsonl(GOOD, "{broken", dict(GOOD, url="https://valley-times.example/3", published="yesterday")),
        "b.csv": "url,text,primary_frame\nhttps://valley-times.example/4,Words.,sports\n",
        "c.txt": "No sidecar here.",
    })
    before = snapshot(store_path)
    code, _, err = run(capsys, "corpus", "add", "--store", store_path, tmp_path / "in", *OUTLET, "-q")
    assert code == 1
    folder = tmp_path / "in"
    starts = [where(folder, "a.jsonl", 2, None), where(folder, "a.jsonl", 3, "published"),
              where(folder, "b.csv", 2, "primary_frame"), where(folder, "c.txt", None, "url")]
    lines = [line.removeprefix("error: ") for line in err.splitlines()]
    assert [next(k for k, line in enumerate(lines) if line.startswith(s)) for s in starts] == [0, 1, 2, 3]
    assert lines[-1] == "4 problems; nothing was imported (a batch is all or nothing)."
    assert snapshot(store_path) == before
