"""SafetyNet: the last word on urgent and personal messages in the NLU pipeline.

It runs after the intent classifier and the answer routers. The patterns in
safety/patterns.yml decide first; the classifier's urgent score fails closed:

* a red flag: `urgent_help` with the reply for its category (Spanish: the
  Spanish emergency reply);
* a personal question (or a red flag in the past): `personal_advice`, unless the
  classifier is sure enough it is an emergency (`urgent_over_personal`);
* no red flag, but `urgent_help` among the classifier's top two at
  `urgent_threshold` or more, even under `nlu_fallback` or another intent: the
  suspected-emergency reply ("If this is happening now, call 911 now ..."),
  styled urgent. In doubt, urgent: a false alarm costs a sentence;
* the red flag was only asked about ("what are the signs of a stroke?"): the
  list of warning signs;
* every red flag was negated or a figure of speech ("no chest pain"): the
  classifier's next intent if it is confident enough, else the fallback, never
  an intent with near-zero confidence.

Training compiles the patterns (a broken file fails training with the reason),
checks that every category has its reply, and stores the patterns and the spaCy
pipeline they were compiled with in the model, which loading compiles again:
nothing is read from safety/ at run time, and `fingerprint_addon` retrains when
the patterns or this package's code change.

`parse_data["safety"]` records the decision and why: the category, pattern,
matched text and fact-sheet section, or the classifier score that decided, and
red flags set aside as negated, hypothetical, past or figurative.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import spacy
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.retrieval import select_response, set_intent
from safety.detector import UrgencyDetector
from safety.matcher import PERSONAL, SPANISH, URGENT, Finding, SafetyMatcher
from safety.variety import DEFAULT_VARIETY, generate

URGENT_INTENT = "urgent_help"
PERSONAL_INTENT = "personal_advice"
FALLBACK_INTENT = "nlu_fallback"
WARNING_SIGNS = ("seek_advice", "when_emergency")
SUSPECTED = "suspected"  # the reply when only the classifier suspects an emergency
SPANISH_REPLY = "spanish"  # one Spanish emergency reply, whatever the category
SAFETY_KEY = "safety"
# Set by medicines/ and abstention/, which run before this component.
MEDICINES_KEY = "medicines"
ABSTENTION_KEY = "abstention"
INTERACTION = "interaction"  # the personal category of "X with valacyclovir"
DEFAULT_PATTERNS = Path(__file__).with_name("patterns.yml")
PATTERNS_FILE = "patterns.yml"
SPACY_DIR = "spacy"
DETECTOR_DIR = "detector"
# Set aside because the words meant something else: the classifier's next guess.
# Up to this many words a message is short: an ambiguous red flag counts as it is.
SHORT_MESSAGE = 6
NOT_AN_EMERGENCY = {"negated", "figurative", "ambiguous", "said of a thing"}


class SafetyPatternsError(RasaException):
    """safety/patterns.yml cannot be used; says why."""


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
    is_trainable=True,
    model_from="SpacyNLP",
)
class SafetyNet(GraphComponent):
    """Sets urgent and personal intents from deterministic spaCy patterns."""

    @staticmethod
    def required_components() -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def required_packages() -> List[Text]:
        # Rasa imports these names and also looks them up as distributions, so
        # PyYAML ("yaml" to import) cannot be listed; Rasa itself depends on it.
        return ["spacy"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "patterns": str(DEFAULT_PATTERNS),
            "variety": [str(path) for path in DEFAULT_VARIETY],
            # Thresholds (config.yml says how they were chosen):
            # urgent_help in the classifier's top two at this score, confirmed by
            # the urgency detector at `detector_gate`: an emergency
            "urgent_threshold": 0.2,
            "detector_gate": 0.6,
            # the urgency detector alone, whatever the classifier says
            "detector_alone": 0.9,
            # the detector's score that outweighs a personal pattern
            "detector_over_personal": 0.9,
            # an ambiguous red flag (`~` in patterns.yml) counts from this score on
            "ambiguous_red_flag": 0.5,
            # a demoted message goes to the next intent only at this score or more
            "next_intent_threshold": 0.3,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """The patterns and this package's code shape what training stores."""
        config = {**cls.get_default_config(), **config}  # Rasa may pass only what config.yml sets
        digest = hashlib.sha256(Path(config["patterns"]).read_bytes())
        for variety in config["variety"]:
            digest.update(Path(variety).read_bytes())
        for module in sorted(Path(__file__).parent.glob("*.py")):
            digest.update(module.read_bytes())
        return digest.hexdigest()

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        matcher: Optional[SafetyMatcher] = None,
        detector: Optional[UrgencyDetector] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._matcher = matcher
        self._detector = detector

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SafetyNet:
        """Compile the stored patterns now, not at the first message."""
        with model_storage.read_from(resource) as directory:
            nlp = spacy.load(directory / SPACY_DIR)
            patterns = compile_patterns(nlp, (directory / PATTERNS_FILE).read_text(encoding="utf-8"))
            detector = UrgencyDetector.load(directory / DETECTOR_DIR)
        return cls(config, model_storage, resource, patterns, detector)

    def train(self, training_data: TrainingData, model: SpacyModel) -> Resource:
        text = Path(self._config["patterns"]).read_text(encoding="utf-8")
        matcher = compile_patterns(model.model, text)
        missing = sorted(set(required_replies(matcher)) - set(training_data.responses))
        if missing:
            raise SafetyPatternsError(
                f"{self._config['patterns']}: these safety categories have no reply in the "
                f"domain: {', '.join(missing)}. Add the responses or remove the categories."
            )
        self._detector = train_detector(matcher, training_data, [Path(p) for p in self._config["variety"]])
        with self._model_storage.write_to(self._resource) as directory:
            (directory / PATTERNS_FILE).write_text(text, encoding="utf-8")
            model.model.to_disk(directory / SPACY_DIR)
            self._detector.save(directory / DETECTOR_DIR)
        self._matcher = matcher
        return self._resource

    def process_training_data(self, training_data: TrainingData, model: SpacyModel) -> TrainingData:
        return training_data

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        if self._matcher is None or self._detector is None:  # not trained: nothing to decide with
            raise SafetyPatternsError("SafetyNet was not trained: run `make train`.")
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):  # a button: the router answered what it names
                continue
            if unreadable(text):  # the fallback says "if this is an emergency, call 911" in both languages
                route_unreadable(message)
                continue
            urgency = self._detector.score(self._matcher.normalise(text))
            short = len(text.split()) <= SHORT_MESSAGE
            apply_finding(message, self._matcher.check(text), self._config, urgency, short)
        return messages


def compile_patterns(nlp: Any, text: Text) -> SafetyMatcher:
    """The matcher for a patterns file's text, or a SafetyPatternsError saying what is wrong."""
    try:
        return SafetyMatcher(nlp, yaml.safe_load(text))
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise SafetyPatternsError(
            f"safety patterns cannot be compiled: {type(error).__name__}: {error}"
        ) from error


def train_detector(
    matcher: SafetyMatcher, training_data: TrainingData, varieties: List[Path]
) -> UrgencyDetector:
    """urgent_help's training examples against every other intent's, plus generated variety."""
    import yaml

    texts: List[Text] = []
    urgent: List[bool] = []
    for variety in varieties:
        try:
            more_texts, more_urgent = generate(yaml.safe_load(variety.read_text(encoding="utf-8")))
        except (yaml.YAMLError, KeyError, TypeError, ValueError, IndexError) as error:
            raise SafetyPatternsError(
                f"{variety}: cannot generate variety: {type(error).__name__}: {error}"
            ) from error
        texts += more_texts
        urgent += more_urgent
    for example in training_data.intent_examples:
        texts.append(example.get(TEXT))
        urgent.append(example.get(INTENT) == URGENT_INTENT)
    return UrgencyDetector.fit([matcher.normalise(text) for text in texts], urgent)


def required_replies(matcher: SafetyMatcher) -> List[Text]:
    """Every response the safety layer can choose."""
    return (
        [f"utter_{URGENT_INTENT}/{category}" for category in matcher.categories(URGENT)]
        + [f"utter_{PERSONAL_INTENT}/{category}" for category in matcher.categories(PERSONAL)]
        + [
            f"utter_{URGENT_INTENT}/{SUSPECTED}",
            f"utter_{URGENT_INTENT}/{SPANISH_REPLY}",
            f"utter_{'/'.join(WARNING_SIGNS)}",
        ]
    )


def apply_finding(
    message: Message, finding: Finding, config: Dict[Text, Any], urgency: float = 0.0, short: bool = False
) -> None:
    """Route the message by what the safety layer found, and record why.

    `urgency` is the urgency detector's score of the message; a `short` one
    ("its an emergency!!") has no other meaning to weigh an ambiguous word by."""
    classifier = classifier_urgent_score(message)
    suspected = urgency >= config["detector_alone"] or (
        classifier is not None
        and classifier >= config["urgent_threshold"]
        and urgency >= config["detector_gate"]
    )
    scores = f"classifier {URGENT_INTENT} {classifier or 0:.2f} (top two), urgency detector {urgency:.2f}"
    decision, reason = None, None
    if finding.kind == URGENT and finding.ambiguous and not short and urgency < config["ambiguous_red_flag"]:
        finding.set_aside.append(
            {
                "category": str(finding.category),
                "pattern": str(finding.pattern),
                "matched_text": str(finding.matched_text),
                "reason": "ambiguous",
            }
        )
        # the personal question found beside it still counts
        finding = finding.personal or Finding(None, set_aside=finding.set_aside, language=finding.language)
    if finding.kind == URGENT:
        decision, reason = route_urgent(message, finding.category, finding.language), "red flag"
    elif (
        finding.kind == PERSONAL
        and urgency < config["detector_over_personal"]
        and not answered_elsewhere(message, finding)
    ):
        decision, reason = route(message, PERSONAL_INTENT, str(finding.category)), "personal pattern"
    elif suspected or intent_of(message) == URGENT_INTENT:
        reasons = {entry["reason"] for entry in finding.set_aside}
        if reasons and reasons <= NOT_AN_EMERGENCY:
            decision = demote_urgent(message, config["next_intent_threshold"])
            reason = f"{scores}; red flag {'/'.join(sorted(reasons))}"
        elif "hypothetical" in reasons or not suspected:
            decision, reason = route(message, *WARNING_SIGNS), f"{scores}; not an emergency now"
        else:
            decision, reason = route_urgent(message, SUSPECTED, finding.language), scores
    # Always recorded, so a message that was not flagged still shows why not.
    message.set(
        SAFETY_KEY,
        {
            "decision": decision,
            "reason": reason,
            "urgency": round(urgency, 3),
            "classifier_urgent": classifier and round(classifier, 3),
            **finding.as_dict(),
        },
        add_to_output=True,
    )


def unreadable(text: Text) -> bool:
    """Mostly letters of a script the assistant cannot read (not Latin: Chinese, Arabic...)."""
    letters = [c for c in text if c.isalpha()]
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    return bool(letters) and latin < len(letters) / 2


def route_unreadable(message: Message) -> None:
    set_intent(message, FALLBACK_INTENT)
    message.set(ENTITIES, [], add_to_output=True)  # no "did you mean" from words it cannot read
    message.set(
        SAFETY_KEY,
        {"decision": FALLBACK_INTENT, "reason": "a script the assistant cannot read", "kind": None},
        add_to_output=True,
    )


def answered_elsewhere(message: Message, finding: Finding) -> bool:
    """An answer component already gave the fitting non-answer: another medicine
    alone goes to the pharmacist (unless the person asks about taking it with
    theirs: "can i take advil with it"), and a 4b topic it sent to the personal
    interaction answer stays there."""
    medicines = (message.get(MEDICINES_KEY) or {}).get("decision")
    abstention = str((message.get(ABSTENTION_KEY) or {}).get("decision"))
    return (medicines == "other_medicine" and finding.category != INTERACTION) or abstention.startswith(
        "route personal_advice/"
    )


def route(message: Message, intent: Text, sub_topic: Text) -> Text:
    """Set `intent` and its answer `sub_topic`; return the decision made."""
    set_intent(message, intent)
    select_response(message, f"{intent}/{sub_topic}", 1.0)
    return f"{intent}/{sub_topic}"


def route_urgent(message: Message, category: Optional[Text], language: Text) -> Text:
    """The category's emergency reply; in Spanish, the Spanish one. Entities the
    answer components set (a medicine's name, "did you mean" answers) go: an
    emergency reply fills in nothing."""
    message.set(ENTITIES, [], add_to_output=True)
    return route(message, URGENT_INTENT, SPANISH_REPLY if language == SPANISH else category or SUSPECTED)


def classifier_ranking(message: Message) -> List[Dict[Text, Any]]:
    """The classifier's own ranking: without the fallback and intents set by a router (1.0)."""
    ranking = [
        entry
        for entry in message.get(INTENT_RANKING_KEY) or []
        if entry[INTENT_NAME_KEY] != FALLBACK_INTENT and entry[PREDICTED_CONFIDENCE_KEY] < 1.0
    ]
    return sorted(ranking, key=lambda entry: -entry[PREDICTED_CONFIDENCE_KEY])


def classifier_urgent_score(message: Message) -> Optional[float]:
    """urgent_help's score when it is in the classifier's top two, else None."""
    return classifier_score(message, URGENT_INTENT) or None


def classifier_score(message: Message, intent: Text) -> float:
    """`intent`'s score when it is in the classifier's top two, else 0."""
    return next(
        (
            entry[PREDICTED_CONFIDENCE_KEY]
            for entry in classifier_ranking(message)[:2]
            if entry[INTENT_NAME_KEY] == intent
        ),
        0.0,
    )


def demote_to(message: Message, intent: Text) -> Text:
    """Set `intent` with the classifier's best sub-topic of it."""
    from components.retrieval import best_sub_topic

    set_intent(message, intent)
    best = best_sub_topic(message, intent)
    if best:
        select_response(message, best["intent_response_key"], best["confidence"])
        return best["intent_response_key"]
    return intent


def demote_urgent(message: Message, threshold: float) -> Text:
    """No emergency after all: the classifier's next intent if confident, else the fallback."""
    ranking = [entry for entry in classifier_ranking(message) if entry[INTENT_NAME_KEY] != URGENT_INTENT]
    confident = ranking and ranking[0][PREDICTED_CONFIDENCE_KEY] >= threshold
    return demote_to(message, ranking[0][INTENT_NAME_KEY] if confident else FALLBACK_INTENT)


def intent_of(message: Message) -> Optional[Text]:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
