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
# # 04 Can a classifier tell the sides apart?
#
# Logistic regression and a linear SVM on TF-IDF, and multinomial Naive Bayes on counts, predict
# the outlet's country group (and, separately, the coded primary frame). Folds are grouped by
# source (the outlet, or the wire for syndicated copy): a model never sees an outlet's articles
# in training and in testing, so it cannot score by recognising house style. Intervals come from
# the cluster bootstrap of the pooled out-of-fold predictions; the permutation test shuffles
# labels between outlets. This notebook uses fewer permutations than the study to stay quick.

# %%
from mediaframes import figures
from mediaframes.classify import evaluate
from mediaframes.dfm import dfm_from_store
from mediaframes.embedded import open_store

dfm = dfm_from_store(open_store())
country = evaluate(dfm, task="country", n_perm=20)
country.metrics[country.metrics["metric"].isin(["macro_f1", "accuracy", "permutation_p"])]

# %%
figures.confusion_figure(country.confusion[country.confusion["model"] == "logreg"],
                         title="Country group: logistic regression, outlet-grouped CV")

# %%
figures.top_terms_figure(country.top_terms[country.top_terms["model"] == "logreg"])

# %% [markdown]
# ## The coded primary frame

# %%
frame = evaluate(dfm, task="frame", models=("logreg",), n_perm=0)
frame.metrics
