"""Choose the sub-topic answer of a retrieval intent so that it always fits the intent.

The classifier ranks sub-topics under Rasa's shared `default` response-selector
key, and the intent may change after it (the FallbackClassifier, the SafetyNet),
so the best answer overall may not fit the intent finally predicted: for a
message classified as `ask_back_pain`, `ask_side_effects/kidney`, and
`utter_ask_back_pain` would then say a side-effect answer. This component runs
after the classifier and sets the selection, both under the `default` key (read
by `rasa test`) and under the intent's own key (read first by
`ActionRetrieveResponse` and the processor):

* the best-ranked sub-topic that belongs to the predicted intent, and
* for a button payload naming a sub-topic (`/ask_side_effects/kidney`), that
  sub-topic with confidence 1.0. Rasa's RegexMessageHandler only understands
  payloads of whole intents, so without this a button could not name an answer.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any, Dict, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
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

RESPONSE_KEYS_FILE = "response_keys.json"
SUB_TOPIC_PAYLOAD = re.compile(r"/(?P<key>[a-z_]+/[a-z_]+)")


def quiet_sub_topic_buttons(response_keys: Set[Text]) -> None:
    """Rasa's RegexMessageHandler warns on every sub-topic button ("intent not in
    the domain"), then leaves the message alone; this component answers it. So,
    once a router is in use (not on import), that warning is silenced for its
    own sub-topics' payloads only, as raised by Rasa (its raise_warning helper)."""
    if response_keys:
        keys = "|".join(re.escape(key) for key in sorted(response_keys))
        warnings.filterwarnings(
            "ignore",
            message=rf"Failed to parse arguments in line '/({keys})'",
            category=UserWarning,
            module=r"rasa\.shared\.utils\.io",
        )


def select_response(message: Message, response_key: Text, confidence: float) -> None:
    """Make `utter_<intent>` say the answer `response_key` ("intent/sub_topic")."""
    intent = response_key.split("/", 1)[0]
    selector = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
    prediction = {
        INTENT_RESPONSE_KEY: response_key,
        RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{response_key}",
        PREDICTED_CONFIDENCE_KEY: confidence,
    }
    shared = selector.get(RESPONSE_SELECTOR_DEFAULT_INTENT) or {}
    selector[RESPONSE_SELECTOR_DEFAULT_INTENT] = {
        RESPONSE_SELECTOR_PREDICTION_KEY: prediction,
        RESPONSE_SELECTOR_RANKING_KEY: shared.get(RESPONSE_SELECTOR_RANKING_KEY, []),
    }
    selector[intent] = {
        RESPONSE_SELECTOR_PREDICTION_KEY: prediction,
        RESPONSE_SELECTOR_RANKING_KEY: [],
    }
    message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selector, add_to_output=True)


def set_intent(message: Message, intent: Text) -> None:
    """Set the message's intent with full confidence, ahead of the ranking."""
    message.set(INTENT, {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
    ranking = [
        entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get(INTENT_NAME_KEY) != intent
    ]
    message.set(
        INTENT_RANKING_KEY,
        [{INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}] + ranking,
        add_to_output=True,
    )


def best_sub_topic(message: Message, intent: Optional[Text]) -> Optional[Dict[Text, Any]]:
    """The highest-ranked sub-topic of `intent` in the shared selector's ranking."""
    if not intent:
        return None
    selector = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
    ranking = selector.get(RESPONSE_SELECTOR_DEFAULT_INTENT, {}).get(RESPONSE_SELECTOR_RANKING_KEY, [])
    prefix = f"{intent}/"
    return next(
        (label for label in ranking if str(label.get(INTENT_RESPONSE_KEY, "")).startswith(prefix)),
        None,
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RetrievalRouter(GraphComponent):
    """Keeps the selected answer inside the predicted retrieval intent."""

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        response_keys: Optional[Set[Text]] = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.response_keys = response_keys or set()
        quiet_sub_topic_buttons(self.response_keys)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RetrievalRouter:
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RetrievalRouter:
        with model_storage.read_from(resource) as directory:
            keys = json.loads((directory / RESPONSE_KEYS_FILE).read_text())
        return cls(model_storage, resource, set(keys))

    def train(self, training_data: TrainingData) -> Resource:
        """Remember every `intent/sub_topic` that has training examples."""
        self.response_keys = {
            example.get(INTENT_RESPONSE_KEY)
            for example in training_data.intent_examples
            if example.get(INTENT_RESPONSE_KEY)
        }
        with self._model_storage.write_to(self._resource) as directory:
            (directory / RESPONSE_KEYS_FILE).write_text(json.dumps(sorted(self.response_keys)))
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._route(message)
        return messages

    def _route(self, message: Message) -> None:
        payload = SUB_TOPIC_PAYLOAD.fullmatch((message.get(TEXT) or "").strip())
        if payload and payload.group("key") in self.response_keys:
            key = payload.group("key")
            set_intent(message, key.split("/", 1)[0])
            select_response(message, key, 1.0)
            return

        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        best = best_sub_topic(message, intent)
        if best:
            select_response(message, best[INTENT_RESPONSE_KEY], best[PREDICTED_CONFIDENCE_KEY])
