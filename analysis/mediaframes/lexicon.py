"""Lexicons as data: categories of glob patterns (quanteda's ``dictionary``), counted in a dfm.

A lexicon maps each category to a list of patterns. It lives in a YAML file under
``corpus/lexicons/`` so that changing a word is a reviewed change to data, not to code. Three
formats are read:

* **mediaframes lexicon** (``Lexicon.from_yaml``): a top-level ``categories`` mapping; each category
  is a mapping with a one-line ``why`` (why its words belong), ``patterns`` (list), and optionally
  ``categories`` (nested sub-categories), ``coded`` (values of a coded variable that mean the same,
  used by :mod:`mediaframes.naming`), ``excluded`` (terms deliberately left out: loading fails if a
  pattern of the category matches one) and ``notes`` (longer prose)::

      name: example
      description: What the lexicon measures.
      categories:
        names:
          why: Words that name the armed groups or their members.
          patterns: [terrorist, terrorists, freedom fighter*]
          excluded: [terrorism]

* **quanteda YAML dictionary** (``Lexicon.from_quanteda``; ``from_yaml`` reads one too when the file
  has no top-level ``categories`` mapping): category -> list of patterns, nested categories allowed.
  ``Lexicon.to_quanteda_yaml`` writes any lexicon in this format, which ``quanteda::dictionary(file=)``
  reads (the ``why`` lines are left out: quanteda has no place for them).
* **LIWC** ``.dic`` (``Lexicon.from_liwc``): a ``%``-delimited header of ``number<TAB>name`` lines,
  then one ``word<TAB>number number ...`` line per entry.

Nested categories are flattened to ``parent.child`` names, as quanteda does.

Matching rules (those of quanteda's ``valuetype = "glob"``, case-insensitive):

* a pattern matches a whole term, never a part of one: ``rebel`` matches ``rebel`` but not
  ``rebellion``;
* ``*`` matches any run of characters (underscores included, so ``india*`` matches ``india_backed``)
  and ``?`` exactly one character; every other character is literal;
* patterns are normalised the way the tokenizer normalises text: lowercase, apostrophes dropped, and
  spaces and hyphens written as ``_``. A multiword entry (``"freedom fighter*"`` or
  ``freedom_fighter*``) therefore matches the corpus's joined tokens (``freedom_fighter``,
  ``freedom_fighters``). It can only match where such joined tokens exist: the tokenizer's
  multiword expressions (:data:`mediaframes.tokenize.MULTIWORD_EXPRESSIONS`), hyphenated compounds
  (``india-backed`` -> ``india_backed``), or n-gram features joined with ``_``. ``"armed group"`` is
  not a token of the bag-of-words corpus, so it matches nothing there;
  :attr:`LexiconScorer.unmatched_` lists such patterns.

A term matching several patterns of one category counts once in that category; a term may belong to
several categories (as in LIWC), because categories are measured one at a time, never summed.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from . import config
from .bootstrap import B_DEFAULT, LEVEL, cluster_weights, group_seed, percentile_interval
from .dfm import DocumentFeatureMatrix
from .errors import InputError, Problem

#: Columns of :func:`lexicon_rates`.
RATE_COLUMNS = ("group", "category", "count", "n_words", "rate", "rate_ci_low", "rate_ci_high",
                "n_using", "share", "share_ci_low", "share_ci_high", "n_articles", "n_outlets", "n_sources")
#: Columns of :func:`group_differences`.
DIFFERENCE_COLUMNS = ("group_a", "group_b", "category", "measure", "estimate_a", "estimate_b", "diff",
                      "ci_low", "ci_high")
#: Keys a category may have in a mediaframes lexicon.
CATEGORY_KEYS = ("why", "patterns", "categories", "coded", "excluded", "notes")
#: Top-level keys of a mediaframes lexicon.
TOP_KEYS = ("name", "description", "version", "references", "coded_variable", "categories")

_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc`\u2032]")
_JOINERS = re.compile(r"[\s\-\u2010\u2011]+")
_NULL_TAG = "tag:yaml.org,2002:null"


# -- patterns ------------------------------------------------------------------------------------
def normalize_pattern(pattern: str) -> str:
    """A pattern as the tokenizer would spell it: ``"Freedom Fighter*"`` -> ``"freedom_fighter*"``.

    Lowercase (after Unicode NFKC), apostrophes dropped, runs of spaces and hyphens written ``_``,
    leading and trailing ``_`` removed.
    """
    text = unicodedata.normalize("NFKC", str(pattern)).lower().strip()
    text = _APOSTROPHES.sub("", text)
    return _JOINERS.sub("_", text).strip("_")


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern:
    """Regular expression of a normalised glob pattern (``*`` any run, ``?`` one character)."""
    parts = ["." if ch == "?" else ".*" if ch == "*" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def is_glob(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def match_pattern(pattern: str, terms: Iterable[str]) -> list[str]:
    """The terms (in the given order) that a normalised pattern matches as a whole."""
    if not is_glob(pattern):
        return [t for t in terms if t.lower() == pattern]
    rx = _compile(pattern)
    return [t for t in terms if rx.fullmatch(t)]


def _excluded_clash(patterns: Mapping[str, Sequence[str]], excluded: Mapping[str, Sequence[str]]):
    """The first (category, pattern, term) where a pattern matches an excluded term, or None."""
    for category, terms in excluded.items():
        for pattern in patterns.get(category, ()):
            hit = match_pattern(normalize_pattern(pattern), [normalize_pattern(t) for t in terms])
            if hit:
                return category, pattern, hit[0]
    return None


def _clash_message(category: str, pattern: str, term: str) -> str:
    return f"category {category!r}: pattern {pattern!r} matches the excluded term {term!r}"


# -- the lexicon ---------------------------------------------------------------------------------
class Lexicon:
    """Categories of glob patterns, each with a line saying why its words belong.

    Parameters
    ----------
    patterns : mapping of str to sequence of str
        Category -> patterns, in the order categories are reported. Patterns are normalised with
        :func:`normalize_pattern`; duplicates are dropped.
    why : mapping of str to str, optional
        Category -> one line saying why its words belong (empty for imported dictionaries).
    coded : mapping of str to sequence of str, optional
        Category -> values of ``coded_variable`` that mean the same as the category's words.
    excluded : mapping of str to sequence of str, optional
        Category -> terms deliberately left out; a pattern matching one is an error.
    name, description : str
    coded_variable : str, optional
        The coded docvar that ``coded`` values refer to (for example ``bla_terms``).
    source : str, optional
        File the lexicon was read from (for messages).

    Raises
    ------
    ValueError
        For an empty category name, an empty pattern, a category without patterns, or a pattern
        that matches one of the category's ``excluded`` terms.
    """

    def __init__(self, patterns: Mapping[str, Sequence[str]], why: Mapping[str, str] | None = None,
                 coded: Mapping[str, Sequence[str]] | None = None,
                 excluded: Mapping[str, Sequence[str]] | None = None, name: str = "",
                 description: str = "", coded_variable: str | None = None, source: str | None = None,
                 notes: Mapping[str, str] | None = None):
        self.patterns: dict[str, tuple[str, ...]] = {}
        for category, pats in patterns.items():
            if not isinstance(category, str) or not category.strip():
                raise ValueError(f"category name {category!r} is empty; try giving every category a name")
            if isinstance(pats, str):
                pats = [pats]
            normalised = []
            for p in pats:
                n = normalize_pattern(p) if p is not None else ""
                if not n:
                    raise ValueError(f"category {category!r} has an empty pattern; try removing it")
                if n not in normalised:
                    normalised.append(n)
            if not normalised:
                raise ValueError(f"category {category!r} has no patterns; try adding at least one")
            self.patterns[category] = tuple(normalised)
        self.why = {c: " ".join(str((why or {}).get(c, "") or "").split()) for c in self.patterns}
        self.coded = {c: tuple(str(v) for v in (coded or {}).get(c, ()) or ()) for c in self.patterns}
        self.excluded = {c: tuple(normalize_pattern(v) for v in (excluded or {}).get(c, ()) or ())
                         for c in self.patterns}
        self.notes = {c: " ".join(str((notes or {}).get(c, "") or "").split()) for c in self.patterns}
        self.name = name
        self.description = " ".join(str(description or "").split())
        self.coded_variable = coded_variable
        self.source = source
        clash = _excluded_clash(self.patterns, self.excluded)
        if clash:
            raise ValueError(_clash_message(*clash) + "; try listing the wanted forms without a wildcard")

    # -- reading ---------------------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, path: str | Path) -> "Lexicon":
        """Read a mediaframes lexicon, or a plain quanteda YAML dictionary (see the module notes).

        A file whose top level holds a ``categories`` mapping is a mediaframes lexicon; any other
        mapping is read as a quanteda dictionary (:meth:`from_quanteda`).

        Raises
        ------
        InputError
            Naming the file, line, category and a fix, for unreadable or malformed files.
        """
        path = Path(path)
        root = _compose(path)
        keys = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
        if isinstance(keys.get("categories"), yaml.MappingNode):
            return _read_mediaframes(path, root)
        return _read_quanteda(path, root)

    @classmethod
    def from_quanteda(cls, path: str | Path) -> "Lexicon":
        """Read a quanteda YAML dictionary: category -> list of patterns, nesting flattened with ``.``."""
        path = Path(path)
        return _read_quanteda(path, _compose(path))

    @classmethod
    def from_liwc(cls, path: str | Path, encoding: str = "utf-8-sig") -> "Lexicon":
        """Read a LIWC ``.dic`` dictionary.

        The header, between two lines holding only ``%``, gives ``number<TAB>name`` (text after the
        name becomes the category's ``why``); every later line is ``word<TAB>number number ...``
        (a word may contain spaces; it is normalised like any pattern). LIWC 2007's conditional codes
        (``02/134`` or ``(02 02/464)00/253``) are ignored with a warning, as they depend on the
        neighbouring word, which a bag of words does not keep. Categories come in header order.

        Raises
        ------
        InputError
            For a missing header, a malformed line, or an entry using an undeclared number.
        """
        path = Path(path)
        text = _read_text(path, encoding)
        lines = text.splitlines()
        fix_format = ("a LIWC dictionary starts with a line holding only %, then one "
                      "'number<TAB>name' line per category, then %, then 'word<TAB>number ...' lines")
        body = [(i + 1, line.strip()) for i, line in enumerate(lines) if line.strip()]
        if not body or body[0][1] != "%":
            raise InputError(Problem(str(path), "no LIWC header (the first line is not %)", fix_format,
                                     body[0][0] if body else 1))
        names: dict[str, str] = {}
        why: dict[str, str] = {}
        pos = 1
        while pos < len(body) and body[pos][1] != "%":
            lineno, line = body[pos]
            parts = line.split(None, 1)
            if len(parts) < 2 or not parts[0].isdigit():
                raise InputError(Problem(str(path), f"header line {line!r} is not 'number<TAB>name'",
                                         fix_format, lineno))
            number, rest = str(int(parts[0])), parts[1].split(None, 1)
            if number in names:
                raise InputError(Problem(str(path), f"category number {parts[0]} is declared twice",
                                         "give every category its own number", lineno, rest[0]))
            if rest[0] in names.values():
                raise InputError(Problem(str(path), f"category name {rest[0]!r} is declared twice",
                                         "give every category its own name", lineno, rest[0]))
            names[number] = rest[0]
            why[rest[0]] = rest[1].strip().strip("()") if len(rest) > 1 else ""
            pos += 1
        if pos >= len(body):
            raise InputError(Problem(str(path), "the header is not closed by a line holding only %",
                                     fix_format, body[-1][0]))
        if not names:
            raise InputError(Problem(str(path), "the header declares no category", fix_format, body[pos][0]))
        patterns: dict[str, list[str]] = {names[n]: [] for n in names}
        conditional = 0
        for lineno, line in body[pos + 1:]:
            tokens = line.split()
            codes = []
            while tokens and (tokens[-1].isdigit() or "/" in tokens[-1] or "(" in tokens[-1] or ")" in tokens[-1]):
                codes.append(tokens.pop())
            word = " ".join(tokens)
            if not word or not codes:
                raise InputError(Problem(str(path), f"entry {line!r} is not 'word<TAB>number ...'",
                                         "write the word, a tab, then its category numbers", lineno))
            plain = [c for c in reversed(codes) if c.isdigit()]
            conditional += len(codes) - len(plain)
            for c in plain:
                number = str(int(c))
                if number not in names:
                    raise InputError(Problem(str(path), f"entry {word!r} uses category number {c}, "
                                             "which the header does not declare",
                                             f"declare {c} in the header or use one of {', '.join(names)}",
                                             lineno, word))
                patterns[names[number]].append(word)
        if conditional:
            warnings.warn(f"{path}: ignored {conditional} conditional LIWC code(s) (they depend on the "
                          "neighbouring word, which a bag of words does not keep)", stacklevel=2)
        empty = [c for c, p in patterns.items() if not p]
        if empty:
            raise InputError(Problem(str(path), f"category {empty[0]!r} has no entries",
                                     "remove it from the header or add words to it", None, empty[0]))
        return cls(patterns, why=why, name=path.stem, source=str(path))

    @classmethod
    def read(cls, path: str | Path) -> "Lexicon":
        """Read any supported file by its suffix (``.dic`` LIWC, ``.yml``/``.yaml`` YAML).

        A bare name without suffix (``"framing"``) reads the shipped ``corpus/lexicons/<name>.yml``.
        """
        p = Path(path)
        if not p.suffix and not p.exists() and (config.LEXICON_DIR / f"{p.name}.yml").exists():
            p = config.LEXICON_DIR / f"{p.name}.yml"
        if p.suffix.lower() == ".dic":
            return cls.from_liwc(p)
        return cls.from_yaml(p)

    # -- use -------------------------------------------------------------------------------------
    @property
    def categories(self) -> tuple[str, ...]:
        """Category names, in file order."""
        return tuple(self.patterns)

    def __len__(self) -> int:
        return len(self.patterns)

    def __iter__(self):
        return iter(self.patterns)

    def __getitem__(self, category: str) -> tuple[str, ...]:
        return self.patterns[category]

    def __repr__(self) -> str:
        n = sum(len(p) for p in self.patterns.values())
        label = f" {self.name!r}" if self.name else ""
        return f"Lexicon{label}({len(self)} categories, {n} patterns)"

    def match_patterns(self, terms: Iterable[str]) -> dict[str, dict[str, list[str]]]:
        """Category -> pattern -> the terms it matches (sorted): which pattern pulled in which term."""
        vocab = sorted(set(map(str, terms)))
        lowered = {}
        for t in vocab:
            lowered.setdefault(t.lower(), []).append(t)
        out: dict[str, dict[str, list[str]]] = {}
        for category, pats in self.patterns.items():
            out[category] = {p: (sorted(lowered.get(p, [])) if not is_glob(p) else match_pattern(p, vocab))
                             for p in pats}
        return out

    def match(self, terms: Iterable[str]) -> dict[str, list[str]]:
        """Category -> the given terms (sorted, unique) matched by any of its patterns."""
        return {c: sorted(set(itertools.chain.from_iterable(by_pattern.values())))
                for c, by_pattern in self.match_patterns(terms).items()}

    def to_quanteda_yaml(self) -> str:
        """The lexicon as a quanteda YAML dictionary (category -> patterns), for ``quanteda::dictionary``.

        Multiword patterns keep their ``_``, which matches quanteda's compounded tokens; nested
        categories are written with their flattened ``parent.child`` names.
        """
        return yaml.safe_dump({c: list(p) for c, p in self.patterns.items()}, sort_keys=False,
                              allow_unicode=True, default_flow_style=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per category: ``category, why, patterns`` (patterns joined by ``", "``)."""
        return pd.DataFrame([(c, self.why[c], ", ".join(p)) for c, p in self.patterns.items()],
                            columns=["category", "why", "patterns"])


# -- YAML reading with line numbers --------------------------------------------------------------
def _read_text(path: Path, encoding: str = "utf-8") -> str:
    if not path.exists():
        shipped = ", ".join(sorted(p.stem for p in config.LEXICON_DIR.glob("*.yml")))
        raise InputError(Problem(str(path), "no such lexicon file",
                                 f"check the path (shipped lexicons: {shipped or 'none'})"))
    try:
        return path.read_text(encoding=encoding)
    except UnicodeDecodeError as e:
        raise InputError(Problem(str(path), f"not {encoding} text ({e.reason})",
                                 f"save the file as {encoding}")) from None


def _compose(path: Path) -> yaml.MappingNode:
    """The file's YAML node tree (nodes keep their line numbers), checked to be a mapping."""
    text = _read_text(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise InputError(Problem(str(path), f"not valid YAML: {e.problem or e.context}",
                                 "check the indentation and the quoting near this line",
                                 mark.line + 1 if mark else None)) from None
    except yaml.YAMLError as e:
        raise InputError(Problem(str(path), f"not valid YAML: {e}", "check the file's syntax")) from None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        raise InputError(Problem(str(path), "a lexicon must be a non-empty mapping of categories",
                                 "write 'category: [pattern, ...]' lines (quanteda) or a 'categories:' "
                                 "mapping (mediaframes lexicon)", _line(root) if root is not None else 1))
    return root


def _line(node) -> int:
    return node.start_mark.line + 1


def _pairs(path: Path, node: yaml.MappingNode, where: str | None) -> list[tuple[str, yaml.Node, int]]:
    """(key, value node, line) of a mapping, rejecting duplicate and empty keys."""
    seen: dict[str, int] = {}
    out = []
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or not key.value.strip():
            raise InputError(Problem(str(path), "a key is empty or not a plain name",
                                     "give every key a name", _line(key), where))
        name = key.value.strip()
        if name in seen:
            raise InputError(Problem(str(path), f"{name!r} appears twice (first on line {seen[name]})",
                                     "merge the two entries into one", _line(key), where or name))
        seen[name] = _line(key)
        out.append((name, value, _line(key)))
    return out


def _scalar(path: Path, node, what: str, category: str | None) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL_TAG or not node.value.strip():
        raise InputError(Problem(str(path), f"{what} must be a non-empty text",
                                 f"write the {what} as text (quote it if it starts with a symbol)",
                                 _line(node), category))
    return node.value


def _strings(path: Path, node, what: str, category: str) -> list[str]:
    """A list of non-empty strings (a single scalar is a list of one)."""
    if isinstance(node, yaml.ScalarNode) and node.tag != _NULL_TAG and node.value.strip():
        return [node.value]
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise InputError(Problem(str(path), f"{what} of category {category!r} must be a non-empty list",
                                 f"write {what} as a list: [word, prefix*, two words]",
                                 _line(node), category))
    out = []
    for item in node.value:
        if (not isinstance(item, yaml.ScalarNode) or item.tag == _NULL_TAG or not item.value.strip()
                or not normalize_pattern(item.value)):
            raise InputError(Problem(str(path), f"an entry of {what} of category {category!r} is empty "
                                     "or not a word", "write one word or glob per entry; remove empty '-' "
                                     "lines", _line(item), category))
        out.append(item.value)
    return out


def _build(path: Path, patterns, why, coded, excluded, notes, lines, **meta) -> Lexicon:
    if not patterns:
        raise InputError(Problem(str(path), "the lexicon has no categories",
                                 "add at least one category with its patterns", None))
    clash = _excluded_clash(patterns, excluded)
    if clash:
        raise InputError(Problem(str(path), _clash_message(*clash),
                                 "list the wanted forms without a wildcard, or drop the term from 'excluded'",
                                 lines.get(clash[0]), clash[0]))
    return Lexicon(patterns, why=why, coded=coded, excluded=excluded, notes=notes, source=str(path), **meta)


def _read_quanteda(path: Path, root: yaml.MappingNode) -> Lexicon:
    patterns: dict[str, list[str]] = {}
    lines: dict[str, int] = {}

    def walk(node: yaml.MappingNode, prefix: str):
        for name, value, line in _pairs(path, node, prefix or None):
            full = f"{prefix}.{name}" if prefix else name
            if isinstance(value, yaml.MappingNode):
                walk(value, full)
                continue
            if full in patterns:
                raise InputError(Problem(str(path), f"category {full!r} is defined twice (once nested)",
                                         "rename one of them", line, full))
            patterns[full] = _strings(path, value, "the patterns", full)
            lines[full] = line

    walk(root, "")
    return _build(path, patterns, {}, {}, {}, {}, lines, name=path.stem)


def _read_mediaframes(path: Path, root: yaml.MappingNode) -> Lexicon:
    meta: dict[str, str] = {}
    categories_node = None
    for key, value, line in _pairs(path, root, None):
        if key not in TOP_KEYS:
            raise InputError(Problem(str(path), f"unknown top-level key {key!r}",
                                     f"use only {', '.join(TOP_KEYS)}; put categories under 'categories:'",
                                     line, key))
        if key == "categories":
            categories_node = value
        elif key in ("name", "description", "coded_variable"):
            meta[key] = _scalar(path, value, key, None)
    patterns: dict[str, list[str]] = {}
    why: dict[str, str] = {}
    coded: dict[str, list[str]] = {}
    excluded: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    lines: dict[str, int] = {}

    def walk(node: yaml.MappingNode, prefix: str):
        for name, value, line in _pairs(path, node, prefix or None):
            full = f"{prefix}.{name}" if prefix else name
            if not isinstance(value, yaml.MappingNode):
                raise InputError(Problem(
                    str(path), f"category {full!r} is not a mapping with 'why:' and 'patterns:'",
                    f"write it as:\n  {name}:\n    why: <one line: why these words belong>\n"
                    "    patterns: [word, prefix*]", line, full))
            fields = dict((k, (v, ln)) for k, v, ln in _pairs(path, value, full))
            unknown = [k for k in fields if k not in CATEGORY_KEYS]
            if unknown:
                raise InputError(Problem(str(path), f"category {full!r} has the unknown key {unknown[0]!r}",
                                         f"use only {', '.join(CATEGORY_KEYS)}", fields[unknown[0]][1], full))
            if "why" not in fields:
                raise InputError(Problem(str(path), f"category {full!r} has no 'why' line",
                                         "add 'why: <one line saying why its words belong>'", line, full))
            if "patterns" not in fields and "categories" not in fields:
                raise InputError(Problem(str(path), f"category {full!r} has neither patterns nor "
                                         "sub-categories", "add 'patterns: [word, prefix*]'", line, full))
            text = _scalar(path, fields["why"][0], "why", full)
            if "patterns" in fields:
                if full in patterns:
                    raise InputError(Problem(str(path), f"category {full!r} is defined twice",
                                             "rename one of them", line, full))
                patterns[full] = _strings(path, fields["patterns"][0], "the patterns", full)
                why[full] = text
                lines[full] = line
                if "coded" in fields:
                    coded[full] = _strings(path, fields["coded"][0], "the coded values", full)
                if "excluded" in fields:
                    excluded[full] = _strings(path, fields["excluded"][0], "the excluded terms", full)
                if "notes" in fields:
                    notes[full] = _scalar(path, fields["notes"][0], "notes", full)
            if "categories" in fields:
                sub = fields["categories"][0]
                if not isinstance(sub, yaml.MappingNode) or not sub.value:
                    raise InputError(Problem(str(path), f"'categories' of {full!r} must be a mapping",
                                             "nest sub-categories as a mapping of name -> {why, patterns}",
                                             fields["categories"][1], full))
                walk(sub, full)

    walk(categories_node, "")
    return _build(path, patterns, why, coded, excluded, notes, lines, name=meta.get("name", path.stem),
                  description=meta.get("description", ""), coded_variable=meta.get("coded_variable"))


def as_lexicon(lexicon) -> Lexicon:
    """A :class:`Lexicon` from a Lexicon, a path, or a shipped lexicon's name (``"framing"``)."""
    if isinstance(lexicon, Lexicon):
        return lexicon
    if isinstance(lexicon, (str, Path)):
        return Lexicon.read(lexicon)
    raise TypeError(f"expected a Lexicon or a path, got {type(lexicon).__name__}; "
                    "try Lexicon.from_yaml(path)")


# -- counting ------------------------------------------------------------------------------------
class LexiconScorer(TransformerMixin, BaseEstimator):
    """Count each category's words in every document (quanteda's ``dfm_lookup``).

    Parameters
    ----------
    lexicon : Lexicon or path
        The categories and their patterns (a path is read with :meth:`Lexicon.read` at fit time).

    Attributes
    ----------
    lexicon_ : Lexicon
    categories_ : ndarray of str
        Output columns, in lexicon order.
    matches_ : dict of str to list of str
        Category -> the vocabulary terms its patterns matched (what is counted).
    unmatched_ : list of (category, pattern)
        Patterns matching no term of the fitted vocabulary (typos, or multiword entries the
        tokenizer never joins).
    n_terms_in_ : int
        Size of the fitted vocabulary.

    Notes
    -----
    ``fit`` resolves the patterns against the vocabulary once; ``transform`` counts the matched
    terms in any dfm by term name (terms absent from the fitted vocabulary are not counted, as in
    scikit-learn's ``CountVectorizer``).
    """

    def __init__(self, lexicon):
        self.lexicon = lexicon

    def fit(self, dfm: DocumentFeatureMatrix, y=None) -> "LexiconScorer":
        _check_dfm(dfm)
        lexicon = as_lexicon(self.lexicon)
        by_pattern = lexicon.match_patterns(dfm.terms)
        self.lexicon_ = lexicon
        self.categories_ = np.array(lexicon.categories, dtype=object)
        self.matches_ = {c: sorted(set(itertools.chain.from_iterable(p.values()))) for c, p in by_pattern.items()}
        self.unmatched_ = [(c, p) for c, pats in by_pattern.items() for p, hits in pats.items() if not hits]
        self.n_terms_in_ = len(dfm.terms)
        return self

    def indicator(self, terms: Sequence[str]) -> sparse.csr_matrix:
        """(len(terms), n_categories) 0/1 matrix: which category each term counts in."""
        self._check_fitted()
        position = {t: i for i, t in enumerate(map(str, terms))}
        rows, cols = [], []
        for j, category in enumerate(self.categories_):
            for term in self.matches_[category]:
                if term in position:
                    rows.append(position[term])
                    cols.append(j)
        return sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)),
                                 shape=(len(position), len(self.categories_)))

    def transform(self, dfm: DocumentFeatureMatrix) -> np.ndarray:
        """Dense (n_docs, n_categories) int64 counts of each category's matched terms."""
        self._check_fitted()
        _check_dfm(dfm)
        return np.asarray((dfm.counts @ self.indicator(dfm.terms)).toarray(), dtype=np.int64)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        self._check_fitted()
        return self.categories_.copy()

    def _check_fitted(self):
        if not hasattr(self, "matches_"):
            raise ValueError("this LexiconScorer is not fitted yet; try calling fit(dfm) first")


def _check_dfm(dfm):
    if not isinstance(dfm, DocumentFeatureMatrix):
        raise TypeError(f"expected a DocumentFeatureMatrix, got {type(dfm).__name__}; "
                        "try mediaframes.dfm.dfm_from_store(store)")


# -- rates with cluster-bootstrap intervals ------------------------------------------------------
def _require(dv: pd.DataFrame, columns: Iterable[str]):
    missing = [c for c in columns if c not in dv]
    if missing:
        raise ValueError(f"the dfm's docvars have no {', '.join(map(repr, missing))} column; "
                         "try a dfm from mediaframes.dfm.dfm_from_store, or add the column")


def _groups(dv: pd.DataFrame, by: str) -> tuple[list[str], np.ndarray]:
    """Sorted labels of ``by`` (missing values left out) and each row's label (None if missing)."""
    values = dv[by]
    present = values.notna().to_numpy()
    labels = np.array([str(v) if ok else None for v, ok in zip(values, present)], dtype=object)
    return sorted({l for l in labels if l is not None}), labels


def _replicates(matrices: Sequence[np.ndarray], denominators: Sequence[np.ndarray], clusters,
                n_boot: int, seed: int) -> list[np.ndarray]:
    """Replicates of ``sum(w*M) / sum(w*d)`` for each (M, d) pair, all from the same weights.

    Returns one (n_boot, k) array per pair; NaN where a replicate's denominator is 0.
    """
    out: list[list[np.ndarray]] = [[] for _ in matrices]
    for w in cluster_weights(clusters, n_boot, seed):
        wf = w.astype(float)
        for i, (m, d) in enumerate(zip(matrices, denominators)):
            top = wf @ m
            bottom = (wf @ d)[:, None]
            with np.errstate(invalid="ignore", divide="ignore"):
                out[i].append(np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), np.nan))
    return [np.vstack(chunks) for chunks in out]


def _rate_table(dfm, lexicon, by, n_boot, seed, cluster="source"):
    """Point estimates, replicates and counts per group (shared by rates and differences)."""
    _check_dfm(dfm)
    dv = dfm.docvars
    _require(dv, [by, cluster, "n_words"])
    scorer = LexiconScorer(lexicon).fit(dfm)
    counts = scorer.transform(dfm).astype(float)
    words = pd.to_numeric(dv["n_words"], errors="coerce").fillna(0).to_numpy(dtype=float)
    used = (counts > 0).astype(float)
    labels, row_labels = _groups(dv, by)
    outlets = dv["outlet"] if "outlet" in dv else dv[cluster]
    per_group = {}
    for label in labels:
        rows = np.flatnonzero(row_labels == label)
        clusters = dv[cluster].astype(str).to_numpy()[rows]
        rate_reps, share_reps = _replicates([counts[rows], used[rows]], [words[rows], np.ones(len(rows))],
                                            clusters, n_boot, group_seed(seed, label))
        n_words = words[rows].sum()
        total = counts[rows].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = total / n_words * 1000 if n_words > 0 else np.full(len(total), np.nan)
        per_group[label] = dict(
            count=total, n_words=n_words, rate=rate, rate_reps=rate_reps * 1000,
            n_using=used[rows].sum(axis=0), share=used[rows].mean(axis=0), share_reps=share_reps,
            n_articles=len(rows), n_outlets=outlets.iloc[rows].nunique(),
            n_sources=len(set(clusters)))
    return scorer.categories_, per_group


def lexicon_rates(dfm: DocumentFeatureMatrix, lexicon, by: str = "group", n_boot: int = B_DEFAULT,
                  seed: int = 0, level: float = LEVEL, cluster: str = "source") -> pd.DataFrame:
    """Rate per 1,000 words and share of articles using each lexicon category, per group.

    The rate is a ratio of totals: the group's category count over the group's words, times 1,000
    (``sum(count) / sum(n_words) * 1000``). It says how many of every 1,000 words the group
    published are category words, weighting every word alike; the mean of per-article rates would
    instead let a 60-word brief weigh as much as a 1,500-word report and be dominated by the noisy
    rates of short texts. It is the ratio estimator of cluster sampling (Cochran 1977, ch. 6), the
    statistic :func:`mediaframes.bootstrap.bootstrap_ratio` resamples. ``n_words`` counts all
    words, function words included, and a joined multiword token counts once in the numerator.

    The share is the proportion of the group's articles with at least one match.

    Intervals come from the two-stage cluster bootstrap (:func:`mediaframes.bootstrap.cluster_weights`):
    within a group, resample ``cluster`` units (``source``: the outlet, or the wire for syndicated
    copy), then articles within each drawn cluster; percentile intervals. Every category's rate and
    share are computed from the same replicates with matrix products. Each group is resampled with
    its own seed, :func:`mediaframes.bootstrap.group_seed` ``(seed, group)``, so the replicates here are those that
    :func:`group_differences` subtracts. A group with a single cluster gets only the within-cluster
    (article) variation.

    Parameters
    ----------
    dfm : DocumentFeatureMatrix
        Docvars need ``by``, ``cluster`` and ``n_words`` (``outlet`` for ``n_outlets``; ``cluster``
        is used when there is no ``outlet`` column).
    lexicon : Lexicon or path
    by : str, default "group"
        Docvar to group by (``"outlet"`` gives one row per outlet and category). Articles whose
        ``by`` is missing are left out.
    n_boot : int, default 2000
    seed : int, default 0
    level : float, default 0.95
    cluster : str, default "source"
        Docvar of the resampled clusters.

    Returns
    -------
    DataFrame with columns ``group, category, count, n_words, rate, rate_ci_low, rate_ci_high,
    n_using, share, share_ci_low, share_ci_high, n_articles, n_outlets, n_sources``.
    ``group`` holds the value of ``by``; ``count`` the category's matches in the group; ``n_words``
    the group's words; ``n_using`` the articles with at least one match; ``n_sources`` the
    clusters. Rows ordered by group (sorted), then category (lexicon order).

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley. Chapter 6, ratio estimators.
    Field, C. A. and Welsh, A. H. (2007). Bootstrapping clustered data. *JRSS B* 69(3), 369-390.
    """
    categories, per_group = _rate_table(dfm, lexicon, by, n_boot, seed, cluster)
    rows = []
    for label, g in per_group.items():
        r_low, r_high = percentile_interval(g["rate_reps"], level)
        s_low, s_high = percentile_interval(g["share_reps"], level)
        for j, category in enumerate(categories):
            rows.append((label, category, int(g["count"][j]), int(g["n_words"]), g["rate"][j], r_low[j],
                         r_high[j], int(g["n_using"][j]), g["share"][j], s_low[j], s_high[j],
                         g["n_articles"], int(g["n_outlets"]), g["n_sources"]))
    return pd.DataFrame(rows, columns=list(RATE_COLUMNS))


def group_differences(dfm: DocumentFeatureMatrix, lexicon, by: str = "group",
                      pairs: Sequence[tuple[str, str]] | None = None, n_boot: int = B_DEFAULT,
                      seed: int = 0, level: float = LEVEL, cluster: str = "source") -> pd.DataFrame:
    """Differences between groups in each category's rate per 1,000 words and share of articles.

    ``diff = estimate_a - estimate_b``: positive when ``group_a`` uses the category more. Its
    interval is the percentile interval of the replicate differences ``rep_a - rep_b``, where each
    group is resampled independently (two-stage cluster bootstrap within the group) with its own
    seed :func:`mediaframes.bootstrap.group_seed` ``(seed, group)`` — the same replicates as :func:`lexicon_rates` with
    the same ``seed``, so the tables agree.

    Parameters
    ----------
    pairs : sequence of (str, str), optional
        Pairs ``(group_a, group_b)`` in the order wanted; default every pair of groups, each with
        the alphabetically first group as ``group_a``.
    Other parameters as in :func:`lexicon_rates`.

    Returns
    -------
    DataFrame with columns ``group_a, group_b, category, measure, estimate_a, estimate_b, diff,
    ci_low, ci_high``; ``measure`` is ``"rate"`` (per 1,000 words) or ``"share"`` (of articles).
    Rows ordered by pair, then category (lexicon order), then measure (rate, share).
    """
    categories, per_group = _rate_table(dfm, lexicon, by, n_boot, seed, cluster)
    labels = list(per_group)
    if pairs is None:
        pairs = list(itertools.combinations(labels, 2))
    pairs = [(str(a), str(b)) for a, b in pairs]
    unknown = sorted({x for p in pairs for x in p} - set(labels))
    if unknown:
        raise ValueError(f"no group {', '.join(map(repr, unknown))} in docvar {by!r}; "
                         f"try one of {', '.join(labels)}")
    rows = []
    for a, b in pairs:
        ga, gb = per_group[a], per_group[b]
        intervals = {m: percentile_interval(ga[f"{m}_reps"] - gb[f"{m}_reps"], level) for m in ("rate", "share")}
        for j, category in enumerate(categories):
            for measure in ("rate", "share"):
                low, high = intervals[measure]
                rows.append((a, b, category, measure, ga[measure][j], gb[measure][j],
                             ga[measure][j] - gb[measure][j], low[j], high[j]))
    return pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))
