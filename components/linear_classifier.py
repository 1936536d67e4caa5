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

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Text, Tuple

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
from rasa.shared.exceptions import RasaException
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

# The trained model is plain data: labels and vocabularies in JSON, numbers in an
# .npz read without pickle, so a model file cannot run code when it is loaded
# (joblib/pickle could, e.g. through `PUT /model` when the HTTP API is on).
MODEL_JSON = "linear_classifier.json"
MODEL_ARRAYS = "linear_classifier.npz"
MODEL_FORMAT = 1
# Everything in this file shapes the trained model; Rasa's training cache keys a
# component by its class source and config only (see fingerprint_addon).
MODULE_FILE = Path(__file__)

Analyzer = Callable[[Text], List[Text]]


class InvalidModel(RasaException):
    """A model file that is not what LinearClassifier.train writes."""


def lemmas(message: Message) -> Text:
    """Lower-case lemmas from the tokenizer ("took" -> "take"), space-separated."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join((token.lemma or token.text).lower() for token in tokens)


def vectorizer_specs(config: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """The two TF-IDF vectorizers' settings as plain data (stored with the model):
    word uni- and bigrams of the lemmas, and character n-grams for typos."""
    return [
        {"analyzer": "word", "ngram_range": list(config["word_ngrams"]), "token_pattern": r"\S+"},
        {"analyzer": "char_wb", "ngram_range": list(config["char_ngrams"])},
    ]


def make_vectorizer(spec: Dict[Text, Any]) -> TfidfVectorizer:
    return TfidfVectorizer(**{**spec, "ngram_range": tuple(spec["ngram_range"])}, sublinear_tf=True)


class TfidfFeatures:
    """The fitted vectorizers' TF-IDF vector of one text, as (column indices, values).

    Same numbers as `vectorizer.transform` (sublinear tf, idf, L2 norm per
    vectorizer, vectorizers side by side), without sklearn's per-call checks and
    sparse-matrix building, which cost a few milliseconds per message.
    """

    def __init__(self, parts: Sequence[Tuple[Analyzer, Dict[Text, int], np.ndarray]]) -> None:
        self._parts = []
        offset = 0
        for analyze, vocabulary, idf in parts:
            self._parts.append((analyze, vocabulary, idf, offset))
            offset += len(vocabulary)

    @classmethod
    def of(cls, vectorizers: Sequence[TfidfVectorizer]) -> TfidfFeatures:
        return cls([(v.build_analyzer(), v.vocabulary_, v.idf_) for v in vectorizers])

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

    def __init__(
        self,
        labels: List[Text],
        weights: Optional[np.ndarray] = None,
        intercepts: Optional[np.ndarray] = None,
    ) -> None:
        self.labels = labels
        # Plain arrays: scoring one message is a weighted sum over its few columns.
        self.weights = weights
        self.intercepts = intercepts

    @classmethod
    def fit(cls, features: Any, labels: List[Text], c: float) -> Scorer:
        if len(set(labels)) == 1:
            return cls([labels[0]])
        svm = LinearSVC(C=c, random_state=1).fit(features, labels)
        return cls(list(svm.classes_), svm.coef_, svm.intercept_)

    def confidences(self, columns: np.ndarray, values: np.ndarray, scale: float) -> np.ndarray:
        """Softmax of the SVM scores of one message."""
        if self.weights is None or self.intercepts is None:
            return np.ones(1)
        # A plain weighted sum: `@` would call BLAS, whose second thread then wakes
        # and spins for every message (a tenth more CPU per message, measured).
        scores = (self.weights[:, columns] * values).sum(axis=1) + self.intercepts
        if len(scores) == 1:  # two labels: one score, for the second
            scores = np.array([-scores[0], scores[0]]) / 2
        exp = np.exp(scale * (scores - scores.max()))
        return exp / exp.sum()


class Model:
    """What training produces, and how it is written to and read from plain files."""

    def __init__(
        self,
        specs: List[Dict[Text, Any]],
        vocabularies: List[List[Text]],
        idfs: List[np.ndarray],
        intents: Scorer,
        sub_topics: Dict[Text, Scorer],
    ) -> None:
        self.specs, self.vocabularies, self.idfs = specs, vocabularies, idfs
        self.intents, self.sub_topics = intents, sub_topics
        self.features = TfidfFeatures(
            [
                (make_vectorizer(spec).build_analyzer(), {term: i for i, term in enumerate(terms)}, idf)
                for spec, terms, idf in zip(specs, vocabularies, idfs)
            ]
        )

    def save(self, directory: Path) -> None:
        scorers = [self.intents, *self.sub_topics.values()]
        arrays = {f"idf_{i}": idf for i, idf in enumerate(self.idfs)}
        for i, scorer in enumerate(scorers):
            if scorer.weights is not None and scorer.intercepts is not None:
                arrays[f"weights_{i}"], arrays[f"intercepts_{i}"] = scorer.weights, scorer.intercepts
        description = {
            "format": MODEL_FORMAT,
            "vectorizers": [
                {"spec": spec, "vocabulary": terms} for spec, terms in zip(self.specs, self.vocabularies)
            ],
            "intents": self.intents.labels,
            "sub_topics": {intent: scorer.labels for intent, scorer in self.sub_topics.items()},
        }
        (directory / MODEL_JSON).write_text(json.dumps(description), encoding="utf-8")
        np.savez(directory / MODEL_ARRAYS, **arrays)

    @classmethod
    def load(cls, directory: Path) -> Model:
        """Read a saved model; anything but plain numbers and strings in the
        expected shapes is refused (InvalidModel), nothing is unpickled."""
        try:
            description = json.loads((directory / MODEL_JSON).read_text(encoding="utf-8"))
            with np.load(directory / MODEL_ARRAYS, allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
        except (OSError, ValueError) as error:  # ValueError: pickled objects, bad JSON
            raise InvalidModel(f"LinearClassifier: unreadable model files in {directory}: {error}") from None
        if not isinstance(description, dict) or description.get("format") != MODEL_FORMAT:
            raise InvalidModel(f"LinearClassifier: {directory / MODEL_JSON} is not a model it wrote")
        if any(array.dtype.kind != "f" for array in arrays.values()):
            raise InvalidModel(f"LinearClassifier: {directory / MODEL_ARRAYS} holds non-numbers")
        try:
            return cls._from_parts(description, arrays)
        except (KeyError, TypeError, AttributeError) as error:
            raise InvalidModel(f"LinearClassifier: malformed model description: {error!r}") from None

    @classmethod
    def _from_parts(cls, description: Dict[Text, Any], arrays: Dict[Text, np.ndarray]) -> Model:
        vectorizers = description["vectorizers"]
        specs = [entry["spec"] for entry in vectorizers]
        vocabularies = [_strings(entry["vocabulary"]) for entry in vectorizers]
        idfs = [_shaped(arrays, f"idf_{i}", (len(terms),)) for i, terms in enumerate(vocabularies)]
        columns = sum(len(terms) for terms in vocabularies)
        labels = [_strings(description["intents"])] + [
            _strings(names) for names in description["sub_topics"].values()
        ]
        scorers = []
        for i, names in enumerate(labels):
            if len(names) == 1:
                scorers.append(Scorer(names))
                continue
            rows = 1 if len(names) == 2 else len(names)
            scorers.append(
                Scorer(
                    names,
                    _shaped(arrays, f"weights_{i}", (rows, columns)),
                    _shaped(arrays, f"intercepts_{i}", (rows,)),
                )
            )
        sub_topics = dict(zip(_strings(list(description["sub_topics"])), scorers[1:]))
        if [spec["analyzer"] for spec in specs] != ["word", "char_wb"]:
            raise InvalidModel(f"LinearClassifier: unexpected vectorizers {specs}")
        return cls(specs, vocabularies, idfs, scorers[0], sub_topics)


def _strings(value: Any) -> List[Text]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidModel("LinearClassifier: a label or vocabulary list holds something else")
    return value


def _shaped(arrays: Dict[Text, np.ndarray], name: Text, shape: Tuple[int, ...]) -> np.ndarray:
    if name not in arrays or arrays[name].shape != shape:
        raise InvalidModel(f"LinearClassifier: array {name} missing or not of shape {shape}")
    return arrays[name]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearClassifier(GraphComponent):
    """TF-IDF features and linear SVMs for the intent and the retrieval sub-topic."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 1.0,  # SVM regularisation (higher: fit training data closer)
            "score_scale": 5.0,  # softmax sharpness: higher gives higher confidences
            "char_ngrams": [2, 5],
            "word_ngrams": [1, 2],
        }

    @staticmethod
    def required_packages() -> List[Text]:
        # Their versions are part of Rasa's training cache key: another sklearn
        # may train a different model from the same data.
        return ["sklearn", "scipy", "numpy"]

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """A hash of this whole module: Rasa's cache key covers the class source
        only, so an edit to `lemmas`, TfidfFeatures or Scorer would otherwise
        reuse the model trained by the old code."""
        return hashlib.sha256(MODULE_FILE.read_bytes()).hexdigest()

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Model] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearClassifier:
        with model_storage.read_from(resource) as directory:
            model = Model.load(directory)
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT)]
        texts = [lemmas(e) for e in examples]
        specs = vectorizer_specs(self._config)
        vectorizers = [make_vectorizer(spec) for spec in specs]
        features = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
        c = self._config["C"]
        intents = [e.get(INTENT) for e in examples]
        sub_topics: Dict[Text, Scorer] = {}
        for intent in sorted({e.get(INTENT) for e in examples if e.get(INTENT_RESPONSE_KEY)}):
            rows = [i for i, e in enumerate(examples) if e.get(INTENT) == intent]
            sub_topics[intent] = Scorer.fit(
                features[rows], [examples[i].get(INTENT_RESPONSE_KEY) for i in rows], c
            )
        # Terms in column order; idf_ as float64, what Model.load accepts.
        vocabularies = [sorted(v.vocabulary_, key=v.vocabulary_.__getitem__) for v in vectorizers]
        self._model = Model(
            specs,
            vocabularies,
            [v.idf_.astype(np.float64) for v in vectorizers],
            Scorer.fit(features, intents, c),
            sub_topics,
        )
        with self._model_storage.write_to(self._resource) as directory:
            self._model.save(directory)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._model:
            return messages
        scale = self._config["score_scale"]
        intents = self._model.intents
        for message in messages:
            columns, values = self._model.features(lemmas(message))
            known = len(columns) > 0  # nothing known: no guess (the fallback answers)
            confidences = intents.confidences(columns, values, scale) if known else None
            scores = [
                float(confidences[i]) if confidences is not None else 0.0 for i in range(len(intents.labels))
            ]
            ranking: List[Dict[Text, Any]] = [
                {INTENT_NAME_KEY: label, PREDICTED_CONFIDENCE_KEY: score}
                for score, label in sorted(zip(scores, intents.labels), key=lambda pair: -pair[0])
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            sub_topics = {
                intent: (scorer.labels, scorer.confidences(columns, values, scale))
                for intent, scorer in self._model.sub_topics.items()
            }
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, _selector(sub_topics), add_to_output=True)
        return messages


def _selector(sub_topic_confidences: Dict[Text, Any]) -> Dict[Text, Any]:
    """The `response_selector` parse data: the best sub-topic of each retrieval
    intent, ranked. The router needs no more, and every user message is stored
    with its parse data (all ~70 sub-topics would make it three times larger)."""
    best_of_each: List[Dict[Text, Any]] = []
    for labels, confidences in sub_topic_confidences.values():
        best = int(np.argmax(confidences))
        best_of_each.append(
            {INTENT_RESPONSE_KEY: labels[best], PREDICTED_CONFIDENCE_KEY: float(confidences[best])}
        )
    ranking = sorted(best_of_each, key=lambda entry: -entry[PREDICTED_CONFIDENCE_KEY])
    prediction = (
        dict(ranking[0], **{RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{ranking[0][INTENT_RESPONSE_KEY]}"})
        if ranking
        else {}
    )
    return {
        RESPONSE_SELECTOR_RETRIEVAL_INTENTS: sorted(sub_topic_confidences),
        RESPONSE_SELECTOR_DEFAULT_INTENT: {
            RESPONSE_SELECTOR_PREDICTION_KEY: prediction,
            RESPONSE_SELECTOR_RANKING_KEY: ranking,
        },
    }
