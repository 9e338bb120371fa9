"""``results/REPORT.md``: each finding in a sentence, with its number and interval, linked to the
figure and the table it comes from.

The report is written from the CSV files in ``results/tables`` (never from values held in memory),
so it can only say what the tables say. A section whose table is missing is left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

GROUP_NAMES = {"PK": "Pakistani", "IN": "Indian", "INTL": "international", "BAL": "Baloch",
               "WEST": "Western", "MIDEAST": "Middle Eastern and Turkish", "REGIONAL": "regional", "OTHER": "other"}
#: Names reported in sentences (the tables hold every name of corpus/lexicons/naming.yml).
KEY_NAMES = ("terrorist", "militant", "separatist", "insurgent", "freedom_fighter", "fitna_al_hindustan", "proxy")
#: Fewer independent sources than this in a group make its cluster-bootstrap interval unreliable.
FEW_CLUSTERS = 10


def _pct(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:.0f}%"


def _ci_pct(row) -> str:
    return f"{_pct(row['share'])} (95% CI {_pct(row['ci_low'])} to {_pct(row['ci_high'])})"


def _num(x: float, digits: int = 2) -> str:
    return "n/a" if pd.isna(x) else f"{x:.{digits}f}"


def _group(g: str) -> str:
    return GROUP_NAMES.get(g, g)


def _link(kind: str, name: str) -> str:
    return f"[{name}]({kind}/{name}{'.csv' if kind == 'tables' else '.png'})"


def _groups_in(frame: pd.DataFrame, column: str = "group") -> list[str]:
    order = list(GROUP_NAMES)
    present = list(dict.fromkeys(frame[column].astype(str)))
    return [g for g in order if g in present] + sorted(g for g in present if g not in order)


def _corpus(t: dict) -> list[str]:
    s = t["corpus_summary"]
    groups = s[s["dimension"] == "group"].set_index("value")
    total = int(groups["n_articles"].sum())
    outlets = int(s[s["dimension"] == "outlet"].shape[0])
    parts = ", ".join(f"{_group(g)} {int(groups.loc[g, 'n_articles'])} ({int(groups.loc[g, 'n_outlets'])} outlets)"
                      for g in _groups_in(groups.reset_index(), "value"))
    lines = ["## The corpus", "",
             f"The study covers {total} articles from {outlets} outlets: {parts}. "
             f"Table {_link('tables', 'corpus_summary')}.", ""]
    if "attention_weekly" in t:
        a = t["attention_weekly"]
        undated = int(a.loc[a["week"] == "undated", "n_articles"].sum())
        dated = a[a["week"] != "undated"]
        peak = dated.sort_values(["n_articles", "week"], ascending=[False, True]).iloc[0]
        lines += [f"Attention over time: {total - undated} articles carry a full date ({undated} do not); the busiest "
                  f"week for any group was the week of {peak['week']} ({int(peak['n_articles'])} {_group(peak['group'])} "
                  f"articles). Figure {_link('figures', 'attention_over_time')}, table "
                  f"{_link('tables', 'attention_weekly')}.", ""]
    return lines


def _naming(t: dict) -> list[str]:
    n = t["naming"]
    coded = n[n["source"] == "coded"]
    groups = [g for g in _groups_in(coded) if g != "BAL"] + (["BAL"] if "BAL" in set(coded["group"]) else [])
    lines = ["## How each side names the armed groups", "",
             "Share of each group's articles that use a name for the Baloch armed groups, from the coders' reading "
             "(`bla_terms`, which knows the referent); 95% two-stage cluster-bootstrap intervals. "
             f"Figure {_link('figures', 'naming')}, table {_link('tables', 'naming')}.", ""]
    for name in KEY_NAMES:
        rows = coded[coded["name"] == name].set_index("group")
        if rows.empty:
            continue
        parts = "; ".join(f"{_group(g)} {_ci_pct(rows.loc[g])}" for g in groups if g in rows.index)
        lines.append(f"- *{name.replace('_', ' ')}*: {parts}.")
    lines.append("")
    if "naming_agreement" in t:
        agree = t["naming_agreement"]
        agree = agree[(agree["group"] == "all") & agree["kappa"].notna() & (agree["n_coded"] >= 10)]
        if len(agree):
            best = agree.sort_values(["kappa", "name"], ascending=[False, True]).iloc[0]
            worst = agree.sort_values(["kappa", "name"]).iloc[0]
            median = agree["kappa"].median()
            lines += [f"Agreement between counting a name's words and the coders' reading, per name (Cohen's kappa, "
                      f"names coded in at least 10 articles): median {_num(median)}, lowest {_num(worst['kappa'])} for "
                      f"*{worst['name']}*, highest {_num(best['kappa'])} for *{best['name']}*. Word counts also catch "
                      f"a name used for another actor, which the coders do not record. Table "
                      f"{_link('tables', 'naming_agreement')}.", ""]
    return lines


def _lexicon(t: dict) -> list[str]:
    rates = t["lexicon_rates"]
    lines = ["## Framing vocabulary", "",
             "Matches of each category of `corpus/lexicons/framing.yml` per 1,000 words (ratio of totals), "
             f"with 95% cluster-bootstrap intervals. Figure {_link('figures', 'lexicon_rates')}, tables "
             f"{_link('tables', 'lexicon_rates')} and {_link('tables', 'lexicon_differences')}.", ""]
    for category, part in rates.groupby("category", sort=True):
        top = part.sort_values(["rate", "group"], ascending=[False, True]).iloc[0]
        low = part.sort_values(["rate", "group"]).iloc[0]
        lines.append(f"- *{category.replace('_', ' ')}*: highest in {_group(top['group'])} outlets, "
                     f"{_num(top['rate'])} per 1,000 words (95% CI {_num(top['rate_ci_low'])} to "
                     f"{_num(top['rate_ci_high'])}); lowest in {_group(low['group'])} outlets, {_num(low['rate'])} "
                     f"({_num(low['rate_ci_low'])} to {_num(low['rate_ci_high'])}).")
    lines.append("")
    if "lexicon_differences" in t:
        d = t["lexicon_differences"]
        d = d[d["measure"] == "rate"]
        pk_in = d[((d["group_a"] == "PK") & (d["group_b"] == "IN")) | ((d["group_a"] == "IN") & (d["group_b"] == "PK"))]
        clear = pk_in[(pk_in["ci_low"] > 0) | (pk_in["ci_high"] < 0)]
        if len(clear):
            lines.append("Pakistani and Indian outlets differ clearly (95% interval of the difference excludes zero) on:")
            for row in clear.sort_values("category").itertuples():
                sign = 1 if row.group_a == "PK" else -1
                diff, lo, hi = sign * row.diff, *(sorted((sign * row.ci_low, sign * row.ci_high)))
                lines.append(f"- *{row.category.replace('_', ' ')}*: Pakistani minus Indian {diff:+.2f} per 1,000 words "
                             f"(95% CI {lo:+.2f} to {hi:+.2f}).")
            lines.append("")
    return lines


def _keyness(t: dict) -> list[str]:
    lines = ["## Distinctive words", "",
             "Fightin' Words (Monroe, Colaresi and Quinn 2008): log-odds ratios with an informative Dirichlet prior; "
             "terms with |z| > 1.96 are listed, strongest first.", ""]
    pairs = t.get("keyness_pairs")
    if pairs is not None:
        pk_in = pairs[(pairs["group_a"] == "PK") & (pairs["group_b"] == "IN")]
        if len(pk_in):
            lines += [_key_sentence(pk_in, "PK", "IN") + f" Figure {_link('figures', 'keyness_PK_vs_IN')}, table "
                      f"{_link('tables', 'keyness_pairs')}.", ""]
    rest = t.get("keyness_vs_rest")
    if rest is not None:
        for g in _groups_in(rest, "group_a"):
            part = rest[rest["group_a"] == g]
            top = part[part["z"] > 1.96].sort_values(["z", "term"], ascending=[False, True]).head(8)
            lines.append(f"- {_group(g)} outlets against all others: "
                         + ", ".join(f"*{r.term}* (z = {r.z:.1f})" for r in top.itertuples())
                         + f". Figure {_link('figures', f'keyness_{g}_vs_rest')}.")
        lines.append("")
    return lines


def _key_sentence(frame: pd.DataFrame, a: str, b: str) -> str:
    up = frame[frame["z"] > 1.96].sort_values(["z", "term"], ascending=[False, True]).head(8)
    down = frame[frame["z"] < -1.96].sort_values(["z", "term"]).head(8)
    return (f"{_group(a)} outlets, compared with {_group(b)} ones, use more often "
            + ", ".join(f"*{r.term}* (z = {r.z:.1f})" for r in up.itertuples())
            + f"; {_group(b)} outlets use more often "
            + ", ".join(f"*{r.term}* (z = {r.z:.1f})" for r in down.itertuples()) + ".")


def _classify(t: dict) -> list[str]:
    m = t["classifier_metrics"]
    params = t["parameters"].set_index("parameter")["value"] if "parameters" in t else {}
    main = params.get("permutation_model", "logreg")
    n_perm = int(params.get("n_perm", 0) or 0)
    lines = ["## Can a classifier tell the sides apart?", "",
             "Outlet-grouped cross-validation: no outlet (or wire, for syndicated copy) is in both the training and the "
             "test folds, so a model cannot score by recognising an outlet's house style. Pooled out-of-fold "
             "predictions; intervals from the cluster bootstrap; p from a permutation test that shuffles labels "
             f"between outlets. Tables {_link('tables', 'classifier_metrics_country')} and "
             f"{_link('tables', 'classifier_metrics_frame')}.", ""]
    for task, what in (("country", "the country group of the outlet"), ("frame", "the coded primary frame")):
        part = m[m["task"] == task]
        if part.empty:
            continue
        sentences = []
        for model in sorted(part["model"].unique()):
            rows = part[part["model"] == model].set_index("metric")
            if "macro_f1" not in rows.index:
                continue
            f1 = rows.loc["macro_f1"]
            p = rows["value"].get("permutation_p", np.nan)
            chance = rows["value"].get("permutation_mean", np.nan)
            ptxt = ""
            if not pd.isna(p):
                floor = ", the smallest possible" if n_perm and abs(p - 1 / (1 + n_perm)) < 1e-9 else ""
                ptxt = f"; permutation p = {p:.3f}{floor}; chance level {_num(chance)}"
            sentences.append(f"{model} {_num(f1['value'])} (95% CI {_num(f1['ci_low'])} to {_num(f1['ci_high'])}{ptxt})")
        lines.append(f"- Predicting {what}: macro-F1 " + "; ".join(sentences) + "."
                     + (f" Figure {_link('figures', f'confusion_{task}')}." if task else ""))
        per_class = part[(part["model"] == main) & part["metric"].str.startswith("f1:")]
        if len(per_class):
            lines.append(f"  Per class ({main}): " + ", ".join(
                f"{r.metric[3:]} {_num(r.value)} ({_num(r.ci_low)} to {_num(r.ci_high)})" for r in per_class.itertuples())
                + ".")
    lines += ["", f"The permutation test ({n_perm} permutations) and the figures use the {main} model. Top terms of "
              f"each class, with their stability across folds: figures {_link('figures', 'top_terms_country')} and "
              f"{_link('figures', 'top_terms_frame')}, "
              f"tables {_link('tables', 'classifier_top_terms_country')} and "
              f"{_link('tables', 'classifier_top_terms_frame')}.", ""]
    return lines


def _codes(t: dict) -> list[str]:
    lines = ["## What the coders read", ""]
    frames = t.get("frames_by_group")
    if frames is not None:
        parts = []
        for g in _groups_in(frames):
            top = frames[frames["group"] == g].sort_values(["share", "value"], ascending=[False, True]).iloc[0]
            parts.append(f"{_group(g)} {top['value'].replace('_', ' ')} {_ci_pct(top)}")
        lines += ["- Most common primary frame: " + "; ".join(parts) + f". Figure {_link('figures', 'frames_by_group')}, "
                  f"table {_link('tables', 'frames_by_group')}."]
    india = t.get("india_role_by_group")
    if india is not None:
        own = india[india["value"] == "asserted"].set_index("group")
        said = india[india["value"] == "attributed"].set_index("group")
        lines.append("- India backs the armed groups, in the outlet's own voice: " + "; ".join(
            f"{_group(g)} {_ci_pct(own.loc[g])}" for g in _groups_in(india) if g in own.index)
            + "; as others' claim: " + "; ".join(f"{_group(g)} {_ci_pct(said.loc[g])}" for g in _groups_in(india)
                                                 if g in said.index)
            + f". Figure {_link('figures', 'india_role_by_group')}.")
    stance = t.get("stance_by_group")
    if stance is not None:
        hostile = stance[stance["value"] == "hostile"].set_index("group")
        lines.append("- Hostile stance toward the armed groups in the outlet's own voice: " + "; ".join(
            f"{_group(g)} {_ci_pct(hostile.loc[g])}" for g in _groups_in(stance) if g in hostile.index)
            + f". Table {_link('tables', 'stance_by_group')}.")
    if "events_by_group" in t:
        lines.append(f"- Events covered by each side: figure {_link('figures', 'events_by_group')}, table "
                     f"{_link('tables', 'events_by_group')}.")
    return lines + [""]


def _reliability(t: dict) -> list[str]:
    r = t["reliability"]
    overall = r[r["value"].fillna("") == ""].set_index("variable")
    single = [v for v in ("primary_frame", "stance_bla", "india_role") if v in overall.index]
    lines = ["## Reliability of the codes", "",
             "An independent second coding of a stratified sample, compared with the shipped codes "
             f"(Krippendorff's alpha, nominal). Table {_link('tables', 'reliability')}.", ""]
    if single:
        lines.append("- " + "; ".join(f"{v}: alpha {_num(overall.loc[v, 'alpha'])} ({int(overall.loc[v, 'n_units'])} "
                                      "articles)" for v in single) + ".")
    if "events" in overall.index:
        lines.append(f"- events: mean Jaccard overlap {_num(overall.loc['events', 'jaccard'])}.")
    return lines + [""]


def _caveats(t: dict) -> list[str]:
    lines = ["## Read with care", ""]
    if "lexicon_rates" in t and "n_sources" in t["lexicon_rates"]:
        few = t["lexicon_rates"].drop_duplicates("group")
        few = few[few["n_sources"] < FEW_CLUSTERS]
        for row in few.itertuples():
            lines.append(f"- {_group(row.group)} outlets: only {int(row.n_sources)} independent sources, so their "
                         "cluster-bootstrap intervals are unreliable (too few clusters to resample); read them as "
                         "descriptions of these outlets, not of a population.")
    lines += ["- The corpus is a selection by search relevance, in English, not a sample of each outlet's output; "
              "see `corpus/README.md` for its limitations.",
              "- Bags of words were counted by coders from headline and lead text (about 2,000 characters); "
              "expect small count errors.", ""]
    return lines


_SECTIONS = (("corpus_summary", _corpus), ("naming", _naming), ("lexicon_rates", _lexicon),
             ("keyness_pairs", _keyness), ("classifier_metrics", _classify), ("frames_by_group", _codes),
             ("reliability", _reliability))


def write_report(out_dir: str | Path) -> Path:
    """Write ``REPORT.md`` into ``out_dir`` from the tables under ``out_dir/tables``; returns its path."""
    out = Path(out_dir)
    tables = {p.stem: pd.read_csv(p, keep_default_na=False, na_values=[""])
              for p in sorted((out / "tables").glob("*.csv"))}
    for kind in ("metrics", "confusion", "top_terms"):  # one table per classifier task on disk
        parts = [tables[f"classifier_{kind}_{task}"] for task in ("country", "frame") if f"classifier_{kind}_{task}" in tables]
        if parts:
            tables[f"classifier_{kind}"] = pd.concat(parts, ignore_index=True)
    params = tables.get("parameters")
    n_boot = params.set_index("parameter").loc["n_boot", "value"] if params is not None else "?"
    lines = ["# How each side's press framed the Balochistan conflict", "",
             "Generated by `mediaframes study` from the tables in `tables/`; do not edit by hand. "
             f"Intervals are 95% percentile intervals of a two-stage cluster bootstrap (B = {n_boot}; clusters are "
             "sources: the outlet, or the wire for syndicated copy) unless stated otherwise. Parameters: "
             f"{_link('tables', 'parameters')}.", ""]
    for key, section in _SECTIONS:
        if key in tables:
            lines += section(tables)
    lines += _caveats(tables)
    files = sorted(p.name for p in (out / "tables").glob("*.csv"))
    lines += ["## Files", "", "Tables: " + ", ".join(f"`tables/{name}`" for name in files) + ".", "",
              "Figures: " + ", ".join(f"`figures/{p.name}`" for p in sorted((out / "figures").glob("*.png"))) + ".", ""]
    path = out / "REPORT.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
