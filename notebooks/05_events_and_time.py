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
# # 05 Events, frames and time
#
# Which events each side covered, how it framed them (the coders' primary frame, stance and
# India's role), and when. Shares come with 95% cluster-bootstrap intervals.

# %%
from mediaframes import figures
from mediaframes.attention import attention_over_time, event_weeks
from mediaframes.codes import code_shares
from mediaframes.dfm import dfm_from_store
from mediaframes.embedded import open_store

dfm = dfm_from_store(open_store())

# %%
events = code_shares(dfm, "events")
figures.events_heatmap(events)

# %%
frames = code_shares(dfm, "primary_frame")
figures.shares_figure(frames, "Primary frame of the article, by group (coded)")

# %%
india = code_shares(dfm, "india_role")
figures.shares_figure(india, "What the article says of India's role (coded)")

# %%
code_shares(dfm, "stance_bla")

# %% [markdown]
# ## When each event drew attention

# %%
event_weeks(dfm)

# %%
figures.attention_figure(attention_over_time(dfm), event_weeks(dfm))
