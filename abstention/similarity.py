"""How much a message looks like the questions each answer was written for.

TF-IDF over the content-word lemmas of the training examples, and for each
answer the cosine similarity of a message to its closest example. A question
that shares no telling word with any example of the chosen answer ("can valtrex
cause hair loss?" against the common-side-effects examples) is not the kind of
question that answer answers, however sure the classifier is of the topic.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Dict, List, Sequence, Text, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

# Function words, words that only say "a question about this medicine", and the
# verbs of "can it cause/make/give ...?" (the symptom asked about is what tells
# answers apart): they tell answers apart no better than "the". (Not sklearn's English list: it drops
# "back", "side", "serious" and "call", which matter here.) Question words stay:
# "how long" and "when" say what kind of answer is wanted.
STOP_WORDS = frozenset(
    """
a an the and or but if so as than then just also really very any some there here like
i me my mine you your yours we us our he him his she her hers they them their it its
this that these those one someone something anyone anything people person
be is am are was were been being do does doe did doing have has had having
will would can could should may might must shall let
to of in on at for with from by about into over after before up out off
get got take taking took use using know tell say please ok okay
cause causes caused causing make makes made give gives affect affects lead leads
valtrex valacyclovir valaciclovir valtrax valtex valacyclovier valacyclovr
pill pills tablet tablets medicine medication meds drug antiviral
""".split()
)

SUFFIXES = ("ations", "ation", "ness", "ions", "ion", "ing", "ies", "ed", "es", "s")


def word_family(word: Text) -> Text:
    """A crude stem, so "depressed", "depression" and "tiredness"/"tired" meet (the
    lookup lemmatizer leaves them apart); stems stay at least 4 letters long."""
    for suffix in SUFFIXES:
        if (
            word.endswith(suffix)
            and len(word) - len(suffix) >= 4
            and not (suffix == "s" and word.endswith(("ss", "us", "is")))
        ):
            return word[: -len(suffix)]
    return word


def content_words(text: Text) -> List[Text]:
    """The words that tell answers apart, as word families."""
    return [word_family(word) for word in re.findall(r"[a-z][a-z']+", text) if word not in STOP_WORDS]


class ExampleIndex:
    """Closest training example of each answer, by cosine similarity of TF-IDF vectors."""

    def __init__(self, examples: Sequence[Tuple[Text, Text]]) -> None:
        """`examples`: (answer label, lemmatised text) pairs."""
        self.labels = sorted({label for label, _ in examples})
        self._vectorizer = TfidfVectorizer(sublinear_tf=True, analyzer=self._terms)
        matrix = self._vectorizer.fit_transform([text for _, text in examples])
        label_index = {label: i for i, label in enumerate(self.labels)}
        self._rows = np.array([label_index[label] for label, _ in examples])
        self._matrix = matrix.tocsc()
        # What `transform` does, without sklearn's per-call checks (about 1 ms).
        self._analyze = self._vectorizer.build_analyzer()
        self._vocabulary = self._vectorizer.vocabulary_
        self._idf = self._vectorizer.idf_

    @staticmethod
    def _terms(text: Text) -> List[Text]:
        """Content words and the pairs of neighbouring ones."""
        words = content_words(text)
        return words + [f"{a} {b}" for a, b in zip(words, words[1:])]

    def vector(self, text: Text) -> Tuple[np.ndarray, np.ndarray]:
        """The TF-IDF vector of `text` as (columns, values), L2-normalised.

        A word no example has ("warts", "tattoo") still counts in the norm, as
        rare as the rarest known word: it is what the answers do not cover, and
        dropping it would make "does valtrex work for the flu?" a perfect match
        for an example about how valtrex works."""
        terms = Counter(self._analyze(text))
        known = {term: n for term, n in terms.items() if term in self._vocabulary}
        unknown = [n for term, n in terms.items() if term not in known and " " not in term]
        if not known:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        columns = np.fromiter((self._vocabulary[term] for term in known), dtype=np.int64)
        values = (1 + np.log(np.fromiter(known.values(), dtype=float))) * self._idf[columns]
        unknown_weights = (1 + np.log(np.array(unknown, dtype=float))) * self._idf.max()
        norm = np.sqrt(np.sum(values**2) + np.sum(unknown_weights**2))
        return columns, values / norm

    def similarities(self, text: Text) -> Dict[Text, float]:
        """answer label -> cosine similarity of `text` to its closest example."""
        columns, values = self.vector(text)
        if not len(columns):
            return {}
        scores = self._matrix[:, columns] @ values
        best = np.zeros(len(self.labels))
        np.maximum.at(best, self._rows, scores)
        return {label: float(score) for label, score in zip(self.labels, best) if score > 0}

    @staticmethod
    def closest(similarities: Dict[Text, float], allowed: Sequence[Text], count: int) -> List[Text]:
        """The `count` most similar answers among `allowed`, best first."""
        ranked = sorted(
            (label for label in similarities if label in allowed), key=lambda label: -similarities[label]
        )
        return ranked[:count]
