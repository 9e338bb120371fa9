# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 The corpus
#
# What the embedded corpus holds: articles per country group, outlet, month and event, and
# attention over time. Every table here comes from a `mediaframes` function; `mediaframes study`
# writes the same tables to `results/tables/`. The store is the default one (`corpus/store.sqlite`,
# or `MEDIAFRAMES_STORE`), built from `corpus/` on first use.

# %%
from mediaframes.attention import attention_over_time, event_weeks
from mediaframes.describe import corpus_summary
from mediaframes.dfm import dfm_from_store
from mediaframes.embedded import open_store
from mediaframes import figures

store = open_store()
dfm = dfm_from_store(store)
dfm

# %% [markdown]
# ## Articles by country group
# `group` is the coarse grouping of `corpus/country_groups.csv`; `group_fine` splits the
# international outlets. Edit that file to regroup countries; no code changes.

# %%
summary = corpus_summary(dfm)
summary[summary["dimension"].isin(["group", "group_fine"])]

# %% [markdown]
# ## The largest outlets
# Many outlets contribute a single article, which is why every comparison resamples outlets
# (the cluster bootstrap) and every classifier is evaluated with outlet-grouped folds.

# %%
summary[summary["dimension"] == "outlet"].sort_values(["n_articles", "value"], ascending=[False, True]).head(15)

# %% [markdown]
# ## Attention over time
# Articles per week for each group (dated articles only); dotted lines mark the week in which
# most articles coded with each event appeared.

# %%
attention = attention_over_time(dfm)
figures.attention_figure(attention, event_weeks(dfm))
