"""UrgencyDetector: how likely a message describes an emergency happening now.

The patterns catch the red flags someone foresaw; this catches the phrasings
nobody listed. A logistic regression over TF-IDF word and character n-grams
(typos and Spanish still share n-grams), trained on the assistant's training
examples (urgent_help against every other intent) and on generated variety
(safety/variety.py: red flags x people x buried in a story x typos, against the
same signs negated, past, asked about, and figures of speech).

A red flag buried in a long message is diluted in the whole message's
features, so the score is the highest of the whole message, each sentence, and
12-word windows of long run-on sentences.

Stored as plain arrays and JSON (no pickle): loading a model runs no code.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

# One vectorizer per entry, side by side; each part L2-normalised, as sklearn does.
VECTORIZERS: Dict[str, Dict[str, Any]] = {
    "word": {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"},
    "char": {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2},
}
# A sentence ends at . ! ? ; followed by a space (not inside "sam.lee@example.com").
SENTENCE_END = re.compile(r"[.!?;]+(?:\s+|$)|\n+")
# Bag-of-words features cannot see that "no numbness" denies numbness: the
# words after a negation (up to the clause's end) are marked "not_numbness".
NEGATIONS = {"no", "not", "never", "without", "nothing", "none", "nor", "nope", "sin", "nunca"}
CLAUSE_END = re.compile(r"[,.!?;:\n]|\b(?:but|and|though|however)\b")
NEGATION_SPAN = 3
WINDOW, STRIDE, LONG_SENTENCE = 12, 6, 20
STATE_FILE = "urgency_detector.json"
WEIGHTS_FILE = "urgency_detector.npz"


def mark_negation(text: str) -> str:
    """ "no numbness, back hurts" -> "no not_numbness, back hurts" """
    marked, left = [], 0
    for piece in re.findall(r"\w+|[^\w\s]+", text):
        if CLAUSE_END.fullmatch(piece):
            left = 0
            marked.append(piece)
        elif piece in NEGATIONS:
            left = NEGATION_SPAN
            marked.append(piece)
        elif left and piece[0].isalnum():
            left -= 1
            marked.append(f"not_{piece}")
        else:
            marked.append(piece)
    return " ".join(marked)


def segments(text: str) -> List[str]:
    """The whole text, its sentences, and windows of its long sentences."""
    found = [text]
    for sentence in SENTENCE_END.split(text):
        words = sentence.split()
        if not words or len(words) == len(text.split()):
            continue
        found.append(sentence)
        if len(words) > LONG_SENTENCE:
            found += [" ".join(words[i : i + WINDOW]) for i in range(0, len(words) - WINDOW + 1, STRIDE)]
    words = text.split()
    if len(found) == 1 and len(words) > LONG_SENTENCE:  # one long run-on message
        found += [" ".join(words[i : i + WINDOW]) for i in range(0, len(words) - WINDOW + 1, STRIDE)]
    return found


class UrgencyDetector:
    def __init__(
        self,
        vocabularies: Dict[str, Dict[str, int]],
        idf: Dict[str, np.ndarray],
        coef: np.ndarray,
        intercept: float,
    ) -> None:
        self._parts: List[Tuple[str, object, Dict[str, int], np.ndarray, int]] = []
        offset = 0
        for name, params in VECTORIZERS.items():
            analyze = TfidfVectorizer(sublinear_tf=True, **params).build_analyzer()
            self._parts.append((name, analyze, vocabularies[name], idf[name], offset))
            offset += len(vocabularies[name])
        self._coef = coef
        self._intercept = intercept

    @classmethod
    def fit(cls, texts: Sequence[str], urgent: Sequence[bool], c: float = 16.0) -> UrgencyDetector:
        texts = [mark_negation(text) for text in texts]
        vectorizers = {
            name: TfidfVectorizer(sublinear_tf=True, **params).fit(texts)
            for name, params in VECTORIZERS.items()
        }
        from scipy.sparse import hstack

        features = hstack([vectorizer.transform(texts) for vectorizer in vectorizers.values()]).tocsr()
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        model.fit(features, np.asarray(urgent, dtype=int))
        return cls(
            {name: {term: int(i) for term, i in v.vocabulary_.items()} for name, v in vectorizers.items()},
            {name: v.idf_ for name, v in vectorizers.items()},
            model.coef_[0],
            float(model.intercept_[0]),
        )

    def probability(self, text: str) -> float:
        """The model's probability that this one piece of text is an emergency."""
        total, known = self._intercept, False
        for _, analyze, vocabulary, idf, offset in self._parts:
            counts = Counter(term for term in analyze(text) if term in vocabulary)  # type: ignore[operator]
            if not counts:
                continue
            known = True
            columns = np.fromiter((vocabulary[t] for t in counts), dtype=np.int64, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * idf[
                columns
            ]
            total += float(values @ self._coef[columns + offset]) / float(np.sqrt(values @ values))
        if not known:  # nothing it has seen: no evidence either way, not the prior
            return 0.0
        return 1.0 / (1.0 + math.exp(-total))

    def score(self, text: str) -> float:
        """The highest probability over the whole message, its sentences and windows."""
        return max(self.probability(mark_negation(piece)) for piece in segments(text))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        state = {
            "vocabularies": {name: vocabulary for name, _, vocabulary, _, _ in self._parts},
            "intercept": self._intercept,
        }
        (directory / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
        np.savez(
            directory / WEIGHTS_FILE,
            coef=self._coef,
            **{f"idf_{name}": idf for name, _, _, idf, _ in self._parts},
        )

    @classmethod
    def load(cls, directory: Path) -> UrgencyDetector:
        state = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as weights:
            idf = {name: weights[f"idf_{name}"] for name in VECTORIZERS}
            coef = weights["coef"]
        return cls(state["vocabularies"], idf, coef, state["intercept"])
