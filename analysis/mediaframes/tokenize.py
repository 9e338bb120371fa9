"""One tokenizer for every path into the corpus: full text and shipped bags of words share its rules.

The rules are those the coders used for the shipped bags of words (``corpus/README.md``,
"Bag-of-words rules"), so that a user's full text lands in the same feature space:

1. lowercase; remove possessive 's (``pakistan's`` -> ``pakistan``); drop punctuation
   (apostrophes inside a word are deleted: ``don't`` -> ``dont``; digit groups are joined:
   ``1,000`` -> ``1000``; dotted abbreviations are joined: ``u.s.`` -> ``us``);
2. join the multiword expressions of :data:`MULTIWORD_EXPRESSIONS` with underscores, any
   "X liberation army/front", and every spelling of Fitna al-Hindustan / Fitna al-Khawarij;
3. a hyphenated word becomes one token with underscores (``india-backed`` -> ``india_backed``);
4. drop the short list :data:`FUNCTION_WORDS`;
5. keep every other token as spelled (no lemmatizing; plurals and spelling variants kept).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cached_property

FUNCTION_WORDS = frozenset(
    """a an the and or but of to in on at by for from with as into about is are was were be been
    being has have had it its this that these those which who whom whose he she they them their his
    her we our you your i me my not no also will would can could there than then so if while after
    before over up out""".split()
)

#: Multiword expressions joined with "_" wherever they occur (after hyphens became "_").
MULTIWORD_EXPRESSIONS = (
    "freedom fighter",
    "freedom fighters",
    "human rights",
    "enforced disappearance",
    "enforced disappearances",
    "security forces",
    "death squad",
    "death squads",
    "self determination",
    "proxy war",
    "jaffar express",
    "jaffer express",
    "jafar express",
    "jafer express",
    "majeed brigade",
    "baloch yakjehti committee",
    "mahrang baloch",
    "mir yar baloch",
    "republic of balochistan",
    "democratic republic of balochistan",
    "operation sindoor",
    "operation herof",
    "natural resources",
    "chinese nationals",
    "suicide bomber",
    "suicide bombers",
    "suicide attack",
    "suicide attacks",
    "inter services public relations",
    "inter_services public relations",
)

# Every spelling of the two state designations: Fitna al-Hindustan, Fitna-e-Hindustan,
# Fitnatul Hindustan, Fitna ul Hindustan ... -> fitna_al_hindustan (likewise khawarij).
_FITNA = re.compile(r"\bfitna(?:tul|[\s\-]+(?:al|e|ul|tul|i))?[\s\-]+(hindustan|khawarij)\b")
_LIBERATION_HEADS = ("army", "front")

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u2032": "'"})
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u00ad": ""})
_POSSESSIVE = re.compile(r"(?<=[^\W_])'s\b|(?<=s)'(?![^\W_])")
_INNER_APOSTROPHE = re.compile(r"(?<=[^\W_])'(?=[^\W_])")
_DIGIT_GROUP = re.compile(r"(?<=\d)[,.:](?=\d)")
_ABBREVIATION = re.compile(r"\b(?:[^\W\d_]\.){2,}")
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


class Tokenizer:
    """Turn text into the corpus's tokens and bags of words.

    Parameters
    ----------
    multiword : iterable of str, default :data:`MULTIWORD_EXPRESSIONS`
        Expressions (space-separated words) joined with ``_`` wherever they occur.
    stopwords : iterable of str, default :data:`FUNCTION_WORDS`
        Tokens dropped after joining (so ``republic_of_balochistan`` survives ``of``).
    """

    def __init__(self, multiword: Iterable[str] = MULTIWORD_EXPRESSIONS,
                 stopwords: Iterable[str] = FUNCTION_WORDS):
        self.multiword = tuple(multiword)
        self.stopwords = frozenset(stopwords)

    @cached_property
    def _mwe(self):
        # imported here: importing nltk loads scipy and scikit-learn, seconds a CLI should not wait
        from nltk.tokenize.mwe import MWETokenizer

        return MWETokenizer([tuple(m.split()) for m in self.multiword], separator="_")

    def normalize(self, text: str) -> str:
        """Steps of rule 1 that act on the string: case, apostrophes, possessives, digits, dots."""
        text = unicodedata.normalize("NFKC", text).lower()
        text = text.translate(_APOSTROPHES).translate(_HYPHENS)
        text = _POSSESSIVE.sub("", text)
        text = _INNER_APOSTROPHE.sub("", text)
        text = _DIGIT_GROUP.sub("", text)
        text = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text)
        return _FITNA.sub(lambda m: f"fitna-al-{m.group(1)}", text)

    def words(self, text: str) -> list[str]:
        """Words of the text with hyphenated words joined by ``_``: what ``n_words`` counts."""
        return [w.replace("-", "_") for w in _WORD.findall(self.normalize(text))]

    def tokens(self, text: str) -> list[str]:
        """The corpus tokens of ``text``, in order, function words dropped."""
        return self.words_and_tokens(text)[1]

    def words_and_tokens(self, text: str) -> tuple[list[str], list[str]]:
        """Both :meth:`words` (for ``n_words``) and :meth:`tokens`, normalising the text once."""
        words = self.words(text)
        joined = self._mwe.tokenize(_join_liberation(words, self.stopwords))
        return words, [t for t in joined if t not in self.stopwords]

    def bag_of_words(self, text: str) -> Counter:
        """Term -> count, the unit every stored article carries."""
        return Counter(self.tokens(text))

    def __repr__(self) -> str:
        return f"Tokenizer(multiword=<{len(self.multiword)} expressions>, stopwords=<{len(self.stopwords)} words>)"


def _join_liberation(words: list[str], stopwords: frozenset) -> list[str]:
    """Join any "X liberation army" / "X liberation front" into ``x_liberation_army``."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if (i + 2 < len(words) and words[i + 1] == "liberation" and words[i + 2] in _LIBERATION_HEADS
                and words[i] not in stopwords):
            out.append(f"{words[i]}_liberation_{words[i + 2]}")
            i += 3
        else:
            out.append(words[i])
            i += 1
    return out


DEFAULT_TOKENIZER = Tokenizer()


def bag_of_words(text: str) -> Counter:
    """Bag of words of ``text`` under the corpus rules (see :class:`Tokenizer`)."""
    return DEFAULT_TOKENIZER.bag_of_words(text)
