"""Intent and answer (sub-topic) from one bag of lemmas and character n-grams.

Short FAQ messages need no neural network: TF-IDF features (word uni- and bigrams
of the lemmas, character n-grams for typos such as "valtrax") and linear SVMs
classify them at least as well as DIET did on the held-out set, train in seconds
instead of minutes, answer in well under a millisecond and need no TensorFlow
model in memory (`make bench` measures all four).

It sets what Rasa's DIETClassifier and ResponseSelector would set:
- `intent` and `intent_ranking`, confidences from a softmax over the SVM scores
  (`score_scale` sharpens it), so FallbackClassifier's thresholds apply; a
  message with no known word or character n-gram gets confidence 0 (fallback);
- `response_selector`, the best sub-topic of each retrieval intent (one SVM per
  retrieval intent); components.retrieval.RetrievalRouter then picks the one of
  the intent finally predicted.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Optional, Text, Tuple

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
    TOKENS_NAMES,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

MODEL_FILE = "linear_classifier.joblib"


def lemmas(message: Message) -> Text:
    """Lower-case lemmas from the tokenizer ("took" -> "take"), space-separated."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join((token.lemma or token.text).lower() for token in tokens)


class TfidfFeatures:
    """The fitted vectorizers' TF-IDF vector of one text, as (column indices, values).

    Same numbers as `vectorizer.transform` (sublinear tf, idf, L2 norm per
    vectorizer, vectorizers side by side), without sklearn's per-call checks and
    sparse-matrix building, which cost a few milliseconds per message.
    """

    def __init__(self, vectorizers: List[TfidfVectorizer]) -> None:
        self._parts = []
        offset = 0
        for vectorizer in vectorizers:
            self._parts.append((vectorizer.build_analyzer(), vectorizer.vocabulary_,
                                vectorizer.idf_, offset))
            offset += len(vectorizer.vocabulary_)

    def __call__(self, text: Text) -> Tuple[np.ndarray, np.ndarray]:
        columns: List[int] = []
        values: List[np.ndarray] = []
        for analyze, vocabulary, idf, offset in self._parts:
            counts = Counter(term for term in analyze(text) if term in vocabulary)
            if not counts:
                continue
            index = np.fromiter((vocabulary[term] for term in counts), dtype=np.int64)
            weights = (1 + np.log(np.fromiter(counts.values(), dtype=float))) * idf[index]
            columns.extend(index + offset)
            values.append(weights / np.linalg.norm(weights))
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.asarray(columns), np.concatenate(values)


class Scorer:
    """One linear SVM and the softmax that turns its scores into confidences."""

    def __init__(self, labels: List[Text], svm: Optional[LinearSVC]) -> None:
        self.labels = labels
        # Plain arrays: scoring one message is a weighted sum over its few columns.
        self.weights = svm.coef_ if svm is not None else None
        self.intercepts = svm.intercept_ if svm is not None else None

    @classmethod
    def fit(cls, features: Any, labels: List[Text], c: float) -> Scorer:
        if len(set(labels)) == 1:
            return cls([labels[0]], None)
        svm = LinearSVC(C=c, random_state=1).fit(features, labels)
        return cls(list(svm.classes_), svm)

    def confidences(self, columns: np.ndarray, values: np.ndarray, scale: float) -> np.ndarray:
        """Softmax of the SVM scores of one message."""
        if self.weights is None:
            return np.ones(1)
        # A plain weighted sum: `@` would call BLAS, whose second thread then wakes
        # and spins for every message (a tenth more CPU per message, measured).
        scores = (self.weights[:, columns] * values).sum(axis=1) + self.intercepts
        if len(scores) == 1:  # two labels: one score, for the second
            scores = np.array([-scores[0], scores[0]]) / 2
        exp = np.exp(scale * (scores - scores.max()))
        return exp / exp.sum()


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class LinearClassifier(GraphComponent):
    """TF-IDF features and linear SVMs for the intent and the retrieval sub-topic."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 1.0,             # SVM regularisation (higher: fit training data closer)
            "score_scale": 5.0,   # softmax sharpness: higher gives higher confidences
            "char_ngrams": [2, 5],
            "word_ngrams": [1, 2],
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, model: Optional[Dict[Text, Any]] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._use(model)

    def _use(self, model: Optional[Dict[Text, Any]]) -> None:
        self._model = model
        self._features = TfidfFeatures(model["vectorizers"]) if model else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> LinearClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearClassifier:
        with model_storage.read_from(resource) as directory:
            model = joblib.load(directory / MODEL_FILE)
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT)]
        texts = [lemmas(e) for e in examples]
        vectorizers = [
            TfidfVectorizer(ngram_range=tuple(self._config["word_ngrams"]), sublinear_tf=True,
                            token_pattern=r"\S+"),
            TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self._config["char_ngrams"]),
                            sublinear_tf=True),
        ]
        features = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
        c = self._config["C"]
        intents = [e.get(INTENT) for e in examples]
        sub_topics: Dict[Text, Scorer] = {}
        for intent in sorted({e.get(INTENT) for e in examples if e.get(INTENT_RESPONSE_KEY)}):
            rows = [i for i, e in enumerate(examples) if e.get(INTENT) == intent]
            sub_topics[intent] = Scorer.fit(
                features[rows], [examples[i].get(INTENT_RESPONSE_KEY) for i in rows], c)
        self._use({"vectorizers": vectorizers, "intents": Scorer.fit(features, intents, c),
                   "sub_topics": sub_topics})
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / MODEL_FILE)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._model:
            return messages
        scale = self._config["score_scale"]
        intents: Scorer = self._model["intents"]
        for message in messages:
            columns, values = self._features(lemmas(message))
            known = len(columns) > 0  # nothing known: no guess (the fallback answers)
            confidences = intents.confidences(columns, values, scale) if known else None
            ranking = sorted(
                ({INTENT_NAME_KEY: label,
                  PREDICTED_CONFIDENCE_KEY: float(confidences[i]) if known else 0.0}
                 for i, label in enumerate(intents.labels)),
                key=lambda entry: -entry[PREDICTED_CONFIDENCE_KEY])
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            sub_topics = {intent: (scorer.labels, scorer.confidences(columns, values, scale))
                          for intent, scorer in self._model["sub_topics"].items()}
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, _selector(sub_topics), add_to_output=True)
        return messages


def _selector(sub_topic_confidences: Dict[Text, Any]) -> Dict[Text, Any]:
    """The `response_selector` parse data: the best sub-topic of each retrieval
    intent, ranked. The router needs no more, and every user message is stored
    with its parse data (all ~70 sub-topics would make it three times larger)."""
    best_of_each = []
    for labels, confidences in sub_topic_confidences.values():
        best = int(np.argmax(confidences))
        best_of_each.append({INTENT_RESPONSE_KEY: labels[best],
                             PREDICTED_CONFIDENCE_KEY: float(confidences[best])})
    ranking = sorted(best_of_each, key=lambda entry: -entry[PREDICTED_CONFIDENCE_KEY])
    best = dict(ranking[0], **{RESPONSE_SELECTOR_UTTER_ACTION_KEY:
                               f"utter_{ranking[0][INTENT_RESPONSE_KEY]}"}) if ranking else {}
    return {
        RESPONSE_SELECTOR_RETRIEVAL_INTENTS: sorted(sub_topic_confidences),
        RESPONSE_SELECTOR_DEFAULT_INTENT: {RESPONSE_SELECTOR_PREDICTION_KEY: best,
                                           RESPONSE_SELECTOR_RANKING_KEY: ranking},
    }
