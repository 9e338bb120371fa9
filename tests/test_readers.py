"""Readers: every input format becomes the same raw records, each with its file and line.

All inputs are synthetic (tests/fixtures/ingest/ or written here).
"""

import json
import os
import threading
from pathlib import Path

import pytest

from mediaframes.errors import InputErrors
from mediaframes.readers import (ReadOptions, html_to_text, list_inputs, normalize_record, read_jsonl,
                                 read_paths, sniff)

FIX = Path(__file__).parent / "fixtures" / "ingest"


def read(*paths, **options):
    return [(rec, origin) for rec, origin in read_paths(paths, ReadOptions(**options))]


def problems_of(*paths, **options):
    with pytest.raises(InputErrors) as info:
        read(*paths, **options)
    return info.value.problems


# -- formats --------------------------------------------------------------------------------------
def test_jsonl_records_keep_their_fields_and_line_numbers():
    (first, o1), (second, o2) = read(FIX / "records" / "articles.jsonl")
    assert (o1.line, o2.line) == (1, 2)
    assert first["id"] == "syn-001" and first["events"] == ["other"] and first["coder"] == "syn-coder"
    assert second["bow"] == {"bridge": 2, "opened": 1, "river": 1, "traffic": 1}
    assert second["codes"] == {"stance_bla": "neutral", "india_role": "absent"}


def test_csv_cells_json_for_bow_codes_and_lists_empty_cells_dropped():
    (first, o1), (second, o2) = read(FIX / "records" / "articles.csv")
    assert (o1.line, o2.line) == (2, 3)  # the header is line 1
    assert first["events"] == ["other"]                      # JSON array cell -> list
    assert "bow" not in first and "bla_terms" not in first    # empty cells are missing values
    assert second["bow"] == {"school": 2, "term": 1, "teachers": 1}
    assert second["bla_terms"] == ["militants", "gunmen"]
    assert "title" not in second


def test_csv_multiline_quoted_text_reports_the_line_the_record_starts_on(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('url,text\nhttps://a.example/1,"first line\nsecond line"\nhttps://a.example/2,plain\n',
                    encoding="utf-8")
    records = read(path)
    # record 1 spans lines 2-3, record 2 starts on line 4
    assert [o.line for _, o in records] == [2, 4]
    assert records[0][0]["text"] == "first line\nsecond line"


def test_csv_with_semicolons_or_tabs(tmp_path):
    semi, tabs = tmp_path / "semi.csv", tmp_path / "tabs.csv"
    semi.write_text('url;text;events\nhttps://a.example/1;Words, with a comma.;["other"]\n', encoding="utf-8")
    tabs.write_text('url\ttext\nhttps://a.example/2\tMore words; and a semicolon.\n', encoding="utf-8")
    (a, _), (b, _) = read(semi, tabs)
    assert a == {"url": "https://a.example/1", "text": "Words, with a comma.", "events": ["other"]}
    assert b == {"url": "https://a.example/2", "text": "More words; and a semicolon."}


def test_json_file_holding_json_lines(tmp_path):
    path = tmp_path / "scraped.json"
    path.write_text('{"link": "https://a.example/1", "body": "One."}\n{"link": "https://a.example/2", "body": "Two."}\n',
                    encoding="utf-8")
    assert [(r["url"], o.line) for r, o in read(path)] == [("https://a.example/1", 1), ("https://a.example/2", 2)]


def test_html_page_text_title_date_and_canonical_url():
    [(page, origin)] = read(FIX / "pages" / "council-water-plan.html")
    assert origin.line is None
    assert page["url"] == "https://www.valley-times.example/news/2025/03/council-water-plan?utm_source=rss"
    assert page["title"] == "Council approves new water plan"
    assert page["published"] == "2025-03-14"
    assert "piped water to twelve villages" in page["text"]
    assert "Home" not in page["text"] and "Synthetic page written" not in page["text"]  # boilerplate gone


def test_html_page_og_url_when_there_is_no_canonical_link():
    [(page, _)] = read(FIX / "pages" / "ferry-timetable.htm")
    assert page["url"] == "https://river-news.example/local/ferry-timetable"
    assert page["published"] == "2025-06-01"


def test_html_sidecar_supplies_the_url_and_codes():
    [(page, _)] = read(FIX / "pages" / "library-hours.html")
    assert page["url"] == "https://river-news.example/local/library-hours"
    assert page["published"] == "2025-06-10" and page["primary_frame"] == "political_process"


def test_sidecar_wins_over_what_the_page_says(tmp_path):
    (tmp_path / "p.html").write_bytes((FIX / "pages" / "council-water-plan.html").read_bytes())
    (tmp_path / "p.meta.json").write_text(json.dumps({"url": "https://valley-times.example/other",
                                                      "published": "2025-03-15"}))
    [(page, _)] = read(tmp_path / "p.html")
    assert (page["url"], page["published"]) == ("https://valley-times.example/other", "2025-03-15")


def test_txt_metadata_from_meta_json_and_from_metadata_csv():
    records = {Path(o.file).name: rec for rec, o in read(FIX / "texts")}
    assert sorted(records) == ["clinic-opens.txt", "road-repair.txt"]   # sidecars are not articles
    road, clinic = records["road-repair.txt"], records["clinic-opens.txt"]
    assert road["url"] == "https://hill-post.example/2025/07/road-repair"
    assert road["codes"] == {"primary_frame": "economic_resources"}
    assert road["text"].startswith("Work on the mountain road")
    assert clinic["url"] == "https://hill-post.example/2025/07/clinic-opens"
    assert clinic["events"] == ["other"] and clinic["published"] == "2025-07-10"


def test_scraper_json_list_aliases_and_html_content():
    (first, o1), (second, o2) = read(FIX / "scraped" / "articles.json")
    assert (o1.line, o2.line) == (2, 10)   # the line each object starts on
    assert first["url"] == "https://valley-times.example/culture/harvest-festival"     # from "link"
    assert first["published"] == "2025-09-20T10:30:00+05:00"                          # from "date_published"
    # "content" was HTML: paragraphs become lines, tags go
    assert first["text"] == ("The harvest festival drew large crowds to the square on Saturday.\n"
                             "Farmers sold apricots, walnuts and honey from the upper valleys.")
    assert second["text"].startswith("Heavy rain") and second["published"] == "2025-09-22"  # "body", "date"


def test_scraper_json_wrapper_object_with_an_articles_list():
    [(rec, origin)] = read(FIX / "scraped" / "newsapi.json")
    assert origin.line == 2
    assert rec["url"] == "https://river-news.example/local/bus-fares"
    assert rec["published"] == "2025-10-01T06:00:00Z"     # from "publishedAt"
    assert rec["text"].startswith("Bus fares will stay")


def test_scraper_json_single_object(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"headline": "H", "article_url": "https://a.example/1", "maintext": "Words here."}))
    [(rec, origin)] = read(path)
    assert (rec["title"], rec["url"], rec["text"], origin.line) == ("H", "https://a.example/1", "Words here.", 1)


def test_rss_entries_become_articles():
    records = read(FIX / "feeds" / "valley.rss")
    assert [o.line for _, o in records] == [7, 13]        # lines of the <item> elements
    first, second = (r for r, _ in records)
    assert first["url"] == "https://valley-times.example/business/orchard-cooperative"
    assert first["title"] == "Orchard owners form a cooperative"
    assert first["text"] == ("Orchard owners in the upper valley formed a cooperative on Monday to share cold "
                             "storage.\nForty families joined in the first week.")
    assert first["published"] == "2025-10-13"             # RFC 2822 pubDate
    assert second["published"] == "2025-10-16"


def test_atom_entries_content_or_summary_and_updated_date():
    (first, _), (second, _) = read(FIX / "feeds" / "river.atom")
    assert first["url"] == "https://river-news.example/local/fishing-season"
    assert first["text"].startswith("The fishing season opened") and first["published"] == "2025-11-01"
    # no <published>: the <updated> date; no <content>: the <summary>
    assert second["published"] == "2025-11-02"
    assert second["text"] == "Solar lights were installed on the old bridge, the council said."


# -- walking and format detection -----------------------------------------------------------------
def test_folders_are_walked_in_sorted_order_and_sidecars_skipped():
    files, problems = list_inputs([FIX])
    assert problems == []
    names = [p.relative_to(FIX).as_posix() for p, _ in files]
    assert names == sorted(names, key=lambda n: n.split("/"))
    assert "README.md" not in names
    assert not any(n.endswith(".meta.json") or n.endswith("metadata.csv") for n in names)
    assert {fmt for _, fmt in files} == {"jsonl", "csv", "html", "txt", "json", "rss"}


def test_reading_twice_gives_the_same_records_in_the_same_order():
    assert read(FIX) == read(FIX)


def test_a_path_given_twice_is_read_once():
    path = FIX / "records" / "articles.jsonl"
    assert len(read(path, path, FIX / "records")) == 4   # 2 jsonl + 2 csv


def test_skipped_files_are_reported_to_on_skip():
    skipped = []
    read(FIX, on_skip=lambda path, reason: skipped.append(Path(path).name))
    assert skipped == ["README.md"]


@pytest.mark.parametrize("head, fmt", [
    (b'{"url": "https://a.example/1", "text": "x"}\n{"url": "https://a.example/2"}', "jsonl"),
    (b'{\n  "url": "https://a.example/1"\n}', "json"),
    (b'[{"url": "https://a.example/1"}]', "json"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel>', "rss"),
    (b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">', "rss"),
    (b"<!DOCTYPE html><html><head>", "html"),
    (b"\xef\xbb\xbf  <html lang='en'>", "html"),
    (b"just some words", None),
])
def test_sniff(head, fmt):
    assert sniff(head) == fmt


def test_unknown_extension_is_sniffed(tmp_path):
    path = tmp_path / "download.dat"
    path.write_bytes((FIX / "feeds" / "valley.rss").read_bytes())
    assert len(read(path)) == 2


def test_explicit_format_reads_every_file_in_that_format(tmp_path):
    (tmp_path / "a.md").write_text("Plain words of a synthetic note.", encoding="utf-8")
    (tmp_path / "a.meta.json").write_text('{"url": "https://a.example/note"}', encoding="utf-8")
    [(rec, _)] = read(tmp_path, format="txt")
    assert rec == {"text": "Plain words of a synthetic note.", "url": "https://a.example/note"}


def test_leading_blank_lines_keep_line_numbers(tmp_path):
    path = tmp_path / "blank-start.jsonl"
    # 10,000 blank lines (more than the 8 KiB looked at first), then a record on line 10,001
    path.write_bytes(b"\n" * 10_000 + b'{"url": "https://a.example/1", "text": "late start"}\n')
    [(rec, origin)] = read(path)
    assert (rec["text"], origin.line) == ("late start", 10_001)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"url": "https://a.example/1", "text": "caf\xc3\xa9 opens"}\n')
    [(rec, _)] = read(path)
    assert rec["text"] == "caf\u00e9 opens"


def test_latin1_html_is_decoded_from_its_charset(tmp_path):
    page = ('<html><head><meta charset="iso-8859-1"><link rel="canonical" href="https://a.example/cafe">'
            "</head><body><article><p>" + "The caf\u00e9 on the corner reopened on Monday after the floods. " * 4
            + "</p></article></body></html>")
    path = tmp_path / "cafe.html"
    path.write_bytes(page.encode("latin-1"))
    [(rec, _)] = read(path)
    assert "caf\u00e9 on the corner" in rec["text"]


def test_on_file_is_called_once_per_file_in_order():
    seen = []
    read(FIX / "feeds", on_file=seen.append)
    assert [Path(p).name for p in seen] == ["river.atom", "valley.rss"]


def test_records_stream_lazily_one_file_after_another(tmp_path):
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    first.write_text('{"url": "https://a.example/1", "text": "one"}\n', encoding="utf-8")
    second.write_text('{"url": "https://a.example/2", "text": "two"}\n', encoding="utf-8")
    records = read_paths([first, second])
    assert next(records)[0]["text"] == "one"
    second.write_text('{"url": "https://a.example/2", "text": "changed before it was opened"}\n', encoding="utf-8")
    assert next(records)[0]["text"] == "changed before it was opened"


# -- helpers --------------------------------------------------------------------------------------
def test_normalize_record_takes_the_first_alias_and_keeps_canonical_fields():
    rec = normalize_record({"url": "https://a.example/1", "link": "https://a.example/other",
                            "content": ["Para one.", "Para two."], "date": 1718000000})
    assert rec["url"] == "https://a.example/1" and rec["link"] == "https://a.example/other"
    assert rec["text"] == "Para one.\n\nPara two."
    # 1,718,000,000 s after 1970-01-01 UTC is 2024-06-10 06:13:20 UTC
    assert rec["published"] == "2024-06-10"


def test_epoch_milliseconds_are_understood():
    assert normalize_record({"published": 1718000000000})["published"] == "2024-06-10"


def test_html_to_text_drops_scripts_and_keeps_paragraphs():
    text = html_to_text("<div><p>One <b>bold</b> word.</p><script>var x = 1;</script><p>Two.</p></div>")
    assert text == "One bold word.\nTwo."


def test_read_jsonl_keeps_its_signature_for_the_embedded_corpus(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"url": "https://a.example/1", "bow": {"x": 1}}\n\n{"url": "https://a.example/2"}\n')
    assert [o.line for _, o in read_jsonl(path)] == [1, 3]


# -- problems the readers report (the CLI tests check the same through `corpus add`) --------------
def test_every_bad_line_is_reported_and_good_lines_still_come(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"url": "https://a.example/1", "text": "ok"}\n{"url": \n[1, 2]\n'
                     b'{"url": "https://a.example/2", "text": "caf\xe9"}\n{"url": "https://a.example/3", "text": "ok"}\n')
    good = []
    with pytest.raises(InputErrors) as info:
        for rec, origin in read_paths([path]):
            good.append(origin.line)
    assert good == [1, 5]
    assert [(p.line, p.message.split(" (")[0]) for p in info.value.problems] == [
        (2, "malformed JSON"), (3, "expected a JSON object, got list"), (4, "not UTF-8")]


def test_problems_of_several_files_are_all_reported(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blob.csv").write_bytes(b"url,text\n\x00\x01\x02")
    (tmp_path / "nourl.txt").write_text("Some synthetic words.", encoding="utf-8")
    problems = problems_of(tmp_path)
    assert [(Path(p.file).name, p.line, p.field) for p in problems] == [
        ("blob.csv", 1, None), ("empty.jsonl", 1, None), ("nourl.txt", None, "url")]
    assert "binary" in problems[0].message and "empty" in problems[1].message
    assert "nourl.meta.json" in problems[2].fix


def test_huge_line_is_skipped_without_holding_it(tmp_path):
    path = tmp_path / "big.jsonl"
    with open(path, "wb") as fh:
        fh.write(b'{"url": "https://a.example/1", "text": "' + b"a " * 600 + b'"}\n')
        fh.write(b'{"url": "https://a.example/2", "text": "short"}\n')
    [problem] = problems_of(path, max_line_bytes=1000)
    assert problem.line == 1 and "over the limit of 1,000" in problem.message


def test_folder_without_article_files(tmp_path):
    (tmp_path / "notes.md").write_text("synthetic", encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    [problem] = problems_of(tmp_path)
    assert problem.file == str(tmp_path)
    assert "no article files" in problem.message and "notes.md" in problem.message and "--format" in problem.fix


def test_fifo_is_read_as_a_stream(tmp_path):
    fifo = tmp_path / "stream.jsonl"
    os.mkfifo(fifo)

    def write():  # opening for writing waits until the reader has opened the pipe
        with open(fifo, "wb") as fh:
            fh.write(b'{"url": "https://a.example/1", "text": "one"}\n{"url": "https://a.example/2", "text": "two"}\n')

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    assert [r["text"] for r, _ in read_paths([fifo])] == ["one", "two"]
    writer.join(timeout=10)
