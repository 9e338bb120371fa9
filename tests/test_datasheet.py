"""The datasheet (``corpus/README.md``): its tables are generated from the store, and say what the store holds.

The counts are read back from the committed README and compared with counts computed here directly from
the store's articles (not through :mod:`mediaframes.datasheet`). Synthetic documents and records below
are our own text.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter

import pytest
from click.testing import CliRunner

from mediaframes import config, datasheet
from mediaframes.cli import cli
from mediaframes.codebook import Codebook
from mediaframes.errors import InputError
from mediaframes.ingest import RecordValidator, add_records, Origin
from mediaframes.registry import Outlet, OutletRegistry, assign_groups, read_country_groups


@pytest.fixture(scope="module")
def committed() -> dict[str, str]:
    """Generated blocks of the committed datasheet."""
    return datasheet.blocks(config.DATASHEET_MD.read_text(encoding="utf-8"))


def _counts(block: str, key: str, column: str = "articles") -> dict[str, int]:
    table = datasheet.read_table(block)
    return {row[key]: int(row[column].replace(",", "")) for _, row in table.iterrows()}


def _stored(store):
    """The embedded articles with registered outlet names and groups, computed here from the store."""
    articles = store.articles(config.EMBEDDED_COLLECTION)
    names = store.outlets().set_index("domain")["outlet"]
    articles["outlet"] = articles["domain"].map(names)
    return assign_groups(articles, read_country_groups())


# -- the committed tables equal the store ----------------------------------------------------------
def test_group_counts_in_the_datasheet_equal_the_store(committed, embedded_store):
    printed = _counts(committed["groups"], "group")
    assert printed == dict(Counter(_stored(embedded_store)["group"]))
    # and the source data set's README: IN 144, PK 142, INTL 149, BAL 29 (sum 464)
    assert printed == {"BAL": 29, "IN": 144, "INTL": 149, "PK": 142}


def test_fine_group_counts_in_the_datasheet_equal_the_store(committed, embedded_store):
    printed = _counts(committed["groups_fine"], "group_fine")
    assert printed == dict(Counter(_stored(embedded_store)["group_fine"]))
    # INTL 149 split as in the source README: 90 + 33 + 22 + 4 = 149
    assert {k: printed[k] for k in ("WEST", "MIDEAST", "REGIONAL", "OTHER")} == {
        "WEST": 90, "MIDEAST": 33, "REGIONAL": 22, "OTHER": 4}


def test_every_outlet_and_its_count_in_the_datasheet_equal_the_store(committed, embedded_store):
    printed = _counts(committed["outlets"], "outlet")
    stored = _stored(embedded_store)
    assert printed == dict(Counter(stored["outlet"]))
    assert sum(printed.values()) == len(stored) == 464
    # the domains column lists each outlet's registered domains that have articles
    table = datasheet.read_table(committed["outlets"])
    domains = {row["outlet"]: set(row["domains"].split(", ")) for _, row in table.iterrows()}
    expected = stored.groupby("outlet")["domain"].agg(set).to_dict()
    assert domains == expected


def test_country_event_and_month_counts_in_the_datasheet_equal_the_store(committed, embedded_store):
    stored = _stored(embedded_store)
    assert _counts(committed["countries"], "country") == dict(Counter(stored["country"]))
    assert _counts(committed["months"], "month") == dict(Counter(stored["month"].fillna("unknown")))
    codes = embedded_store.codes()
    ids = set(stored["article_id"])
    events = Counter(e for aid, evs in zip(codes["article_id"], codes["events"]) if aid in ids for e in evs)
    printed = {k: v for k, v in _counts(committed["events"], "event").items() if v}
    assert printed == dict(events)


def test_summary_states_the_totals_of_the_store(committed, embedded_store):
    stored = _stored(embedded_store)
    summary = committed["summary"]
    assert f"**{len(stored)} articles**" in summary
    assert f"**{stored['outlet'].nunique()} outlets**" in summary
    assert f"{stored['domain'].nunique()} registered domains" in summary
    assert f"{stored['published'].notna().sum()} articles with a full date" in summary


def test_check_passes_on_the_committed_datasheet(embedded_store):
    result = CliRunner().invoke(cli, ["corpus", "datasheet", "--check", "--quiet", "--store", embedded_store.path])
    assert result.exit_code == 0, result.output
    assert "match the store" in result.output


def test_generation_is_deterministic_and_reproduces_the_committed_file(embedded_store):
    first = datasheet.generate(embedded_store)
    second = datasheet.generate(embedded_store)
    assert first.readme == second.readme
    assert first.readme == config.DATASHEET_MD.read_text(encoding="utf-8")
    assert first.codebook == config.CODEBOOK_MD.read_text(encoding="utf-8")


# -- a stale datasheet is caught and rewritten ---------------------------------------------------
@pytest.fixture
def stale_copy(tmp_path, committed):
    """A copy of the datasheet whose outlet table is off by one, and of the codebook."""
    text = config.DATASHEET_MD.read_text(encoding="utf-8")
    row = next(line for line in committed["outlets"].splitlines() if line.startswith("| The Balochistan Post |"))
    stale = text.replace(row, row.replace("| 22 |", "| 23 |", 1))
    assert stale != text
    readme, codebook = tmp_path / "README.md", tmp_path / "codebook.md"
    readme.write_text(stale, encoding="utf-8")
    shutil.copy(config.CODEBOOK_MD, codebook)
    return readme, codebook


def test_check_reports_a_stale_block_and_writes_nothing(embedded_store, stale_copy):
    readme, codebook = stale_copy
    before = readme.read_text(encoding="utf-8")
    differing, _ = datasheet.write(embedded_store, check=True, readme=readme, codebook_md=codebook)
    assert differing == [(readme, ["outlets"])]
    assert readme.read_text(encoding="utf-8") == before


def test_cli_check_exits_1_on_a_stale_datasheet(embedded_store, stale_copy, monkeypatch):
    readme, codebook = stale_copy
    monkeypatch.setattr(config, "DATASHEET_MD", readme)
    monkeypatch.setattr(config, "CODEBOOK_MD", codebook)
    result = CliRunner().invoke(cli, ["corpus", "datasheet", "--check", "--quiet", "--store", embedded_store.path])
    assert result.exit_code == 1
    assert "outlets" in result.output


def test_regenerating_fixes_the_block_and_keeps_the_prose(embedded_store, stale_copy):
    readme, codebook = stale_copy
    differing, _ = datasheet.write(embedded_store, readme=readme, codebook_md=codebook)
    assert differing == [(readme, ["outlets"])]
    assert readme.read_text(encoding="utf-8") == config.DATASHEET_MD.read_text(encoding="utf-8")
    assert datasheet.write(embedded_store, check=True, readme=readme, codebook_md=codebook)[0] == []


# -- markers ------------------------------------------------------------------------------------
SYNTHETIC = """# A synthetic datasheet

Hand-written prose that must survive.

<!-- BEGIN generated:groups -->
old table
<!-- END generated:groups -->

More prose, also kept.

<!-- BEGIN generated:outlets -->
<!-- END generated:outlets -->
"""


def test_fill_replaces_only_the_blocks():
    out = datasheet.fill(SYNTHETIC, {"groups": "| a |\n|---|\n| 1 |", "outlets": "nothing"})
    assert out == SYNTHETIC.replace("old table", "| a |\n|---|\n| 1 |").replace(
        "<!-- BEGIN generated:outlets -->\n", "<!-- BEGIN generated:outlets -->\nnothing\n")
    assert datasheet.blocks(out) == {"groups": "| a |\n|---|\n| 1 |", "outlets": "nothing"}
    assert datasheet.fill(out, datasheet.blocks(out)) == out  # idempotent


def test_a_missing_marker_is_an_error_that_says_where_to_put_it():
    with pytest.raises(InputError, match="no marker lines for generated block.*events"):
        datasheet.fill(SYNTHETIC, {"events": "x"})


@pytest.mark.parametrize("document, message, line", [
    ("<!-- BEGIN generated:groups -->\ntext\n", "never closed", None),
    ("text\n<!-- END generated:groups -->\n", "without its BEGIN", 2),
    ("<!-- BEGIN generated:a -->\n<!-- BEGIN generated:b -->\n", "begins inside block", 2),
])
def test_broken_markers_are_reported(document, message, line):
    with pytest.raises(InputError, match=message) as caught:
        datasheet.blocks(document)
    assert caught.value.problem.line == line


def test_read_table_reads_the_first_table_and_unescapes_pipes():
    block = ("caption\n\n| outlet | articles |\n|---|---:|\n| A \\| B | 1,234 |\n\nsecond table:\n\n"
             "| x |\n|---|\n| y |\n")
    table = datasheet.read_table(block)
    assert table.to_dict("records") == [{"outlet": "A | B", "articles": "1,234"}]
    assert datasheet.read_table(block, 1).to_dict("records") == [{"x": "y"}]
    with pytest.raises(ValueError, match="holds 0 Markdown table"):
        datasheet.read_table("prose only")
    with pytest.raises(ValueError, match="holds 2 Markdown table"):
        datasheet.read_table(block, 2)


# -- a small synthetic store: tables computed by hand --------------------------------------------
@pytest.fixture
def synthetic_store(store):
    registry = OutletRegistry([Outlet("alpha.example", "Alpha Daily", "PK", "private"),
                               Outlet("beta.example", "Beta Times", "IN", "state")], source="synthetic")
    validator = RecordValidator(registry, Codebook.from_yaml(), set(read_country_groups()["country"]),
                                require_registered=True)
    records = [
        {"url": "https://alpha.example/1", "bow": {"word": 1}, "n_words": 100, "published": "2025-03-02",
         "primary_frame": "security_terrorism", "events": ["jaffar_express_2025"], "bla_terms": ["terrorists"]},
        {"url": "https://alpha.example/2", "bow": {"other": 2}, "n_words": 200, "wire": "AFP", "country": "FR",
         "primary_frame": "political_process", "events": ["jaffar_express_2025", "other"],
         "bla_terms": ["militant"]},
        {"url": "https://beta.example/1", "bow": {"third": 1}, "n_words": 50, "month": "2025-05",
         "primary_frame": "security_terrorism", "events": ["other"], "bla_terms": []},
    ]
    add_records(store, [(r, Origin("synthetic.jsonl", i)) for i, r in enumerate(records, 1)],
                collection="synthetic", validator=validator, method="jsonl")
    return store


def test_tables_of_a_synthetic_store(synthetic_store, tmp_path):
    sections = datasheet.render_sections(synthetic_store, "synthetic", second_coding=tmp_path / "absent.jsonl")
    groups = datasheet.read_table(sections["groups"]).to_dict("records")
    # 3 articles: INTL 1 (the AFP copy, FR), IN 1, PK 1; words 200, 50, 100
    assert groups == [
        {"group": "IN", "articles": "1", "share": "33.3%", "outlets": "1", "words": "50"},
        {"group": "INTL", "articles": "1", "share": "33.3%", "outlets": "1", "words": "200"},
        {"group": "PK", "articles": "1", "share": "33.3%", "outlets": "1", "words": "100"},
    ]
    outlets = datasheet.read_table(sections["outlets"]).to_dict("records")
    assert outlets == [
        {"outlet": "Alpha Daily", "domains": "alpha.example", "ownership": "private", "groups": "INTL 1, PK 1",
         "articles": "2", "words": "300"},
        {"outlet": "Beta Times", "domains": "beta.example", "ownership": "state", "groups": "IN 1",
         "articles": "1", "words": "50"},
    ]
    assert _counts(sections["months"], "month") == {"2025-03": 1, "2025-05": 1, "unknown": 1}
    events = _counts(sections["events"], "event")
    assert (events["jaffar_express_2025"], events["other"], events["herof_2024"]) == (2, 2, 0)
    frames = datasheet.read_table(sections["codes"])
    frames = frames[frames["variable"] == "primary_frame"].set_index("value")["articles"].to_dict()
    assert (frames["security_terrorism"], frames["political_process"], frames["self_determination"]) == ("2", "1", "0")
    summary = sections["summary"]
    # full date: 1; month only: 1; neither: 1; one wire copy; sources: AFP, Alpha Daily, Beta Times = 3
    assert "1 articles with a full date, 1 with a month only, 1 with neither" in summary
    assert "1 articles credit an originating wire" in summary and "3 distinct sources" in summary
    assert sections["reliability"] is None


def test_an_empty_collection_is_refused(store):
    with pytest.raises(ValueError, match="holds no articles"):
        datasheet.render_sections(store, "nothing-here")


# -- reliability: computed when readable, kept otherwise --------------------------------------------
def _with_reliability_block(tmp_path, content: str):
    """A copy of the committed datasheet whose reliability block holds ``content``."""
    text = config.DATASHEET_MD.read_text(encoding="utf-8")
    old = datasheet.blocks(text)["reliability"]
    readme = tmp_path / "README.md"
    readme.write_text(text.replace(old, content), encoding="utf-8")
    return readme


def test_reliability_block_is_kept_when_the_second_coding_is_absent(synthetic_store, tmp_path):
    readme = _with_reliability_block(tmp_path, "Figures generated earlier (synthetic placeholder).")
    sheet = datasheet.generate(synthetic_store, readme, collection="synthetic",
                               second_coding=tmp_path / "absent.jsonl")
    assert sheet.sections["reliability"] == "Figures generated earlier (synthetic placeholder)."
    assert datasheet.blocks(sheet.readme)["reliability"] == "Figures generated earlier (synthetic placeholder)."
    assert len(sheet.kept) == 1 and sheet.kept[0].startswith("reliability: kept")


def test_reliability_placeholder_when_nothing_was_generated_before(synthetic_store, tmp_path):
    readme = _with_reliability_block(tmp_path, "")
    sheet = datasheet.generate(synthetic_store, readme, collection="synthetic",
                               second_coding=tmp_path / "absent.jsonl")
    assert sheet.sections["reliability"].startswith("Not computed yet")
    assert "absent.jsonl" in sheet.sections["reliability"]


def test_reliability_is_computed_from_a_readable_second_coding(synthetic_store, tmp_path):
    pytest.importorskip("mediaframes.reliability")
    # synthetic second coding of alpha/1 and alpha/2 (beta/1 is not in it):
    #   primary_frame: agrees on alpha/1, not on alpha/2 (first: political_process) -> 1/2 = 0.500
    #   bla_terms: alpha/1 first {terrorists}, second {terrorist}; alpha/2 both {militant}
    #     same set on 1 of 2 -> 0.500; Jaccard (0 + 1) / 2 = 0.500
    #     value "terrorist": absent/present, absent/absent -> 0.500; "militant": present twice -> 1.000
    #     pooled "terrorist(s)": present/present, absent/absent -> 1.000
    path = tmp_path / "second.jsonl"
    path.write_text(json.dumps({"url": "https://alpha.example/1", "primary_frame": "security_terrorism",
                                "bla_terms": ["terrorist"]}) + "\n"
                    + json.dumps({"url": "https://alpha.example/2", "primary_frame": "economic_resources",
                                  "bla_terms": ["militant"]}) + "\n", encoding="utf-8")
    readme = _with_reliability_block(tmp_path, "Figures generated earlier (synthetic placeholder).")
    sheet = datasheet.generate(synthetic_store, readme, collection="synthetic", second_coding=path)
    block = sheet.sections["reliability"]
    assert sheet.kept == []
    assert hashlib.sha256(path.read_bytes()).hexdigest()[:16] in block
    assert "2 records, 2 matched by URL" in block
    overall = datasheet.read_table(block, 0).set_index("variable")
    # (kappa and alpha are mediaframes.reliability's to test; here: they are carried into the table)
    # primary_frame: p_o = 0.5, p_e = 0.5 * 0.5 = 0.25 -> kappa = 0.25 / 0.75 = 0.333;
    # alpha = 1 - (n - 1) * 2 / sum_{c != k} n_c n_k = 1 - 3 * 2 / 10 = 0.400 (n = 4 values: 2, 1, 1)
    assert overall.to_dict("index") == {
        "primary_frame": {"n_units": "2", "agreement": "0.500", "kappa": "0.333", "alpha": "0.400",
                          "jaccard": "n/a"},
        "bla_terms": {"n_units": "2", "agreement": "0.500", "kappa": "n/a", "alpha": "n/a", "jaccard": "0.500"},
    }
    values = datasheet.read_table(block, 1).set_index("value")["agreement"].to_dict()
    assert values == {"militant": "1.000", "terrorist": "0.500", "terrorists": "0.500"}
    pooled = datasheet.read_table(block, 2).set_index("value")["agreement"].to_dict()
    assert pooled == {"militant(s)": "1.000", "terrorist(s)": "1.000"}


def test_pooled_names_join_singular_and_plural_values_of_the_codebook():
    mapping = datasheet.pooled_names(Codebook.from_yaml())
    assert set(mapping.values()) == {"terrorist(s)", "militant(s)", "separatist(s)", "insurgent(s)", "rebel(s)"}
    assert mapping["terrorists"] == mapping["terrorist"] == "terrorist(s)"
    assert "fighters" not in mapping and "gunmen" not in mapping  # no singular value in the codebook


def test_a_second_coding_without_urls_is_an_input_error(synthetic_store, tmp_path):
    pytest.importorskip("mediaframes.reliability")
    path = tmp_path / "second.jsonl"
    path.write_text(json.dumps({"id": "x1", "primary_frame": "security_terrorism"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'url' field"):
        datasheet.render_sections(synthetic_store, "synthetic", second_coding=path)
