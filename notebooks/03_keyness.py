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
# # 03 Keyness: the words that set each side apart
#
# Fightin' Words (Monroe, Colaresi and Quinn 2008: log-odds ratio with an informative Dirichlet
# prior, z-scores) alongside chi-square with Yates correction and G2 with Williams correction,
# as quanteda's `textstat_keyness` computes them.

# %%
from mediaframes import figures
from mediaframes.dfm import dfm_from_store
from mediaframes.embedded import open_store
from mediaframes.keyness import keyness

dfm = dfm_from_store(open_store())

# %% [markdown]
# ## Pakistani versus Indian outlets

# %%
pk_in = keyness(dfm, a="PK", b="IN", min_count=5)
figures.keyness_figure(pk_in)

# %%
pk_in.head(15)

# %% [markdown]
# ## Each group against all the others

# %%
rest = keyness(dfm, pairs="rest", groups=["PK", "IN", "INTL", "BAL"], min_count=5)
for group in ["PK", "IN", "INTL", "BAL"]:
    display(figures.keyness_figure(rest[rest["group_a"] == group]))  # noqa: F821 (IPython's display)
