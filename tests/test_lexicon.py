"""Lexicons as data: pattern matching, the three readers, errors, and counting with LexiconScorer.

Everything here is synthetic (tests/fixtures/lexicon/ and matrices built in the tests), except the
checks of the shipped lexicons in corpus/lexicons/.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mediaframes import config
from mediaframes.codebook import Codebook
from mediaframes.dfm import DocumentFeatureMatrix, dfm_from_store
from mediaframes.errors import InputError
from mediaframes.lexicon import Lexicon, LexiconScorer, normalize_pattern

FIXTURES = Path(__file__).parent / "fixtures" / "lexicon"

TERMS = ["anti_terrorist", "fighter", "freedom", "freedom_fighter", "freedom_fighters", "india_backed",
         "indian_backed", "rebel", "rebellion", "rebels", "terrorism", "terrorist", "terrorists"]


def match(*patterns):
    return Lexicon({"c": list(patterns)}).match(TERMS)["c"]


# -- matching ------------------------------------------------------------------------------------
def test_exact_pattern_matches_whole_terms_only():
    # "rebel" is not a substring search: rebels and rebellion are other terms
    assert match("rebel") == ["rebel"]
    assert match("terror") == []


def test_prefix_glob_matches_the_prefix_and_nothing_before_it():
    # terrorist* -> terrorist, terrorists; not terrorism (different after "terror"),
    # not anti_terrorist (the pattern is anchored at the start)
    assert match("terrorist*") == ["terrorist", "terrorists"]
    assert match("rebel*") == ["rebel", "rebellion", "rebels"]


def test_question_mark_matches_exactly_one_character():
    assert match("rebel?") == ["rebels"]


def test_star_crosses_underscores_as_in_quanteda():
    assert match("*_backed") == ["india_backed", "indian_backed"]
    assert match("india*") == ["india_backed", "indian_backed"]


@pytest.mark.parametrize("pattern", ["freedom fighter*", "freedom_fighter*", "Freedom  Fighter*",
                                     "freedom-fighter*"])
def test_multiword_entries_match_the_joined_tokens(pattern):
    # written with a space, an underscore or a hyphen: all match freedom_fighter(s), not the single words
    assert match(pattern) == ["freedom_fighter", "freedom_fighters"]


def test_multiword_entry_without_wildcard_matches_one_form():
    assert match("freedom fighters") == ["freedom_fighters"]


def test_regex_characters_are_literal_and_matching_ignores_case():
    assert Lexicon({"c": ["a.c"]}).match(["abc", "a.c"]) == {"c": ["a.c"]}
    assert Lexicon({"c": ["REBEL"]}).match(["rebel", "Rebel"]) == {"c": ["Rebel", "rebel"]}


def test_normalize_pattern_spells_patterns_like_the_tokenizer():
    assert normalize_pattern("Pro-Independence") == "pro_independence"
    assert normalize_pattern("  human   rights ") == "human_rights"
    assert normalize_pattern("don\u2019t") == "dont"


def test_match_returns_every_category_and_match_patterns_says_which_pattern_matched():
    lex = Lexicon({"names": ["rebel", "terrorist*"], "none": ["armed group"]})
    assert lex.match(TERMS) == {"names": ["rebel", "terrorist", "terrorists"], "none": []}
    assert lex.match_patterns(TERMS) == {"names": {"rebel": ["rebel"], "terrorist*": ["terrorist", "terrorists"]},
                                         "none": {"armed_group": []}}


def test_a_pattern_reaching_an_excluded_term_is_refused():
    with pytest.raises(ValueError, match="terror\\*.*terrorism"):
        Lexicon({"names": ["terror*"]}, excluded={"names": ["terrorism"]})
    # exact forms pass
    assert Lexicon({"names": ["terrorist"]}, excluded={"names": ["terrorism"]}).categories == ("names",)


def test_constructor_rejects_empty_categories_and_patterns():
    with pytest.raises(ValueError, match="no patterns"):
        Lexicon({"c": []})
    with pytest.raises(ValueError, match="empty pattern"):
        Lexicon({"c": ["ok", "  "]})


# -- readers -------------------------------------------------------------------------------------
def test_mediaframes_yaml_keeps_why_coded_notes_and_flattens_nesting():
    lex = Lexicon.from_yaml(FIXTURES / "example.yml")
    assert lex.name == "example"
    assert lex.coded_variable == "bla_terms"
    assert lex.categories == ("names", "frames.economy", "frames.rights")
    assert lex["names"] == ("rebel", "rebels", "freedom_fighter*")
    assert lex["frames.rights"] == ("human_rights", "crackdown")
    assert lex.why["frames.economy"] == "Words for natural wealth."
    assert lex.coded["names"] == ("rebels", "freedom_fighters")
    assert lex.coded["frames.economy"] == ()
    assert lex.excluded["names"] == ("rebellion",)
    assert lex.notes["names"] == "Exact forms, so that rebellion stays out."


def test_quanteda_yaml_is_read_by_from_yaml_and_from_quanteda():
    for lex in (Lexicon.from_yaml(FIXTURES / "quanteda.yml"), Lexicon.from_quanteda(FIXTURES / "quanteda.yml")):
        assert lex.categories == ("names", "frames.economy", "frames.rights")
        assert lex["names"] == ("rebel*", "freedom_fighter*")
        assert lex["frames.rights"] == ("human_rights", "crackdown")
        assert lex.why == {"names": "", "frames.economy": "", "frames.rights": ""}


def test_yaml_words_are_read_as_written_not_as_yaml_booleans_or_numbers(tmp_path):
    # YAML 1.1 would turn no/on into booleans and 1947 into a number; patterns stay the words written
    path = tmp_path / "words.yml"
    path.write_text("c: [no, on, 1947, null_value]\n", encoding="utf-8")
    assert Lexicon.from_yaml(path)["c"] == ("no", "on", "1947", "null_value")


def test_quanteda_export_reads_back_to_the_same_patterns(tmp_path):
    lex = Lexicon.from_yaml(FIXTURES / "example.yml")
    out = tmp_path / "dict.yml"
    out.write_text(lex.to_quanteda_yaml(), encoding="utf-8")
    back = Lexicon.from_quanteda(out)
    assert back.patterns == lex.patterns


def test_liwc_dic_categories_entries_and_conditional_codes():
    with pytest.warns(UserWarning, match="ignored 2 conditional"):
        lex = Lexicon.from_liwc(FIXTURES / "tiny.dic")
    # header order; "03" is category 3; the third header column is the category's description
    assert lex.categories == ("names", "places", "support")
    assert lex["names"] == ("rebel*", "freedom_fighter*", "rebels")
    assert lex["places"] == ("kalat",)
    # "freedom fighter*" is in categories 1 and 03; "like" keeps only its plain code 03
    assert lex["support"] == ("freedom_fighter*", "like")
    assert lex.why["names"] == "Names for the armed groups"
    with pytest.warns(UserWarning):
        assert Lexicon.read(FIXTURES / "tiny.dic").categories == lex.categories


def test_liwc_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.dic"
    path.write_bytes("\ufeff%\n1\tnames\n%\nrebel\t1\n".encode("utf-8"))
    assert Lexicon.from_liwc(path).patterns == {"names": ("rebel",)}


def test_read_finds_a_shipped_lexicon_by_name():
    assert Lexicon.read("framing").patterns == Lexicon.from_yaml(config.LEXICON_DIR / "framing.yml").patterns


# -- errors --------------------------------------------------------------------------------------
def write(tmp_path, text, name="bad.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problem_of(call, path):
    with pytest.raises(InputError) as info:
        call(path)
    p = info.value.problem
    assert p.file == str(path)
    assert p.fix  # every error says what to do
    return p


@pytest.mark.parametrize("text, line, field, message", [
    # 1 categories:  2 names:  3 patterns: [rebel]   -> no why
    ("categories:\n  names:\n    patterns: [rebel]\n", 2, "names", "no 'why'"),
    # a plain list where a mediaframes category needs a mapping
    ("categories:\n  names: [rebel, rebels]\n", 2, "names", "not a mapping"),
    # empty entry on line 5
    ("categories:\n  names:\n    why: Names.\n    patterns:\n      -\n      - rebel\n", 5, "names", "empty"),
    # unknown key "pattern" on line 4
    ("categories:\n  names:\n    why: Names.\n    pattern: [rebel]\n", 4, "names", "unknown key 'pattern'"),
    # the second "names" on line 5
    ("categories:\n  names:\n    why: a\n    patterns: [a]\n  names:\n    why: b\n    patterns: [b]\n",
     5, "names", "appears twice"),
    # a wildcard reaching an excluded term: reported at the category's line
    ("categories:\n  other: {why: x, patterns: [x]}\n  names:\n    why: Names.\n    patterns: [terror*]\n"
     "    excluded: [terrorism]\n", 3, "names", "excluded term 'terrorism'"),
    # empty why
    ("categories:\n  names:\n    why:\n    patterns: [rebel]\n", 3, "names", "why must be a non-empty text"),
    # unknown top-level key
    ("name: x\nwords: 3\ncategories:\n  names: {why: x, patterns: [x]}\n", 2, "words", "unknown top-level key"),
])
def test_malformed_mediaframes_lexicons_name_line_category_and_fix(tmp_path, text, line, field, message):
    p = problem_of(Lexicon.from_yaml, write(tmp_path, text))
    assert (p.line, p.field) == (line, field)
    assert message in p.message


@pytest.mark.parametrize("text, line, field, message", [
    ("names:\n  - rebel\neconomy:\n", 3, "economy", "non-empty list"),   # null value
    ("names: [rebel\n", 2, None, "not valid YAML"),                       # unclosed bracket
    ("- rebel\n- rebels\n", 1, None, "non-empty mapping"),                # a list, not categories
    ("frames:\n  economy: [gas]\nframes.economy: [oil]\n", 3, "frames.economy", "defined twice"),
    ("categories: {}\n", None, None, "no categories"),
])
def test_malformed_quanteda_dictionaries(tmp_path, text, line, field, message):
    p = problem_of(Lexicon.from_yaml, write(tmp_path, text))
    assert (p.line, p.field) == (line, field)
    assert message in p.message


@pytest.mark.parametrize("text, line, field, message", [
    ("1\tnames\n%\nrebel\t1\n", 1, None, "no LIWC header"),
    ("%\n1\tnames\nrebel\t1\n", 3, None, "header line"),         # header never closed: entry read as header
    ("%\n1\tnames\n%\nrebel\t1\nkalat\t2\n", 5, "kalat", "does not declare"),
    ("%\nnames\t1\n%\nrebel\t1\n", 2, None, "is not 'number<TAB>name'"),
    ("%\n1\tnames\n%\nrebel\n", 4, None, "is not 'word<TAB>number"),
    ("%\n1\tnames\n1\tplaces\n%\nrebel\t1\n", 3, "places", "number 1 is declared twice"),
    ("%\n1\tnames\n2\tnames\n%\nrebel\t1\n", 3, "names", "name 'names' is declared twice"),
    ("%\n1\tnames\n2\tplaces\n%\nrebel\t1\n", None, "places", "no entries"),
])
def test_malformed_liwc_dictionaries(tmp_path, text, line, field, message):
    p = problem_of(Lexicon.from_liwc, write(tmp_path, text, "bad.dic"))
    assert (p.line, p.field) == (line, field)
    assert message in p.message


def test_missing_file_is_an_input_error(tmp_path):
    p = problem_of(Lexicon.read, tmp_path / "nope.yml")
    assert "no such lexicon file" in p.message
    assert "framing" in p.fix


# -- counting ------------------------------------------------------------------------------------
def small_dfm():
    terms = ["gas", "militant", "militants", "rebellion", "rebels"]
    counts = np.array([[1, 2, 0, 0, 0],
                       [0, 0, 3, 1, 1],
                       [4, 0, 0, 0, 0]])
    docvars = pd.DataFrame({"doc_id": ["d1", "d2", "d3"]})
    return DocumentFeatureMatrix(counts, terms, docvars)


def test_scorer_resolves_patterns_at_fit_and_counts_each_category():
    lex = Lexicon({"names": ["militant*", "militants", "rebels"], "economy": ["gas"], "none": ["armed group"]})
    scorer = LexiconScorer(lex).fit(small_dfm())
    assert scorer.matches_ == {"names": ["militant", "militants", "rebels"], "economy": ["gas"], "none": []}
    assert scorer.unmatched_ == [("none", "armed_group")]
    assert list(scorer.get_feature_names_out()) == ["names", "economy", "none"]
    # names: d1 militant 2 = 2; d2 militants 3 (matched by two patterns, counted once) + rebels 1 = 4; d3 0
    # economy: gas 1, 0, 4
    np.testing.assert_array_equal(scorer.transform(small_dfm()), [[2, 1, 0], [4, 0, 0], [0, 4, 0]])


def test_scorer_transform_aligns_another_matrix_by_term_name():
    scorer = LexiconScorer(Lexicon({"names": ["militant*"], "economy": ["gas"]})).fit(small_dfm())
    other = DocumentFeatureMatrix(np.array([[5, 7, 1]]), ["militants", "gas", "militantly"],
                                  pd.DataFrame({"doc_id": ["x"]}))
    # militantly was not in the fitted vocabulary: not counted (as CountVectorizer)
    np.testing.assert_array_equal(scorer.transform(other), [[5, 7]])


def test_scorer_reads_a_path_and_needs_fit_first():
    scorer = LexiconScorer(FIXTURES / "quanteda.yml")
    with pytest.raises(ValueError, match="fit"):
        scorer.transform(small_dfm())
    assert scorer.fit_transform(small_dfm()).shape == (3, 3)
    with pytest.raises(TypeError, match="DocumentFeatureMatrix"):
        scorer.fit(np.zeros((2, 2)))


# -- the shipped lexicons ------------------------------------------------------------------------
REQUIRED = ("armed_group_names", "independence_self_determination", "sovereignty_integrity", "foreign_hand",
            "human_rights_repression", "resources_exploitation", "victims_humanitarian", "china_cpec")


def test_shipped_framing_lexicon_has_the_required_categories_each_with_a_why():
    lex = Lexicon.read("framing")
    assert set(REQUIRED) <= set(lex.categories)
    assert all(len(lex.why[c]) > 20 and "\n" not in lex.why[c] for c in lex.categories)
    # the names are exact forms: terrorism is not a name
    assert "terrorism" not in lex.match(["terrorism", "terrorist"])["armed_group_names"]


def test_shipped_naming_lexicon_codes_are_codebook_values_and_its_words_are_framing_names():
    naming = Lexicon.read("naming")
    bla_terms = Codebook.from_yaml().variables["bla_terms"]
    assert naming.coded_variable == "bla_terms"
    for name in naming.categories:
        assert naming.coded[name], name
        assert bla_terms.check(list(naming.coded[name])) is None, name
    # every word form of a name is counted by the framing lexicon's names category
    framing = Lexicon.read("framing")
    forms = sorted({p for c in naming.categories for p in naming[c]})
    assert framing.match(forms)["armed_group_names"] == forms


def test_every_shipped_framing_category_occurs_in_the_shipped_corpus(embedded_store):
    scorer = LexiconScorer("framing").fit(dfm_from_store(embedded_store))
    assert [c for c, terms in scorer.matches_.items() if not terms] == []
