"""LanguageDetector: the language of each message, kept in the `language` slot.

It runs last in the NLU pipeline and adds a `language` entity ("en" or "es",
spanning the whole message) only when a message changes the language, so the
slot (from_entity) keeps its value otherwise ("sí", "ok", a button):

* an explicit request ("English please", "en español"), in a message the
  classifier calls `switch_language` or a very short one (language.yml);
* a Spanish emergency the SafetyNet answered in Spanish (utter_urgent_help/spanish);
* a greeting or thanks in the other language ("hola", "gracias");
* a typed message the detector is sure of (lingua, English and Spanish only),
  long enough to say anything, in another language than the conversation's:
  the slot's value (Rasa hands the conversation to `process` as `tracker`), or,
  where there is no conversation (`/model/parse`, `rasa test`), the message
  metadata `language`, else English.

The widget's language toggle sends `/switch_language{"language": "es"}`, whose
entity Rasa's payload handling sets. Replies choose their Spanish variation by
the slot (domain.yml conditions). `parse_data["language"]` shows the decision.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    METADATA,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

SETTINGS_FILE = Path(__file__).with_name("language.yml")
ENGLISH, SPANISH = "en", "es"
LANGUAGES = (ENGLISH, SPANISH)
DEFAULT_LANGUAGE = ENGLISH
LANGUAGE_ENTITY = "language"
PARSE_KEY = "language"
SWITCH_INTENT = "switch_language"
SPANISH_EMERGENCY = "urgent_help/spanish"
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Decision:
    """What the message says about the language: `language` is None to keep the slot."""

    language: Optional[Text]
    reason: Text
    detected: Optional[Text] = None
    confidence: float = 0.0

    def as_dict(self) -> Dict[Text, Any]:
        return {
            "language": self.language,
            "reason": self.reason,
            "detected": self.detected,
            "confidence": round(self.confidence, 3),
        }


class Detector:
    """lingua restricted to English and Spanish: (language, confidence) of a text."""

    def __init__(self) -> None:
        from lingua import Language, LanguageDetectorBuilder

        self._codes = {Language.ENGLISH: ENGLISH, Language.SPANISH: SPANISH}
        self._lingua = (
            LanguageDetectorBuilder.from_languages(*self._codes).with_preloaded_language_models().build()
        )

    def detect(self, text: Text) -> Tuple[Optional[Text], float]:
        values = self._lingua.compute_language_confidence_values(text)
        if not values or values[0].value <= 0.0:
            return None, 0.0
        return self._codes[values[0].language], float(values[0].value)


class LanguagePolicy:
    """The rules of language.yml over a detector: one decision per message."""

    def __init__(self, settings: Dict[Text, Any], detector: Detector) -> None:
        self.min_confidence = float(settings["min_confidence"])
        self.min_words = int(settings["min_words"])
        self.decisive = {
            word: lang for lang in LANGUAGES for word in settings["decisive_words"].get(lang, [])
        }
        self.switch_max_words = int(settings["switch_max_words"])
        self.switch = [(entry["language"], re.compile(entry["pattern"])) for entry in settings["switch"]]
        for language, _ in self.switch:
            if language not in LANGUAGES:
                raise ValueError(f"{SETTINGS_FILE}: unknown language {language!r}")
        self.detector = detector

    @classmethod
    def load(cls, path: Path = SETTINGS_FILE) -> LanguagePolicy:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")), Detector())

    def decide(
        self,
        text: Text,
        current: Text = DEFAULT_LANGUAGE,
        intent: Optional[Text] = None,
        safety: Optional[Dict] = None,
    ) -> Decision:
        """Whether `text` changes the conversation's language from `current`."""
        lower = text.lower()
        words = WORD.findall(lower)
        if intent == SWITCH_INTENT or len(words) <= self.switch_max_words:
            asked = next((lang for lang, pattern in self.switch if pattern.search(lower)), None)
            if asked:  # set even when it is already the language: the reply confirms it
                return Decision(asked, "asked for it")
        if (safety or {}).get("decision") == SPANISH_EMERGENCY:
            return self._change(SPANISH, current, "Spanish emergency")
        if len(words) == 1 and words[0] in self.decisive:
            return self._change(self.decisive[words[0]], current, "greeting or thanks")
        detected, confidence = self.detector.detect(text)
        if detected is None:
            return Decision(None, "no language detected")
        if len(words) < self.min_words:
            return Decision(None, "too short to say", detected, confidence)
        if confidence < self.min_confidence:
            return Decision(None, "not sure", detected, confidence)
        return self._change(detected, current, "detected", confidence)

    @staticmethod
    def _change(language: Text, current: Text, reason: Text, confidence: float = 1.0) -> Decision:
        if language == current:
            return Decision(None, f"{reason}: the conversation's language", language, confidence)
        return Decision(language, reason, language, confidence)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent):
    """Sets the `language` entity when a message says which language to answer in."""

    @staticmethod
    def required_components() -> List[type]:
        return []

    @staticmethod
    def required_packages() -> List[Text]:
        return ["lingua"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"settings": str(SETTINGS_FILE)}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """Retrain when this code changes: the model stores which inputs `process` takes."""
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._policy = LanguagePolicy.load(Path(config["settings"]))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(
        self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None
    ) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.startswith("/"):  # a button: its payload names any language
                continue
            decision = self._policy.decide(
                text,
                current=current_language(message, tracker),
                intent=(message.get(INTENT) or {}).get(INTENT_NAME_KEY),
                safety=message.get("safety"),
            )
            if decision.language:
                set_language(message, decision.language)
            message.set(PARSE_KEY, decision.as_dict(), add_to_output=True)
        return messages


def current_language(message: Message, tracker: Optional[DialogueStateTracker]) -> Text:
    """The conversation's language: its slot, else what the client says it shows."""
    value = (
        tracker.get_slot(LANGUAGE_ENTITY) if tracker else (message.get(METADATA) or {}).get(LANGUAGE_ENTITY)
    )
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def set_language(message: Message, language: Text) -> None:
    entity = {
        ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY,
        ENTITY_ATTRIBUTE_START: 0,
        ENTITY_ATTRIBUTE_END: len(message.get(TEXT) or ""),
        ENTITY_ATTRIBUTE_VALUE: language,
        EXTRACTOR: LanguageDetector.__name__,
    }
    message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
