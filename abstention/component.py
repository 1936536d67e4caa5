"""Abstainer: an answer is given only when it is known to fit the question.

Runs after the RetrievalRouter and the MedicineDetector, before the SafetyNet
(which keeps the last word on urgent and personal messages). For a message the
classifier gave to an answer intent (abstention.yml: `answer_intents`):

* a topic the label does not cover (fact sheet 4b: driving, sun, more than a
  year of daily use...) gets one honest reply that names it: intent
  `nlu_fallback` and an `unknown_topic` entity; interaction-type topics
  (alcohol, grapefruit...) go to `personal_advice/interaction` instead;
* otherwise the answer stands only if the classifier is confident enough of the
  intent and of the sub-topic, and the question looks like that answer's
  training examples (abstention/similarity.py). If not: `nlu_fallback` with the
  two closest answers as `suggestion_*` entities, which fill the "Did you
  mean...?" buttons.

A message the FallbackClassifier already gave up on, or one about valacyclovir
the classifier calls off-topic, gets the suggestions too when some answer's
examples are close enough; one with nothing close keeps its reply ("say it
another way", "I can only help with valacyclovir...").

Entities need a span: `unknown_topic` covers the words that named the topic,
the suggestions cover the whole message (they are about all of it).
`parse_data["abstention"]` records the decision and the figures behind it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from abstention.similarity import ExampleIndex
from components.retrieval import best_sub_topic, select_response, set_intent

SETTINGS_FILE = Path(__file__).with_name("abstention.yml")
EXAMPLES_FILE = "answer_examples.json"
ABSTAIN_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
MEDICINES_KEY = "medicines"  # medicines.component.PARSE_KEY
PARSE_KEY = "abstention"
TOPIC_ENTITY = "unknown_topic"
SUGGESTION_ENTITIES = (("suggestion_1", "suggestion_1_title"), ("suggestion_2", "suggestion_2_title"))


def lemmas(message: Message) -> Text:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join((token.lemma or token.text).lower() for token in tokens)


def intent_of(message: Message) -> Tuple[Optional[Text], float]:
    intent = message.get(INTENT) or {}
    return intent.get(INTENT_NAME_KEY), float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)


def fits(figures: Dict[Text, Any], thresholds: Dict[Text, float]) -> bool:
    """The answer fits: the classifier is sure of the intent, the question is like
    the answer's examples, and the classifier is sure of the answer, or torn
    between answers of the intent while the closest example is clearly this one's
    ("what side effects does valtrex usually have": common, less common, serious)."""
    sure_of_answer = figures["answer_confidence"] >= thresholds["answer"] or (
        figures["nearest_agrees"] and figures["similarity"] >= thresholds["agreement"]
    )
    return (
        figures["intent_confidence"] >= thresholds["intent"]
        and figures["similarity"] >= thresholds["similarity"]
        and sure_of_answer
    )


def names_valacyclovir(message: Message) -> bool:
    """The MedicineDetector found valacyclovir named: "I can only help with
    valacyclovir" would then be the wrong way to say "I don't know"."""
    named = (message.get(MEDICINES_KEY) or {}).get("named") or []
    return any(mention.get("valacyclovir") for mention in named)


def selected_in_ranking(message: Message, intent: Text) -> Optional[Text]:
    """The classifier's best sub-topic of `intent` (the shared selector's ranking)."""
    best = best_sub_topic(message, intent)
    return best[INTENT_RESPONSE_KEY] if best else None


def selected(message: Message, intent: Text) -> Tuple[Optional[Text], float]:
    """The answer chosen for `intent` (RetrievalRouter) and the classifier's confidence."""
    response = ((message.get("response_selector") or {}).get(intent) or {}).get("response") or {}
    return response.get(INTENT_RESPONSE_KEY), float(response.get(PREDICTED_CONFIDENCE_KEY) or 0.0)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class Abstainer(GraphComponent):
    """Replaces an answer that may not fit with an honest "I don't know"."""

    @staticmethod
    def required_components() -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"settings": str(SETTINGS_FILE)}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """Retrain when the settings change (`answer_intents` decides what is kept)."""
        return hashlib.sha256(Path(config.get("settings", SETTINGS_FILE)).read_bytes()).hexdigest()

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        examples: Optional[List[List[Text]]] = None,
    ) -> None:
        self._settings = yaml.safe_load(Path(config["settings"]).read_text(encoding="utf-8"))
        self._answer_intents = set(self._settings["answer_intents"])
        self._always_answered = set(self._settings.get("always_answered", []))
        self._thresholds = self._settings["thresholds"]
        self._topics = [
            (topic, [re.compile(p) for p in topic["patterns"]]) for topic in self._settings["not_in_label"]
        ]
        self._suggestions = self._settings["suggestions"]
        self._model_storage = model_storage
        self._resource = resource
        self._index = ExampleIndex([tuple(e) for e in examples]) if examples else None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Abstainer:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Abstainer:
        with model_storage.read_from(resource) as directory:
            examples = json.loads((directory / EXAMPLES_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, examples)

    def train(self, training_data: TrainingData) -> Resource:
        """Keep each answer's training examples (as lemmas); the index is rebuilt on load."""
        examples = [
            [example.get(INTENT_RESPONSE_KEY), lemmas(example)]
            for example in training_data.intent_examples
            if example.get(INTENT_RESPONSE_KEY)
            and example.get(TEXT)
            and example.get(INTENT) in self._answer_intents
        ]
        with self._model_storage.write_to(self._resource) as directory:
            (directory / EXAMPLES_FILE).write_text(json.dumps(examples), encoding="utf-8")
        self._index = ExampleIndex([tuple(e) for e in examples])
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = (message.get(TEXT) or "").strip()
            intent, _ = intent_of(message)
            if self._index is None or text.startswith("/"):
                continue
            if intent in self._answer_intents:
                record = self._check_answer(message, intent)
            elif intent == ABSTAIN_INTENT or (intent == OUT_OF_SCOPE and names_valacyclovir(message)):
                record = self._check_fallback(message)
            else:
                continue
            message.set(PARSE_KEY, record, add_to_output=True)
        return messages

    # -- decisions ---------------------------------------------------------------

    def _check_answer(self, message: Message, intent: Text) -> Dict[Text, Any]:
        answer, answer_confidence = selected(message, intent)
        _, intent_confidence = intent_of(message)
        topic = self._not_in_label(message)
        if topic:
            return self._unknown_topic(message, answer, *topic)
        similarities = self._index.similarities(lemmas(message))
        nearest = max(similarities, key=similarities.get, default=None)
        figures = {
            "answer": answer,
            "intent_confidence": round(intent_confidence, 3),
            "answer_confidence": round(answer_confidence, 3),
            "similarity": round(similarities.get(answer, 0.0), 3),
            "nearest_agrees": nearest == answer,
        }
        if fits(figures, self._thresholds) or answer is None or intent in self._always_answered:
            return {"decision": "answer", **figures}
        sure_of_intent = intent_confidence >= self._thresholds["intent"]
        return {
            "decision": "abstain",
            **figures,
            "suggestions": self._suggest(message, similarities, intent if sure_of_intent else None),
        }

    def _check_fallback(self, message: Message) -> Dict[Text, Any]:
        topic = self._not_in_label(message)
        if topic:
            return self._unknown_topic(message, None, *topic)
        similarities = self._index.similarities(lemmas(message))
        best = max(similarities.values(), default=0.0)
        nearest = max(similarities, key=similarities.get, default=None)
        rescued = self._rescue(message, nearest, best)
        if rescued:
            return rescued
        if best < self._thresholds["suggest"]:
            return {"decision": "fallback", "similarity": round(best, 3)}
        return {
            "decision": "abstain",
            "similarity": round(best, 3),
            "suggestions": self._suggest(message, similarities),
        }

    def _rescue(
        self, message: Message, nearest: Optional[Text], similarity: float
    ) -> Optional[Dict[Text, Any]]:
        """The classifier hesitated between intents, but the question is very like one
        answer's examples and that answer is the classifier's own pick for its top
        intent: answer it ("if i take valtrex every day can my boyfriend still catch it")."""
        ranking = [
            e for e in message.get(INTENT_RANKING_KEY) or [] if e.get(INTENT_NAME_KEY) != ABSTAIN_INTENT
        ]
        if not nearest or similarity < self._thresholds["rescue"] or not ranking:
            return None
        top = ranking[0][INTENT_NAME_KEY]
        if top not in self._answer_intents or selected_in_ranking(message, top) != nearest:
            return None
        set_intent(message, top)
        select_response(message, nearest, similarity)
        return {"decision": "answer", "answer": nearest, "similarity": round(similarity, 3), "rescued": True}

    def _not_in_label(self, message: Message) -> Optional[Tuple[Dict[Text, Any], re.Match]]:
        """The first fact-sheet 4b topic the message names, and where."""
        text = (message.get(TEXT) or "").lower()
        for topic, patterns in self._topics:
            for pattern in patterns:
                match = pattern.search(text)
                if match:
                    return topic, match
        return None

    def _unknown_topic(
        self, message: Message, answer: Optional[Text], topic: Dict[Text, Any], match: re.Match
    ) -> Dict[Text, Any]:
        route = topic.get("route")
        record = {"topic": topic["topic"], "answer": answer}
        if (
            route
            and route.startswith("personal_advice/")
            and answer
            and any(answer.startswith(kept) for kept in self._settings["interaction_keeps"])
        ):
            return {"decision": "answer", **record}
        if route:
            set_intent(message, route.split("/", 1)[0])
            select_response(message, route, 1.0)
            return {"decision": f"route {route}", "over_personal": bool(topic.get("over_personal")), **record}
        set_intent(message, ABSTAIN_INTENT)
        self._add_entities(message, [(TOPIC_ENTITY, topic["topic"], match.start(), match.end())])
        # the SafetyNet keeps this answer even when a personal pattern matched
        return {"decision": "not_in_label", "over_personal": bool(topic.get("over_personal")), **record}

    def _suggest(
        self, message: Message, similarities: Dict[Text, float], intent: Optional[Text] = None
    ) -> List[Text]:
        """Abstain: two answers close to the question become "Did you mean...?" buttons."""
        allowed = [a for a in self._suggestions if intent is None or a.startswith(f"{intent}/")]
        closest = ExampleIndex.closest(similarities, allowed, len(SUGGESTION_ENTITIES))
        overviews = self._settings["overviews"]
        for overview in overviews.get(intent, overviews["default"]) + overviews["default"]:
            if len(closest) < len(SUGGESTION_ENTITIES) and overview not in closest:
                closest.append(overview)
        set_intent(message, ABSTAIN_INTENT)
        end = len(message.get(TEXT) or "")
        entities = []
        for (key_entity, title_entity), answer in zip(SUGGESTION_ENTITIES, closest):
            entities += [(key_entity, answer, 0, end), (title_entity, self._suggestions[answer], 0, end)]
        self._add_entities(message, entities)
        return closest

    @staticmethod
    def _add_entities(message: Message, entities: List[Tuple[Text, Text, int, int]]) -> None:
        added = [
            {
                ENTITY_ATTRIBUTE_TYPE: kind,
                ENTITY_ATTRIBUTE_VALUE: value,
                ENTITY_ATTRIBUTE_START: start,
                ENTITY_ATTRIBUTE_END: end,
                EXTRACTOR: Abstainer.__name__,
            }
            for kind, value, start, end in entities
        ]
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), *added], add_to_output=True)
