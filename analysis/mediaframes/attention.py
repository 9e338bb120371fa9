"""Attention over time: articles per week by group, as Media Cloud charts attention.

Only articles with a full publication date are placed in a week; the table says how many of each
group had none, so a reader sees what the chart leaves out.
"""

from __future__ import annotations

import pandas as pd

from .dfm import DocumentFeatureMatrix

#: Columns of :func:`attention_over_time`.
ATTENTION_COLUMNS = ("group", "week", "n_articles")
#: Columns of :func:`event_weeks`.
EVENT_WEEK_COLUMNS = ("event", "week", "n_articles")


def _week(published: pd.Series) -> pd.Series:
    """ISO week of each date, labelled by its Monday (YYYY-MM-DD)."""
    days = pd.to_datetime(published)
    return (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")


def attention_over_time(dfm: DocumentFeatureMatrix, by: str = "group", fill: bool = True) -> pd.DataFrame:
    """Articles per week (weeks start on Monday) for each group.

    Parameters
    ----------
    fill : bool, default True
        Include weeks with no article (n_articles 0) between the first and last dated week, so a
        line chart shows silence as zero rather than interpolating across it.

    Returns
    -------
    DataFrame ``group, week, n_articles`` ordered by group and week. Articles without a full date
    are counted in rows whose week is ``undated``.
    """
    dv = dfm.docvars
    dated = dv["published"].notna()
    weeks = _week(dv.loc[dated, "published"])
    counts = (pd.DataFrame({"group": dv.loc[dated, by].astype(str), "week": weeks})
              .groupby(["group", "week"]).size().rename("n_articles").reset_index())
    if fill and len(counts):
        every = pd.date_range(counts["week"].min(), counts["week"].max(), freq="7D").strftime("%Y-%m-%d")
        groups = sorted(dv[by].astype(str).unique())
        grid = pd.MultiIndex.from_product([groups, every], names=["group", "week"])
        counts = counts.set_index(["group", "week"]).reindex(grid, fill_value=0).reset_index()
    undated = (dv.loc[~dated, by].astype(str).value_counts().rename("n_articles").rename_axis("group")
               .reset_index().assign(week="undated"))
    out = pd.concat([counts, undated[list(ATTENTION_COLUMNS)]], ignore_index=True)
    out["n_articles"] = out["n_articles"].astype(int)
    return out.sort_values(["group", "week"], kind="stable").reset_index(drop=True)[list(ATTENTION_COLUMNS)]


def event_weeks(dfm: DocumentFeatureMatrix, min_articles: int = 3) -> pd.DataFrame:
    """For each coded event, the week in which most of its dated articles appeared.

    Used to mark events on the attention chart from the data itself rather than from typed dates.
    Events with fewer than ``min_articles`` dated articles, and ``other``, are left out.
    """
    dv = dfm.docvars
    dated = dv[dv["published"].notna() & dv["events"].map(lambda v: isinstance(v, list))]
    rows = dated[["published", "events"]].explode("events")
    rows = rows[rows["events"] != "other"]
    rows = rows.assign(week=_week(rows["published"]))
    per_week = rows.groupby(["events", "week"]).size().rename("n_articles").reset_index()
    totals = rows.groupby("events").size()
    keep = totals[totals >= min_articles].index
    peak = (per_week[per_week["events"].isin(keep)]
            .sort_values(["events", "n_articles", "week"], ascending=[True, False, True])
            .drop_duplicates("events").rename(columns={"events": "event"}))
    return peak[list(EVENT_WEEK_COLUMNS)].reset_index(drop=True)
