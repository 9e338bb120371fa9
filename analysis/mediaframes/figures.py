"""Figures for print: each function takes a tidy table from an analysis and returns a Figure.

Every figure labels its axes with units, states n, and draws the 95% interval where there is one.
:func:`save` writes PNG and SVG byte-identically on every run: a fixed font shipped with matplotlib
(DejaVu Sans), glyphs as paths, a fixed SVG hash salt and no timestamps or version strings.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

#: Colour of each coarse group, the same in every figure (colour-blind safe, Okabe-Ito).
GROUP_COLOURS = {"PK": "#009E73", "IN": "#E69F00", "INTL": "#0072B2", "BAL": "#CC79A7",
                 "WEST": "#0072B2", "MIDEAST": "#56B4E9", "REGIONAL": "#D55E00", "OTHER": "#999999"}
GROUP_ORDER = ("PK", "IN", "INTL", "BAL", "WEST", "MIDEAST", "REGIONAL", "OTHER")
GROUP_NAMES = {"PK": "Pakistani", "IN": "Indian", "INTL": "International", "BAL": "Baloch",
               "WEST": "Western", "MIDEAST": "Middle East & Turkey", "REGIONAL": "Regional", "OTHER": "Other"}

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "svg.fonttype": "path",
    "svg.hashsalt": "mediaframes",
    "savefig.dpi": 150,
    "figure.dpi": 100,
    "path.simplify": False,
}


@contextmanager
def style():
    """The project's plotting style, applied only inside the block (no global side effects)."""
    with plt.rc_context(_RC), sns.axes_style("whitegrid"), plt.rc_context(_RC):
        yield


def save(fig, name: str, directory: str | Path) -> list[Path]:
    """Write ``name.png`` and ``name.svg`` into ``directory`` without any timestamp; close the figure."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{name}.png", directory / f"{name}.svg"]
    with plt.rc_context(_RC):
        fig.savefig(paths[0], metadata={"Software": None}, bbox_inches="tight")
        fig.savefig(paths[1], metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    return paths


def _groups(values) -> list[str]:
    present = list(dict.fromkeys(map(str, values)))
    return [g for g in GROUP_ORDER if g in present] + sorted(g for g in present if g not in GROUP_ORDER)


def _label(group: str, n: int | None = None) -> str:
    name = GROUP_NAMES.get(group, group)
    return f"{name} (n={n})" if n is not None else name


def _legend_below(ax, columns: int = 4) -> None:
    """The group legend under the axes, where it hides no interval."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=columns, fontsize=8, frameon=False)


def _dodged_points(ax, table: pd.DataFrame, y: str, value: str, low: str, high: str, hue: str,
                   y_order: list[str], hue_order: list[str], hue_labels: dict[str, str],
                   xmax: float | None = None) -> None:
    """Points with horizontal interval bars, one row per ``y`` level, dodged by ``hue``.

    With ``xmax``, an interval reaching past it is cut at the axis edge, marked with an arrow and
    labelled with its upper end, so one very wide interval does not squash all the others.
    """
    k = len(hue_order)
    offsets = np.linspace(-0.3, 0.3, k) if k > 1 else np.zeros(1)
    for j, level in enumerate(hue_order):
        part = table[table[hue] == level].set_index(y).reindex(y_order)
        pos = np.arange(len(y_order)) + offsets[j]
        colour = GROUP_COLOURS.get(level, f"C{j}")
        upper = part[high] if xmax is None else part[high].clip(upper=xmax)
        ax.errorbar(part[value], pos, xerr=[part[value] - part[low], upper - part[value]], fmt="o",
                    ms=4, lw=1.2, capsize=2, color=colour, label=hue_labels.get(level, level))
        if xmax is not None:
            for p_, top in zip(pos, part[high]):
                if top > xmax:
                    ax.annotate(f"to {top:.0f}", (xmax, p_), xytext=(-2, 0), textcoords="offset points",
                                ha="right", va="center", fontsize=6, color=colour,
                                arrowprops=None)
                    ax.plot([xmax], [p_], marker=">", ms=4, color=colour, clip_on=False)
    ax.set_yticks(np.arange(len(y_order)), y_order)
    ax.invert_yaxis()
    ax.set_ylim(len(y_order) - 0.5, -0.5)


def naming_figure(naming: pd.DataFrame, names=None):
    """Share of articles using each name for the armed groups, by group, from words and from codes."""
    names = list(names) if names is not None else sorted(naming["name"].unique())
    groups = _groups(naming["group"])
    n = naming.drop_duplicates(["group", "source"]).set_index(["group", "source"])["n_articles"]
    with style():
        fig, axes = plt.subplots(1, 2, figsize=(9, 0.32 * len(names) + 1.6), sharey=True)
        for ax, source, title in zip(axes, ("lexicon", "coded"), ("Word counts (lexicon)", "Coders' reading (bla_terms)")):
            part = naming[(naming["source"] == source) & naming["name"].isin(names)]
            labels = {g: _label(g, int(n.get((g, source), 0))) for g in groups}
            _dodged_points(ax, part, "name", "share", "ci_low", "ci_high", "group", names, groups, labels)
            ax.set_title(title)
            ax.set_xlabel("share of articles using the name (95% CI)")
            ax.set_xlim(-0.02, 1.02)
        axes[0].set_ylabel("name used for the armed groups")
        handles, labels_ = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels_, loc="lower center", ncol=4, fontsize=8, frameon=False, bbox_to_anchor=(0.5, -0.03))
        fig.suptitle("How each side's press names the Baloch armed groups")
        fig.tight_layout()
    return fig


def rates_figure(rates: pd.DataFrame, category: str = "category", value: str = "rate",
                 low: str = "rate_ci_low", high: str = "rate_ci_high",
                 xlabel: str = "matches per 1,000 words (95% cluster-bootstrap CI)", title: str = ""):
    """Lexicon category rates by group (points with intervals)."""
    categories = sorted(rates[category].unique())
    groups = _groups(rates["group"])
    n = rates.drop_duplicates("group").set_index("group")["n_articles"] if "n_articles" in rates else {}
    with style():
        fig, ax = plt.subplots(figsize=(7, 0.4 * len(categories) + 1.4))
        labels = {g: _label(g, int(n[g]) if g in n else None) for g in groups}
        # cut the axis where the point estimates end, not where the widest interval does
        xmax = float(max(rates[value].max() * 1.35, rates[high].quantile(0.95)))
        _dodged_points(ax, rates, category, value, low, high, "group", categories, groups, labels, xmax=xmax)
        ax.set_xlim(min(0.0, float(rates[low].min())) - 0.01 * xmax, xmax)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("lexicon category")
        _legend_below(ax)
        ax.set_title(title or "Framing vocabulary by group")
        fig.tight_layout()
    return fig


def keyness_figure(keyness: pd.DataFrame, n: int = 20, statistic: str = "z"):
    """Top terms of each side of a comparison, in the style of quanteda's ``textplot_keyness``."""
    group_a, group_b = keyness["group_a"].iloc[0], keyness["group_b"].iloc[0]
    ordered = keyness.sort_values([statistic, "term"], ascending=[False, True])
    top = ordered.head(n)
    bottom = ordered[ordered[statistic] < 0].tail(n)
    shown = pd.concat([top[top[statistic] > 0], bottom]).drop_duplicates("term")
    colour_a = GROUP_COLOURS.get(group_a, "#0072B2")
    colour_b = GROUP_COLOURS.get(str(group_b).replace("not ", ""), "#999999")
    if str(group_b).startswith("not ") or group_b == "rest":
        colour_b = "#999999"
    with style():
        fig, ax = plt.subplots(figsize=(7, 0.17 * len(shown) + 1.3))
        pos = np.arange(len(shown))
        colours = [colour_a if v > 0 else colour_b for v in shown[statistic]]
        ax.barh(pos, shown[statistic], color=colours, height=0.75)
        for y, (term, value) in enumerate(zip(shown["term"], shown[statistic])):
            ax.text(value + (0.15 if value > 0 else -0.15), y, term, va="center",
                    ha="left" if value > 0 else "right", fontsize=7)
        ax.set_yticks([])
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        span = float(np.nanmax(np.abs(shown[statistic]))) if len(shown) else 1.0
        ax.set_xlim(-span * 1.45, span * 1.45)
        label = {"z": "z-score of the log-odds ratio (informative Dirichlet prior)", "chi2": "signed chi-square",
                 "g2": "signed G\u00b2"}.get(statistic, statistic)
        ax.set_xlabel(label)
        ax.set_title(f"Distinctive words: {_label(group_a)} (right) vs {_label(str(group_b))} (left)")
        from matplotlib.patches import Patch
        ax.legend(handles=[Patch(color=colour_a, label=_label(group_a)), Patch(color=colour_b, label=_label(str(group_b)))],
                  loc="lower right", fontsize=8, frameon=True)
        fig.tight_layout()
    return fig


def confusion_figure(confusion: pd.DataFrame, title: str = ""):
    """Confusion matrix of pooled out-of-fold predictions: share of each true class, with counts."""
    labels = sorted(set(confusion["true"]) | set(confusion["predicted"]))
    labels = [g for g in GROUP_ORDER if g in labels] + sorted(g for g in labels if g not in GROUP_ORDER)
    share = confusion.pivot(index="true", columns="predicted", values="share").reindex(index=labels, columns=labels).fillna(0)
    count = confusion.pivot(index="true", columns="predicted", values="n").reindex(index=labels, columns=labels).fillna(0)
    annot = np.vectorize(lambda s, c: f"{s:.2f}\n({int(c)})")(share.to_numpy(), count.to_numpy())
    size = 0.75 * len(labels) + 2.2
    with style():
        fig, ax = plt.subplots(figsize=(size + 1, size))
        sns.heatmap(share, annot=annot, fmt="", cmap="Blues", vmin=0, vmax=1, cbar_kws={"label": "share of true class"},
                    linewidths=0.5, ax=ax, annot_kws={"fontsize": 7})
        ax.set_xlabel("predicted")
        ax.set_ylabel(f"true (n={int(count.to_numpy().sum())} articles)")
        ax.set_title(title or "Confusion matrix (pooled out-of-fold)")
        fig.tight_layout()
    return fig


def top_terms_figure(top_terms: pd.DataFrame, n: int = 10, title: str = ""):
    """Top terms of each class of a linear classifier, bar length = weight, label = fold stability."""
    classes = [c for c in GROUP_ORDER if c in set(top_terms["class"])] + sorted(
        c for c in set(top_terms["class"]) if c not in GROUP_ORDER)
    cols = min(4, len(classes))
    rows = int(np.ceil(len(classes) / cols))
    with style():
        fig, axes = plt.subplots(rows, cols, figsize=(3.0 * cols, 0.22 * n * rows + 1.0 * rows + 0.6), squeeze=False)
        for ax, cls in zip(axes.ravel(), classes):
            part = top_terms[top_terms["class"] == cls].sort_values("rank").head(n)
            pos = np.arange(len(part))
            ax.barh(pos, part["weight"], color=GROUP_COLOURS.get(cls, "#0072B2"))
            ax.set_yticks(pos, [f"{t}  ({s:.0%})" for t, s in zip(part["term"], part["stability"])], fontsize=7)
            ax.invert_yaxis()
            ax.set_title(_label(cls) if cls in GROUP_NAMES else cls, fontsize=9)
            ax.set_xlabel("coefficient", fontsize=8)
        for ax in axes.ravel()[len(classes):]:
            ax.set_visible(False)
        fig.suptitle(title or "Top terms per class (in brackets: share of CV folds where the term is also top)")
        fig.tight_layout()
    return fig


def shares_figure(shares: pd.DataFrame, title: str, xlabel: str = "share of the group's articles (95% CI)"):
    """Shares of a coded variable's values by group (``code_shares`` output), points with intervals."""
    values = list(dict.fromkeys(shares["value"]))
    groups = _groups(shares["group"])
    n = shares.drop_duplicates("group").set_index("group")["n_articles"]
    with style():
        fig, ax = plt.subplots(figsize=(7, 0.42 * len(values) + 1.4))
        labels = {g: _label(g, int(n[g])) for g in groups}
        _dodged_points(ax, shares, "value", "share", "ci_low", "ci_high", "group", values, groups, labels)
        ax.set_xlabel(xlabel)
        ax.set_xlim(-0.02, 1.02)
        _legend_below(ax)
        ax.set_title(title)
        fig.tight_layout()
    return fig


def events_heatmap(shares: pd.DataFrame, title: str = "Which events each side covered"):
    """Heatmap of event x group: share of the group's articles coded with the event (and counts)."""
    groups = _groups(shares["group"])
    table = shares.pivot(index="value", columns="group", values="share").reindex(columns=groups)
    counts = shares.pivot(index="value", columns="group", values="n").reindex(columns=groups)
    order = counts.sum(axis=1).sort_values(ascending=False, kind="stable").index
    table, counts = table.loc[order], counts.loc[order]
    n = shares.drop_duplicates("group").set_index("group")["n_articles"]
    annot = np.vectorize(lambda s, c: f"{s:.0%}\n({int(c)})")(table.to_numpy(), counts.to_numpy())
    with style():
        fig, ax = plt.subplots(figsize=(1.3 * len(groups) + 3.2, 0.42 * len(table) + 1.4))
        sns.heatmap(table, annot=annot, fmt="", cmap="Purples", vmin=0, cbar_kws={"label": "share of group's articles"},
                    linewidths=0.5, ax=ax, annot_kws={"fontsize": 7})
        ax.set_xticks(np.arange(len(groups)) + 0.5, [_label(g, int(n[g])) for g in groups], rotation=0, fontsize=8)
        ax.set_xlabel("country group of the outlet")
        ax.set_ylabel("coded event")
        ax.set_title(title)
        fig.tight_layout()
    return fig


def attention_figure(attention: pd.DataFrame, events: pd.DataFrame | None = None,
                     title: str = "Attention over time: articles per week"):
    """Articles per week by group (dated articles only), with coded events marked at their peak week."""
    dated = attention[attention["week"] != "undated"].copy()
    dated["week"] = pd.to_datetime(dated["week"])
    groups = _groups(dated["group"])
    undated = attention[attention["week"] == "undated"].set_index("group")["n_articles"]
    with style():
        fig, axes = plt.subplots(len(groups), 1, figsize=(9, 1.25 * len(groups) + 1.0), sharex=True, sharey=True)
        axes = np.atleast_1d(axes)
        for ax, group in zip(axes, groups):
            part = dated[dated["group"] == group]
            ax.fill_between(part["week"], part["n_articles"], step="post", color=GROUP_COLOURS.get(group, "C0"), alpha=0.8,
                            lw=0)
            n_dated = int(part["n_articles"].sum())
            ax.set_ylabel("articles\nper week", fontsize=7)
            ax.text(0.005, 0.92, f"{_label(group)}: {n_dated} dated articles, {int(undated.get(group, 0))} undated",
                    transform=ax.transAxes, fontsize=8, va="top")
            if events is not None:
                for week in pd.to_datetime(events["week"]):
                    ax.axvline(week, color="black", lw=0.5, ls=":")
        if events is not None and len(events):
            ordered = events.assign(week=pd.to_datetime(events["week"])).sort_values(["week", "event"])
            keys = []
            for i, (event, week) in enumerate(zip(ordered["event"], ordered["week"]), start=1):
                axes[0].annotate(str(i), (week, 1.0), xycoords=("data", "axes fraction"), fontsize=7,
                                 ha="center", va="bottom", xytext=(0, 2 + 8 * (i % 3)), textcoords="offset points")
                keys.append(f"{i} {event} ({week:%Y-%m-%d})")
            fig.text(0.01, -0.01, "Events (peak week of coded articles): " + "; ".join(keys), fontsize=7, wrap=True,
                     va="top")
        axes[-1].set_xlabel("week (Monday); dotted lines: peak week of each coded event")
        fig.suptitle(title)
        fig.tight_layout()
    return fig
