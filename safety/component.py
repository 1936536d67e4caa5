"""SafetyNet: the last word on urgent and personal messages in the NLU pipeline.

It runs after the intent classifier and the RetrievalRouter. The patterns in
safety/patterns.yml decide; the classifier's guess only fills in:

* a red flag: `urgent_help` with confidence 1.0 and the reply for its category;
* a personal question (or a red flag in the past): `personal_advice`;
* the classifier alone says `urgent_help`, with no red flag behind it: the list
  of warning signs (`seek_advice/when_emergency`, which opens "Call 911 for ..."),
  so an unforeseen emergency still hears when to call 911 without an alarm
  sounding for "this back pain is killing me";
* the classifier says `urgent_help` but every red flag was negated ("no chest
  pain"): the next intent in its ranking.

`parse_data["safety"]` records the decision and why: category, pattern, matched
text, fact-sheet section, and red flags set aside as negated, hypothetical or past.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.retrieval import best_sub_topic, select_response, set_intent
from safety.matcher import PERSONAL, URGENT, Finding, SafetyMatcher

URGENT_INTENT = "urgent_help"
PERSONAL_INTENT = "personal_advice"
FALLBACK_INTENT = "nlu_fallback"
WARNING_SIGNS = ("seek_advice", "when_emergency")
SAFETY_KEY = "safety"
DEFAULT_PATTERNS = Path(__file__).with_name("patterns.yml")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
    is_trainable=False,
    model_from="SpacyNLP",
)
class SafetyNet(GraphComponent):
    """Sets urgent and personal intents from deterministic spaCy patterns."""

    @staticmethod
    def required_components() -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"patterns": str(DEFAULT_PATTERNS)}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._patterns = Path(config["patterns"])
        self._matcher: Optional[SafetyMatcher] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        return cls(config)

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        if self._matcher is None:  # compiled once, on the first message
            self._matcher = SafetyMatcher.from_file(model.model, self._patterns)
        for message in messages:
            finding = self._matcher.check(message.get(TEXT) or "")
            apply_finding(message, finding)
        return messages


def apply_finding(message: Message, finding: Finding) -> None:
    """Route the message by what the safety layer found, and record why."""
    decision = None
    if finding.kind == URGENT:
        decision = route(message, URGENT_INTENT, finding.category)
    elif finding.kind == PERSONAL:
        decision = route(message, PERSONAL_INTENT, finding.category)
    elif intent_of(message) == URGENT_INTENT:
        negated = finding.set_aside and all(a["reason"] == "negated" for a in finding.set_aside)
        decision = demote_urgent(message) if negated else route(message, *WARNING_SIGNS)
    if decision or finding.set_aside:
        message.set(SAFETY_KEY, {"decision": decision, **finding.as_dict()}, add_to_output=True)


def route(message: Message, intent: Text, sub_topic: Text) -> Text:
    """Set `intent` and its answer `sub_topic`; return the decision made."""
    set_intent(message, intent)
    select_response(message, f"{intent}/{sub_topic}", 1.0)
    return f"{intent}/{sub_topic}"


def demote_urgent(message: Message) -> Text:
    """Every red flag was negated: the classifier's next intent answers."""
    ranking = [
        entry[INTENT_NAME_KEY]
        for entry in message.get(INTENT_RANKING_KEY) or []
        if entry[INTENT_NAME_KEY] != URGENT_INTENT
    ]
    intent = ranking[0] if ranking else FALLBACK_INTENT
    set_intent(message, intent)
    best = best_sub_topic(message, intent)
    if best:
        select_response(message, best["intent_response_key"], best["confidence"])
        return best["intent_response_key"]
    return intent


def intent_of(message: Message) -> Optional[Text]:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
