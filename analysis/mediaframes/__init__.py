"""mediaframes: compare how news outlets frame the Balochistan conflict.

The package follows one chain of nouns and verbs, as in quanteda:
store (articles, features, codes) -> tokens -> document-feature matrix -> measures
(lexicon rates, naming, keyness, classifiers) -> tidy tables and figures in ``results/``.
"""

__version__ = "0.1.0"
