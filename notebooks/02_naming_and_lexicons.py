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
# # 02 Naming and framing lexicons
#
# How each side names the armed groups (terrorist, militant, separatist, insurgent, freedom
# fighter, Fitna al-Hindustan, proxy ...), from word counts and from the coders' reading, and how
# often each framing vocabulary appears per 1,000 words. Intervals are 95% two-stage cluster
# bootstrap intervals (outlets, then articles). The lexicons are data: edit
# `corpus/lexicons/naming.yml` or `corpus/lexicons/framing.yml` and re-run.

# %%
from mediaframes import config, figures
from mediaframes.dfm import dfm_from_store
from mediaframes.embedded import open_store
from mediaframes.lexicon import Lexicon, group_differences, lexicon_rates
from mediaframes.naming import naming_agreement, naming_table

dfm = dfm_from_store(open_store())
naming_lexicon = Lexicon.from_yaml(config.LEXICON_DIR / "naming.yml")
framing_lexicon = Lexicon.from_yaml(config.LEXICON_DIR / "framing.yml")

# %% [markdown]
# ## Names for the armed groups

# %%
naming = naming_table(dfm, naming_lexicon)
figures.naming_figure(naming, names=list(naming_lexicon.categories))

# %%
key = ["terrorist", "militant", "separatist", "insurgent", "freedom_fighter", "fitna_al_hindustan", "proxy"]
naming[naming["name"].isin(key) & naming["group"].isin(["PK", "IN", "INTL"])].pivot_table(
    index=["name", "source"], columns="group", values="share")

# %% [markdown]
# ## Where counting words and reading disagree
# Cohen's kappa and Krippendorff's alpha between "the article's bag of words contains the name"
# and "the coder recorded the name for the armed groups".

# %%
naming_agreement(dfm, naming_lexicon)

# %% [markdown]
# ## Framing vocabulary per 1,000 words

# %%
rates = lexicon_rates(dfm, framing_lexicon)
figures.rates_figure(rates)

# %% [markdown]
# Differences between groups (rate of the first minus rate of the second), with intervals:

# %%
differences = group_differences(dfm, framing_lexicon)
differences[(differences["measure"] == "rate") & (differences["group_a"].isin(["IN", "PK"]))
            & (differences["group_b"].isin(["IN", "PK"]))]
