"""The datasheet of the shipped corpus (``corpus/README.md``) and the generated ``corpus/codebook.md``.

The datasheet follows Gebru et al. [1]_: hand-written prose (motivation, collection process, uses,
limitations, licence) around tables that are *generated* from the store, never typed. Each
generated block sits between two marker comments::

    <!-- BEGIN generated:groups -->
    ... rendered by this module ...
    <!-- END generated:groups -->

:func:`generate` re-renders every block and leaves everything outside the markers as it was;
``mediaframes corpus datasheet`` writes the result and ``--check`` only compares it with the
committed files (exit code 1 when they differ), so CI catches a datasheet that no longer matches
the corpus. The output depends only on the store's embedded collection, ``corpus/codebook.yml``,
``corpus/balochistan-v1/errata.csv``, the tokenizer and (for reliability) the second coding:
no dates, no paths outside the project, rows sorted with explicit tie-breaks.

**Reliability.** The second, independent coding of a sample may not be copied into the project, so
it is read in place (:func:`mediaframes.config.second_coding_path`) and only the agreement figures
computed by :func:`mediaframes.reliability.agreement_table` are written into the datasheet, with the
file's SHA-256 to say which coding produced them. When the file (or that module) is missing at
generation time, the ``reliability`` block generated before is kept as it is: regenerating on a
clone without ``../shared`` never erases the figures.

References
----------
.. [1] Gebru, T., Morgenstern, J., Vecchione, B., Vaughan, J. W., Wallach, H., Daumé III, H. and
   Crawford, K. (2021). Datasheets for datasets. *Communications of the ACM*, 64(12), 86-92.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import textwrap
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import config
from .codebook import Codebook
from .describe import corpus_summary
from .dfm import DocumentFeatureMatrix, dfm_from_store
from .errors import InputError, Problem
from .registry import read_country_groups
from .store import Store
from .tokenize import FUNCTION_WORDS, MULTIWORD_EXPRESSIONS

#: Generated blocks of the datasheet, in document order.
SECTIONS = ("summary", "groups", "groups_fine", "countries", "outlets", "wires", "events", "months",
            "codes", "codebook", "tokenizer", "errata", "reliability")
#: Blocks kept from the previous datasheet when they cannot be computed now.
KEPT_WHEN_UNAVAILABLE = ("reliability",)

BEGIN = "<!-- BEGIN generated:{} -->"
END = "<!-- END generated:{} -->"
_MARKER = re.compile(r"^<!-- (BEGIN|END) generated:([a-z_]+) -->$", re.MULTILINE)

#: Coded variables whose agreement the datasheet reports (when the second coding is available).
RELIABILITY_VARIABLES = ("primary_frame", "stance_bla", "india_role", "bla_terms", "bla_terms_quoted_only",
                         "events")

_PLACEHOLDER = ("Not computed yet: generate the datasheet where the second coding is readable "
                "(`{path}`) with `mediaframes corpus datasheet`.")


@dataclass
class Datasheet:
    """What :func:`generate` produced.

    Attributes
    ----------
    readme : str
        The full datasheet (``corpus/README.md``).
    codebook : str
        ``corpus/codebook.md``.
    sections : dict
        Block name -> generated content (without markers).
    kept : list of str
        Blocks copied unchanged from the previous datasheet, with the reason.
    """

    readme: str
    codebook: str
    sections: dict = field(default_factory=dict)
    kept: list = field(default_factory=list)


# -- markers ---------------------------------------------------------------------------------
def blocks(document: str, source: str = "corpus/README.md") -> dict[str, str]:
    """Content of every generated block of ``document`` (name -> text between its markers).

    Raises
    ------
    InputError
        A marker without its partner, nested or repeated blocks.
    """
    found: dict[str, str] = {}
    open_name, open_end = None, 0
    for match in _MARKER.finditer(document):
        kind, name = match.groups()
        line = document.count("\n", 0, match.start()) + 1
        if kind == "BEGIN":
            if open_name is not None:
                raise InputError(Problem(source, f"block {name!r} begins inside block {open_name!r}",
                                         f"add the line {END.format(open_name)} before it", line=line))
            if name in found:
                raise InputError(Problem(source, f"block {name!r} appears twice", "keep one of them", line=line))
            open_name, open_end = name, match.end()
        else:
            if open_name != name:
                raise InputError(Problem(source, f"END of block {name!r} without its BEGIN",
                                         f"add the line {BEGIN.format(name)} above the block", line=line))
            found[name] = document[open_end:match.start()].strip("\n")
            open_name = None
    if open_name is not None:
        raise InputError(Problem(source, f"block {open_name!r} is never closed",
                                 f"add the line {END.format(open_name)} after it"))
    return found


def fill(document: str, sections: Mapping[str, str], source: str = "corpus/README.md") -> str:
    """Replace the content of each generated block of ``document``; everything else stays as it was.

    Raises
    ------
    InputError
        When a block of ``sections`` has no markers in ``document`` (say where to put them).
    """
    present = blocks(document, source)
    missing = [name for name in sections if name not in present]
    if missing:
        raise InputError(Problem(source, f"no marker lines for generated block(s) {', '.join(missing)}",
                                 "put the two lines " + BEGIN.format(missing[0]) + " and "
                                 + END.format(missing[0]) + " where the block belongs"))
    out = document
    for name, content in sections.items():
        pattern = re.compile(re.escape(BEGIN.format(name)) + r"\n.*?" + re.escape(END.format(name)), re.DOTALL)
        out = pattern.sub(lambda _m: f"{BEGIN.format(name)}\n{content.strip(chr(10))}\n{END.format(name)}", out,
                          count=1)
    return out


def read_table(block: str, index: int = 0) -> pd.DataFrame:
    """A Markdown table of a generated block (the first, or the ``index``-th), as strings.

    Cells are returned as written (thousands separators kept). Use it to read the datasheet's figures
    back, for example in tests: ``read_table(blocks(text)["outlets"])``.
    """
    tables: list[list[str]] = []
    previous_was_row = False
    for line in block.splitlines():
        is_row = line.startswith("|")
        if is_row and not previous_was_row:
            tables.append([])
        if is_row:
            tables[-1].append(line)
        previous_was_row = is_row
    tables = [t for t in tables if len(t) >= 2]
    if len(tables) <= index:
        raise ValueError(f"the block holds {len(tables)} Markdown table(s), not {index + 1}; "
                         "try another block name or index")
    cells = [_split_row(line) for line in tables[index]]
    return pd.DataFrame(cells[2:], columns=cells[0])


def _split_row(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    parts = re.split(r"(?<!\\)\|", inner)
    return [p.strip().replace("\\|", "|") for p in parts]


# -- formatting ------------------------------------------------------------------------------
def _cell(value) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"):
        return f"{int(value):,}"
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "f"):
        return f"{float(value):.3f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, align: Mapping[str, str] | None = None) -> str:
    """A DataFrame as a Markdown table (integers with thousands separators, floats to 3 decimals).

    ``align`` maps a column to ``"l"`` or ``"r"``; by default numbers and percentages are right-aligned.
    """
    align = align or {}
    numeric = {c: pd.api.types.is_numeric_dtype(frame[c])
               or (len(frame) > 0 and frame[c].map(lambda v: isinstance(v, str) and v.endswith("%")).all())
               for c in frame.columns}
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---:" if align.get(c, "r" if numeric[c] else "l") == "r" else "---"
                          for c in frame.columns) + "|"
    lines = [header, rule]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _wrap(text: str, indent: str = "") -> str:
    """Wrap generated prose at 100 characters (Markdown joins the lines again)."""
    return textwrap.fill(text, width=100, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


def _share(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "n/a"


# -- composition -----------------------------------------------------------------------------
def _summary_rows(summary: pd.DataFrame, dimension: str, total: int, label: str) -> pd.DataFrame:
    part = summary[summary["dimension"] == dimension]
    return pd.DataFrame({
        label: part["value"].astype(str).to_numpy(),
        "articles": part["n_articles"].astype(int).to_numpy(),
        "share": [_share(int(n), total) for n in part["n_articles"]],
        "outlets": part["n_outlets"].astype(int).to_numpy(),
        "words": part["n_words"].astype(int).to_numpy(),
    })


def render_summary(dfm: DocumentFeatureMatrix, collection: str) -> str:
    """The corpus in one paragraph: articles, outlets, domains, words, dates, wire copies."""
    dv = dfm.docvars
    n = len(dv)
    published = dv["published"].notna()
    month_only = dv["month"].notna() & ~published
    wire = dv["wire"].notna() & (dv["wire"].astype(str) != "")
    months = sorted(dv["month"].dropna())
    span = f"{months[0]} to {months[-1]}" if months else "no dated records"
    coders = dfm.docvars["coder"].nunique() if "coder" in dv else None
    lines = [
        f"- **{n:,} articles** in collection `{collection}`, from **{dv['outlet'].nunique():,} outlets** "
        f"({dv['domain'].nunique():,} registered domains; an outlet is counted by its name in "
        "`corpus/outlets.csv`, so two domains of one outlet count once).",
        f"- {int(dv['n_words'].sum()):,} words of headline and lead text in all (the coders' approximate "
        f"`n_words`; median {int(dv['n_words'].median()):,} per article).",
        f"- Dates: {int(published.sum()):,} articles with a full date, {int(month_only.sum()):,} with a "
        f"month only, {int((~published & ~month_only).sum()):,} with neither; dated articles span {span}.",
        f"- Syndicated copies: {int(wire.sum()):,} articles credit an originating wire or outlet "
        f"(`wire`); {dv['source'].nunique():,} distinct sources (the wire for a copy, else the outlet; a near-duplicate takes its original's source), "
        "the cluster unit of the project's bootstrap and grouped cross-validation.",
        f"- Near-duplicates: {int(dv['near_duplicate_of'].notna().sum()):,} articles flagged "
        "(`near_duplicate_of`), kept.",
    ]
    if coders is not None:
        lines.append(f"- Coding: {coders:,} coding batches (`coder`), one coder per article.")
    return "\n".join(_wrap(line, "  ") for line in lines)


def render_dimension(summary: pd.DataFrame, dimension: str, total: int, label: str) -> str:
    """Articles, share, outlets and words by one dimension of :func:`~mediaframes.describe.corpus_summary`."""
    return markdown_table(_summary_rows(summary, dimension, total, label))


def render_countries(summary: pd.DataFrame, total: int, groups: pd.DataFrame) -> str:
    """Articles by country, with the group and fine group each country is mapped to."""
    table = _summary_rows(summary, "country", total, "country")
    mapping = groups.set_index("country")
    table.insert(1, "group", table["country"].map(mapping["group"]))
    table.insert(2, "group_fine", table["country"].map(mapping["group_fine"]))
    return markdown_table(table)


def render_outlets(dfm: DocumentFeatureMatrix, outlets: pd.DataFrame) -> str:
    """Every outlet: its domains, ownership, articles by country group, articles and words.

    Sorted by articles (most first), then by outlet name.
    """
    ownership_of = dict(zip(outlets["domain"], outlets["ownership"].astype(str)))
    per_outlet: dict[str, dict] = {}
    for name, domain, group, words in dfm.docvars[["outlet", "domain", "group", "n_words"]].itertuples(index=False):
        entry = per_outlet.setdefault(name, {"domains": set(), "groups": Counter(), "articles": 0, "words": 0})
        entry["domains"].add(domain)
        entry["groups"][group] += 1
        entry["articles"] += 1
        entry["words"] += int(words)
    rows = []
    for name, entry in per_outlet.items():
        domains = sorted(entry["domains"])
        rows.append({"outlet": name, "domains": ", ".join(domains),
                     "ownership": ", ".join(sorted({ownership_of.get(d, "unknown") for d in domains})),
                     "groups": ", ".join(f"{g} {n}" for g, n in sorted(entry["groups"].items())),
                     "articles": entry["articles"], "words": entry["words"]})
    table = pd.DataFrame(rows, columns=["outlet", "domains", "ownership", "groups", "articles", "words"])
    table = table.sort_values(["articles", "outlet"], ascending=[False, True], kind="mergesort")
    return markdown_table(table.reset_index(drop=True))


def render_wires(dfm: DocumentFeatureMatrix) -> str:
    """Syndicated copies by originating wire or outlet."""
    dv = dfm.docvars
    wire = dv["wire"].where(dv["wire"].notna() & (dv["wire"].astype(str) != ""))
    part = dv.assign(wire=wire).dropna(subset=["wire"])
    table = (part.groupby("wire").agg(articles=("doc_id", "size"), publishing_outlets=("outlet", "nunique"))
             .reset_index().sort_values(["articles", "wire"], ascending=[False, True], kind="mergesort"))
    table = table.rename(columns={"publishing_outlets": "outlets publishing it"})
    return markdown_table(table.reset_index(drop=True))


def render_events(summary: pd.DataFrame, codebook: Codebook, total: int) -> str:
    """Articles per coded event, in codebook order, with the event's definition."""
    part = summary[summary["dimension"] == "event"].set_index("value")
    values = codebook.variables["events"].values if "events" in codebook else {}
    order = list(values) + sorted(v for v in part.index if v not in values)
    rows = []
    for value in order:
        n = int(part["n_articles"].get(value, 0))
        rows.append({"event": value, "definition": " ".join(str(values.get(value, "")).split()),
                     "articles": n, "share": _share(n, total),
                     "outlets": int(part["n_outlets"].get(value, 0))})
    return (_wrap("An article counts once for each event it is coded with, so the rows add up to more than "
                  "the number of articles.") + "\n\n" + markdown_table(pd.DataFrame(rows)))


def render_months(summary: pd.DataFrame, total: int) -> str:
    """Articles per month of publication (``unknown``: no month recorded)."""
    return markdown_table(_summary_rows(summary, "month", total, "month"))


def render_codes(dfm: DocumentFeatureMatrix, codebook: Codebook) -> str:
    """How often each value of each coded variable occurs in the whole corpus (not by group).

    Open values (``other:WORD``) are pooled in one row that says how many distinct words it holds.
    """
    dv = dfm.docvars
    total = len(dv)
    rows = []
    for var in codebook:
        if var.name not in dv or var.name == "events":
            continue
        column = dv[var.name].tolist()
        if var.kind == "single":
            counts = Counter(column)
            for value in var.values:
                rows.append((var.name, value, counts[value], _share(counts[value], total)))
            continue
        lists = [set(v) if isinstance(v, list) else set() for v in column]
        counts = Counter(w for vs in lists for w in vs)
        values = list(var.values) or list(codebook.variables[var.subset_of].values if var.subset_of else [])
        for value in values:
            rows.append((var.name, value, counts[value], _share(counts[value], total)))
        open_words = sorted(w for w in counts if w.startswith("other:"))
        if open_words or var.open_value or var.subset_of:
            n = sum(1 for vs in lists if any(w.startswith("other:") for w in vs))
            rows.append((var.name, f"other:WORD ({len(open_words)} distinct words)", n, _share(n, total)))
        n_empty = sum(1 for vs in lists if not vs)
        rows.append((var.name, "(none)", n_empty, _share(n_empty, total)))
    table = pd.DataFrame(rows, columns=["variable", "value", "articles", "share"])
    return (_wrap("For list variables an article counts once for each value it lists; `(none)` counts "
                  "articles with an empty list.") + "\n\n" + markdown_table(table))


# -- codebook, tokenizer, errata -------------------------------------------------------------
def render_codebook(codebook: Codebook) -> str:
    """Every coded variable: definition and allowed values (from ``corpus/codebook.yml``)."""
    lines = [_wrap(f"**Unit of analysis.** {codebook.unit}"), ""]
    for var in codebook:
        kind = "one value" if var.kind == "single" else "a list of values"
        lines += [f"#### `{var.name}` ({kind})", "", _wrap(var.definition), ""]
        if var.subset_of:
            lines += [f"Allowed values: a subset of the article's `{var.subset_of}`.", ""]
        if var.values:
            table = pd.DataFrame({"value": [f"`{v}`" for v in var.values],
                                  "meaning": [" ".join(str(d).split()) for d in var.values.values()]})
            if var.open_value:
                table.loc[len(table)] = [f"`{var.open_value}`", "any other word, as written, joined with `_`"]
            lines += [markdown_table(table), ""]
    return "\n".join(lines).rstrip("\n")


def render_tokenizer() -> str:
    """The bag-of-words rules, with the lists taken from :mod:`mediaframes.tokenize` itself."""
    expressions = list(dict.fromkeys(m.replace(" ", "_") for m in MULTIWORD_EXPRESSIONS))
    words = sorted(FUNCTION_WORDS)
    rules = [
        "1. Lowercase; remove the possessive 's (`pakistan's` -> `pakistan`); drop punctuation. An apostrophe "
        "inside a word is deleted (`don't` -> `dont`), digit groups are joined (`1,000` -> `1000`) and dotted "
        "abbreviations too (`u.s.` -> `us`).",
        f"2. Join these {len(expressions)} multiword expressions with underscores wherever they occur: "
        + ", ".join(f"`{e}`" for e in expressions) + "; also any \"X liberation army\" / \"X liberation front\" "
        "(`baloch_liberation_army`, `balochistan_liberation_army`, `baloch_liberation_front`) and every spelling "
        "of Fitna al-Hindustan and Fitna al-Khawarij (`fitna_al_hindustan`, `fitna_al_khawarij`).",
        "3. A hyphenated word becomes one token joined with underscores (`india-backed` -> `india_backed`).",
        f"4. Drop these {len(words)} function words: " + " ".join(words) + ".",
        "5. Keep every other token exactly as spelled: no lemmatizing, plurals and spelling variants kept "
        "(`baluchistan`, `balochistan`), numbers kept.",
    ]
    return "\n".join(_wrap(rule, "   ") for rule in rules)


def render_errata(path: str | Path | None = None) -> str:
    """The documented corrections applied when the corpus was vendored (``errata.csv``)."""
    path = Path(path or config.EMBEDDED_DIR / "errata.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return "No corrections."
    table = pd.DataFrame(rows)
    for column in ("term", "correction"):
        if column in table:
            table[column] = "`" + table[column] + "`"
    return markdown_table(table.sort_values(list(table.columns[:3]), kind="mergesort").reset_index(drop=True))


# -- reliability -----------------------------------------------------------------------------
def _display_path(path: Path) -> str:
    """``path`` relative to the project root (``../shared/...``), so the datasheet does not name a machine."""
    try:
        # abspath, not resolve: a symlinked ../shared is still named ../shared
        return Path(os.path.relpath(os.path.abspath(path), config.PROJ_ROOT)).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(path).name


def read_second_coding(path: str | Path) -> pd.DataFrame:
    """The second coding as a table (one row per record; lists stay lists)."""
    records = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return pd.DataFrame(records)


def pooled_names(codebook: Codebook, variable: str = "bla_terms") -> dict[str, str]:
    """Value -> name with singular and plural pooled (``terrorist``, ``terrorists`` -> ``terrorist(s)``).

    Only pairs that are both values of the codebook are pooled; other values map to nothing.
    """
    values = codebook.variables[variable].values if variable in codebook else {}
    mapping = {}
    for value in values:
        if f"{value}s" in values:
            mapping[value] = mapping[f"{value}s"] = f"{value}(s)"
    return mapping


def _pool(frame: pd.DataFrame, columns, mapping: Mapping[str, str]) -> pd.DataFrame:
    pooled = frame.copy()
    for column in columns:
        pooled[column] = pooled[column].map(
            lambda vs: sorted({mapping.get(v, v) for v in vs}) if isinstance(vs, list) else vs)
    return pooled


def render_reliability(dfm: DocumentFeatureMatrix, path: str | Path | None = None,
                       codebook: Codebook | None = None) -> str | None:
    """Agreement between the shipped codes and the second coding, or ``None`` when it cannot be computed.

    ``None`` when the second coding is not at ``path`` (default
    :func:`mediaframes.config.second_coding_path`) or :mod:`mediaframes.reliability` is not installed;
    :func:`generate` then keeps the block generated before. Three tables: per variable, per value of
    the list variables, and per name of the armed groups with singular and plural pooled
    (:func:`pooled_names`), the level at which the source data set reports its figures.

    Raises
    ------
    InputError
        When the second coding has no ``url`` column to match records on.
    """
    path = Path(path or config.second_coding_path())
    if not path.is_file():
        return None
    try:
        from .reliability import agreement_table
    except ImportError:
        return None
    codebook = codebook or Codebook.from_yaml()
    second = read_second_coding(path)
    if "url" not in second:
        raise InputError(Problem(_display_path(path), "the second coding has no 'url' field",
                                 "give each record the url of the article it codes"))
    variables = [v for v in RELIABILITY_VARIABLES if v in dfm.docvars and v in second]
    first = dfm.docvars[["url", *variables]]
    table = agreement_table(first, second, variables, key="url").reset_index(drop=True)
    matched = len(set(first["url"]) & set(second["url"]))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    overall = table[table["value"] == ""].drop(columns="value")
    values = table[table["value"] != ""].drop(columns="jaccard")
    parts = [
        _wrap(f"Computed by `mediaframes.reliability.agreement_table` from `{_display_path(path)}` "
              f"(SHA-256 `{digest[:16]}`; {len(second):,} records, {matched:,} matched by URL to the shipped "
              "codes) when this datasheet was generated."),
        "",
        _wrap("Per variable (for a list variable, `agreement` is the share of articles coded with the same "
              "set and `jaccard` the mean overlap of the two sets):"),
        "",
        markdown_table(overall.reset_index(drop=True)),
        "",
        "Per value of the list variables (presence or absence of the value in each article):",
        "",
        markdown_table(values.reset_index(drop=True)),
    ]
    mapping = pooled_names(codebook)
    name_vars = [v for v in ("bla_terms", "bla_terms_quoted_only") if v in variables]
    if mapping and name_vars:
        pooled = agreement_table(_pool(first, name_vars, mapping), _pool(second, name_vars, mapping), name_vars,
                                 key="url")
        pooled = pooled[pooled["value"].isin(set(mapping.values()))].drop(columns="jaccard")
        if len(pooled):
            parts += ["", "Per name, singular and plural pooled (for example `terrorist` and `terrorists`):", "",
                      markdown_table(pooled.reset_index(drop=True))]
    return "\n".join(parts)


# -- the whole datasheet ---------------------------------------------------------------------
def render_sections(store: Store, collection: str = config.EMBEDDED_COLLECTION, codebook: Codebook | None = None,
                    errata: str | Path | None = None, second_coding: str | Path | None = None,
                    groups: pd.DataFrame | None = None) -> dict[str, str | None]:
    """Every generated block of the datasheet (name -> Markdown), from the store's ``collection``.

    A block that cannot be computed now (see :data:`KEPT_WHEN_UNAVAILABLE`) is ``None``.

    Raises
    ------
    ValueError
        When the collection holds no articles.
    """
    codebook = codebook or Codebook.from_yaml()
    dfm = dfm_from_store(store, collection=collection, groups=groups)
    if len(dfm) == 0:
        raise ValueError(f"collection {collection!r} holds no articles; try the embedded collection "
                         f"{config.EMBEDDED_COLLECTION!r}")
    if "coder" not in dfm.docvars:
        coded = store.codes(primary_only=True)[["article_id", "coder"]].drop_duplicates("article_id")
        dfm.docvars["coder"] = dfm.docvars["article_id"].map(coded.set_index("article_id")["coder"])
    summary = corpus_summary(dfm)
    total = len(dfm)
    return {
        "summary": render_summary(dfm, collection),
        "groups": render_dimension(summary, "group", total, "group"),
        "groups_fine": render_dimension(summary, "group_fine", total, "group_fine"),
        "countries": render_countries(summary, total, groups if groups is not None else read_country_groups()),
        "outlets": render_outlets(dfm, store.outlets()),
        "wires": render_wires(dfm),
        "events": render_events(summary, codebook, total),
        "months": render_months(summary, total),
        "codes": render_codes(dfm, codebook),
        "codebook": render_codebook(codebook),
        "tokenizer": render_tokenizer(),
        "errata": render_errata(errata),
        "reliability": render_reliability(dfm, second_coding, codebook),
    }


def generate(store: Store, readme: str | Path | None = None, collection: str = config.EMBEDDED_COLLECTION,
             second_coding: str | Path | None = None) -> Datasheet:
    """Render the datasheet and the codebook from the store, keeping the prose of ``readme``.

    Parameters
    ----------
    store : Store
        A store holding the embedded collection (see :func:`mediaframes.embedded.open_store`).
    readme : path, default ``corpus/README.md``
        The datasheet whose hand-written parts are kept; it must hold the marker lines of every
        block of :data:`SECTIONS`.
    collection : str
        The collection described.
    second_coding : path, optional
        The second coding (default :func:`mediaframes.config.second_coding_path`).
    """
    readme = Path(readme or config.DATASHEET_MD)
    source = _display_path(readme)
    if not readme.is_file():
        raise InputError(Problem(source, "the datasheet is missing",
                                 "restore it from the repository: its prose is hand-written, only the marked "
                                 "blocks are generated"))
    document = readme.read_text(encoding="utf-8")
    previous = blocks(document, source)
    codebook = Codebook.from_yaml()
    sections = render_sections(store, collection, codebook=codebook, second_coding=second_coding)
    kept = []
    for name in KEPT_WHEN_UNAVAILABLE:
        if sections[name] is not None:
            continue
        where = _display_path(Path(second_coding or config.second_coding_path()))
        if previous.get(name, "").strip():
            sections[name] = previous[name]
            kept.append(f"{name}: kept the block generated before (second coding not readable at {where}, "
                        "or mediaframes.reliability missing)")
        else:
            sections[name] = _PLACEHOLDER.format(path=where)
            kept.append(f"{name}: no figures yet (second coding not readable at {where})")
    text = fill(document, sections, source)
    return Datasheet(readme=text, codebook=codebook.to_markdown().rstrip("\n") + "\n", sections=sections, kept=kept)


def write(store: Store, check: bool = False, readme: str | Path | None = None,
          codebook_md: str | Path | None = None, second_coding: str | Path | None = None) -> tuple[list, Datasheet]:
    """Write (or with ``check`` only compare) ``corpus/README.md`` and ``corpus/codebook.md``.

    Returns
    -------
    (differing, datasheet)
        ``differing`` lists ``(path, [block names])`` for each file whose content differs from what
        the store gives (with ``check=False`` those files have been rewritten);
        ``datasheet`` is the :class:`Datasheet` produced.
    """
    readme = Path(readme or config.DATASHEET_MD)
    codebook_md = Path(codebook_md or config.CODEBOOK_MD)
    sheet = generate(store, readme, second_coding=second_coding)
    differing = []
    current = readme.read_text(encoding="utf-8")
    if current != sheet.readme:
        old = blocks(current)
        changed = [name for name, content in blocks(sheet.readme).items() if old.get(name) != content]
        differing.append((readme, changed))
    old_codebook = codebook_md.read_text(encoding="utf-8") if codebook_md.exists() else None
    if old_codebook != sheet.codebook:
        differing.append((codebook_md, []))
    if not check:
        for path, _ in differing:
            text = sheet.readme if path == readme else sheet.codebook
            with open(path, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
    return differing, sheet
